/**
 * Posters on the real stack: the API, both runners as processes against Kafka and FerretDB, with
 * TMDB_API_KEY set and TMDB's base URL pointing at a local fake TMDB (these machines have no
 * internet). The catalog's films carry TMDB ids as MovieLens' links.csv gives them; the API's
 * background enrichment stores their posters in the catalog, and a film added afterwards carries
 * its poster into the user's list and the trends' top 10.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { CatalogEntry } from "@cinematch/adapters";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi } from "./support/api-call.ts";
import { FIXTURE_CATALOG, type Product, startRealStack, withProductLogs } from "./support/product.ts";
import { signUpOverHttp } from "./support/seed.ts";

const KEY = "e2e-tmdb-key";
const POSTERS: Readonly<Record<string, string>> = { "680": "/pulp-fiction.jpg", "603": "/the-matrix.jpg" };
const tmdbAsked: string[] = [];
let tmdb: Server;
let tmdbBase = "";
let product: Product | undefined;

const catalog: ReadonlyArray<CatalogEntry> = [
  {
    film: { movie_id: "ml-296", title: "Pulp Fiction", year: 1994, genres: ["Crime", "Drama"] },
    ids: ["tmdb-680", "tt0110912"],
  },
  { film: { movie_id: "ml-2571", title: "The Matrix", year: 1999, genres: ["Action"] }, ids: ["tmdb-603"] },
  // A film TMDB does not know: it keeps its placeholder.
  { film: { movie_id: "ml-9", title: "Sudden Death", year: 1995 }, ids: ["tmdb-9999999"] },
  ...FIXTURE_CATALOG.map((film) => ({ film })),
];

beforeAll(async () => {
  tmdb = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://fake");
    tmdbAsked.push(url.pathname);
    const id = /^\/3\/movie\/(\d+)$/u.exec(url.pathname)?.[1];
    const poster = id === undefined ? undefined : POSTERS[id];
    const ok = url.searchParams.get("api_key") === KEY && poster !== undefined;
    response.writeHead(ok ? 200 : url.searchParams.get("api_key") === KEY ? 404 : 401, {
      "content-type": "application/json",
    });
    response.end(JSON.stringify(ok ? { id: Number(id), poster_path: poster } : { status_message: "no" }));
  });
  await new Promise<void>((resolve) => tmdb.listen(0, "127.0.0.1", resolve));
  tmdbBase = `http://127.0.0.1:${(tmdb.address() as AddressInfo).port}`;
  product = await startRealStack({
    catalog,
    env: {
      TMDB_API_KEY: KEY,
      TMDB_API_BASE_URL: `${tmdbBase}/3`,
      TMDB_IMAGE_BASE_URL: `${tmdbBase}/t/p`,
      TMDB_REQUESTS_PER_SECOND: "20",
    },
  });
}, 300_000);

afterAll(async () => {
  await product?.stop();
  await new Promise((resolve) => tmdb?.close(resolve));
});

const posterOf = (id: string) => `${tmdbBase}/t/p/w342${POSTERS[id]}`;

/** Polls `read` until `done` holds of its answer, or fails naming what it last saw. */
const pollUntil = async <A>(what: string, read: () => Promise<A>, done: (a: A) => boolean): Promise<A> => {
  const deadline = Date.now() + 60_000;
  let last: A = await read();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    last = await read();
  }
  return last;
};

describe("posters on the real stack with a TMDB key", () => {
  it("given films with TMDB ids, when the enrichment has run and a user adds them, then the catalog, her list and the top 10 carry their posters, and a film TMDB lacks keeps none", async () => {
    const stack = product!;
    await withProductLogs(stack, async () => {
      const catalogFilm = (id: string) => callApi(stack.baseURL, "GET", `/catalog/${id}`);
      await pollUntil(
        "posters stored in the catalog",
        async () => [(await catalogFilm("ml-296")).body, (await catalogFilm("ml-2571")).body],
        (films) => films.every((f) => typeof f?.poster_path === "string"),
      );
      expect((await catalogFilm("ml-296")).body.poster_path).toBe(posterOf("680"));
      expect((await catalogFilm("ml-2571")).body.poster_path).toBe(posterOf("603"));
      expect(tmdbAsked).toContain("/3/movie/9999999");
      expect((await catalogFilm("ml-9")).body.poster_path).toBeUndefined();

      const token = await signUpOverHttp(stack.baseURL, "poster-fan@example.com");
      for (const movie_id of ["ml-296", "ml-2571", "ml-9"]) {
        const added = await callApi(stack.baseURL, "POST", "/movies", token, { movie_id, rating: 8 });
        expect(added.status, JSON.stringify(added.body)).toBe(201);
      }
      const list = await callApi(stack.baseURL, "GET", "/movies?limit=10", token);
      const posters = Object.fromEntries(
        list.body.items.map((e: { movie: { movie_id: string; poster_path?: string } }) => [
          e.movie.movie_id,
          e.movie.poster_path ?? null,
        ]),
      );
      expect(posters).toEqual({ "ml-296": posterOf("680"), "ml-2571": posterOf("603"), "ml-9": null });

      const trends = await pollUntil(
        "the runners' top 10",
        async () => (await callApi(stack.baseURL, "GET", "/trends/global?window=all")).body,
        (body) => body?.status !== "not_computed_yet" && (body?.top_movies?.length ?? 0) >= 3,
      );
      const top = Object.fromEntries(
        trends.top_movies.map((m: { movie_id: string; poster_path?: string }) => [
          m.movie_id,
          m.poster_path ?? null,
        ]),
      );
      expect(top).toMatchObject({ "ml-296": posterOf("680"), "ml-2571": posterOf("603"), "ml-9": null });
    });
  }, 300_000);
});

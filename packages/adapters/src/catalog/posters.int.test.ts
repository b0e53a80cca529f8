import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ConfigProvider, Effect, Option, Redacted } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CatalogEntry, CatalogStore } from "./CatalogStore.ts";
import { makeCatalogStoreMemory } from "./memory.ts";
import { enrichPostersOnce, fetchPoster, type PosterSettings, posterSettingsFromEnv } from "./posters.ts";

// A local fake of TMDB's `GET /movie/{id}` (these machines have no internet): a poster, a film
// without one, an unknown id, a throttled answer that succeeds on the next try, a broken server.
const KEY = "test-key";
const requests: Array<{ readonly path: string; readonly at: number }> = [];
let throttledOnce = false;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://fake");
    requests.push({ path: url.pathname, at: performance.now() });
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { "content-type": "application/json", ...headers });
      response.end(JSON.stringify(body));
    };
    if (url.searchParams.get("api_key") !== KEY) return reply(401, { status_message: "Invalid API key" });
    switch (url.pathname) {
      case "/3/movie/680":
        return reply(200, { id: 680, title: "Pulp Fiction", poster_path: "/pulp.jpg" });
      case "/3/movie/1":
        return reply(200, { id: 1, poster_path: null });
      case "/3/movie/11":
        if (!throttledOnce) {
          throttledOnce = true;
          return reply(429, { status_message: "slow down" }, { "retry-after": "0" });
        }
        return reply(200, { id: 11, poster_path: "/starwars.jpg" });
      case "/3/movie/500":
        return reply(503, { status_message: "down" });
      default:
        return reply(404, { status_message: "not found" });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/3`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const settings = (extra: Partial<PosterSettings> = {}): PosterSettings => ({
  apiKey: Redacted.make(KEY),
  apiBaseUrl: baseUrl,
  imageBaseUrl: "https://images.example/t/p/",
  requestsPerSecond: 20,
  retries: 2,
  backoffMs: 5,
  passIntervalMs: 60_000,
  ...extra,
});

const film = (movie_id: string, tmdb?: string, poster_path?: string): CatalogEntry => ({
  film: { movie_id, title: `Film ${movie_id}`, ...(poster_path === undefined ? {} : { poster_path }) },
  ...(tmdb === undefined ? {} : { ids: [`tmdb-${tmdb}`, "tt0000001"] }),
});

describe("posters from a TMDB that answers", () => {
  it("given a film TMDB has a poster for, when fetched, then its URL is the image base, the size and TMDB's path", async () => {
    const poster = await Effect.runPromise(fetchPoster(settings(), "680"));
    expect(poster).toEqual(Option.some("https://images.example/t/p/w342/pulp.jpg"));
  });

  it("given an unknown id or a film without a poster, when fetched, then there is none, without error", async () => {
    expect(await Effect.runPromise(fetchPoster(settings(), "999"))).toEqual(Option.none());
    expect(await Effect.runPromise(fetchPoster(settings(), "1"))).toEqual(Option.none());
  });

  it("given a wrong key, when fetched, then it fails at once naming the status, without retrying", async () => {
    const before = requests.length;
    const result = await Effect.runPromise(
      Effect.either(fetchPoster(settings({ apiKey: Redacted.make("wrong") }), "680")),
    );
    expect(result._tag === "Left" && result.left.message).toBe("HTTP 401");
    expect(requests.length - before).toBe(1);
  });

  it("given a server that stays down, when fetched, then it tries 1 + retries times with growing waits and fails", async () => {
    const before = requests.length;
    const result = await Effect.runPromise(
      Effect.either(fetchPoster(settings({ retries: 3, backoffMs: 20 }), "500")),
    );
    expect(result._tag === "Left" && result.left.message).toBe("HTTP 503, still after 3 retries");
    const tries = requests.slice(before);
    expect(tries).toHaveLength(4);
    // Backoff 20, 40, 80 ms: each wait at least its share (the clock may only add).
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(19);
    expect(tries[3]!.at - tries[2]!.at).toBeGreaterThanOrEqual(79);
  });
});

describe("a catalog with films to enrich", () => {
  it("given films with and without TMDB ids and posters, when a pass runs, then posters are stored, the rest left as they were, and requests keep the rate", async () => {
    const catalog = makeCatalogStoreMemory([
      film("ml-296", "680"),
      film("ml-260", "11"),
      film("ml-1", "1"),
      film("ml-9", "500"),
      film("vega-7"),
      film("ml-5", "680", "https://elsewhere.example/kept.jpg"),
    ]);
    const before = requests.length;
    const pass = await Effect.runPromise(
      enrichPostersOnce(settings({ requestsPerSecond: 20, retries: 1 })).pipe(
        Effect.provideService(CatalogStore, catalog),
      ),
    );
    expect(pass).toEqual({ wanted: 4, found: 2, none: 1, failed: 1 });
    const posters = Object.fromEntries(
      (await Effect.runPromise(catalog.all)).map((e) => [e.film.movie_id, e.film.poster_path]),
    );
    expect(posters).toEqual({
      "ml-1": undefined,
      "ml-260": "https://images.example/t/p/w342/starwars.jpg",
      "ml-296": "https://images.example/t/p/w342/pulp.jpg",
      "ml-5": "https://elsewhere.example/kept.jpg",
      "ml-9": undefined,
      "vega-7": undefined,
    });
    // Films are asked one after another at most 20 per second (50 ms apart; retries come on top).
    const firstTries = requests
      .slice(before)
      .filter((r, k, all) => all.findIndex((o) => o.path === r.path) === k)
      .map((r) => r.at);
    for (let k = 1; k < firstTries.length; k++)
      expect(firstTries[k]! - firstTries[k - 1]!).toBeGreaterThanOrEqual(49);

    const again = await Effect.runPromise(
      enrichPostersOnce(settings()).pipe(Effect.provideService(CatalogStore, catalog)),
    );
    expect(again.wanted).toBe(2);
  });
});

describe("the settings", () => {
  const read = (env: Record<string, string>) =>
    Effect.runPromise(
      Effect.withConfigProvider(posterSettingsFromEnv, ConfigProvider.fromMap(new Map(Object.entries(env)))),
    );

  it("given no TMDB_API_KEY (or an empty one), when read, then there is no enrichment", async () => {
    expect(await read({})).toEqual(Option.none());
    expect(await read({ TMDB_API_KEY: "  " })).toEqual(Option.none());
  });

  it("given a key and a base URL, when read, then both are used and the rest has defaults", async () => {
    const result = await read({ TMDB_API_KEY: "k", TMDB_API_BASE_URL: "http://127.0.0.1:9/3" });
    expect(Option.isSome(result)).toBe(true);
    if (Option.isSome(result)) {
      expect(Redacted.value(result.value.apiKey)).toBe("k");
      expect(result.value).toMatchObject({
        apiBaseUrl: "http://127.0.0.1:9/3",
        imageBaseUrl: "https://image.tmdb.org/t/p",
        requestsPerSecond: 4,
      });
    }
  });
});

/**
 * The API end to end on the real stack: the API and both runners as their own processes against
 * Kafka and the MongoDB-wire server (KAFKA_BOOTSTRAP_SERVERS / MONGODB_URL; fails loudly when
 * unset), with a database, topic and consumer groups of this run's own. Sign up, add by id and by
 * title, rate, remove; the statistics and trends the runners compute show up through the API; two
 * users cannot see each other's data.
 */
import { eventuallyAsync } from "@cinematch/adapters/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Product, startRealStack, withProductLogs } from "../web/support/product.ts";
import { type ApiAnswer as Answer, callApi } from "../web/support/api-call.ts";

let product: Product;

beforeAll(async () => {
  product = await startRealStack();
}, 240_000);

afterAll(async () => {
  await product?.stop();
});

const call = (method: string, path: string, token?: string, body?: unknown) =>
  callApi(product.baseURL, method, path, token, body);

/** The real stack answers within seconds; a loaded machine gets 90 s (polled, never slept). */
const POLL = { timeoutMs: 90_000, intervalMs: 250 };

const signUp = async (email: string) => {
  const answer = await call("POST", "/auth/signup", undefined, { email, password: "correct horse battery" });
  expect(answer.status).toBe(201);
  return answer.body.token as string;
};

const topCount = (trends: Answer, movie_id: string): number =>
  (trends.body.top_movies ?? []).find((m: { movie_id: string }) => m.movie_id === movie_id)?.count ?? 0;

describe("the API on the real stack", () => {
  it(
    "given two users, when one adds, rates and removes films, then their stats and the trends follow, and the other sees none of it",
    () =>
      withProductLogs(product, async () => {
        const alice = await signUp(`alice-${Date.now()}@example.com`);
        const bob = await signUp(`bob-${Date.now()}@example.com`);

        expect((await call("POST", "/movies", alice, { movie_id: "web-e2e-leon", rating: 8 })).status).toBe(
          201,
        );
        const byTitle = await call("POST", "/movies", alice, { title: "the matrix", year: 1999 });
        expect(byTitle.status).toBe(201);
        expect(byTitle.body.entry.movie.movie_id).toBe("web-e2e-matrix");
        expect((await call("POST", "/movies", alice, { movie_id: "web-e2e-leon" })).body.status).toBe(
          "already_present",
        );
        expect((await call("POST", "/movies", alice, { movie_id: "web-e2e-amelie" })).status).toBe(201);
        expect((await call("DELETE", "/movies/web-e2e-amelie", alice)).status).toBe(204);
        expect((await call("PATCH", "/movies/web-e2e-leon", alice, { rating: 9 })).body.rating).toBe(9);

        const mine = await eventuallyAsync(
          () => call("GET", "/stats/me", alice),
          (a) =>
            a.body.status === "ready" && a.body.stats.total_watched === 2 && a.body.stats.avg_rating === 9,
          POLL,
        );
        expect(mine.body.stats.total_watched).toBe(2);

        const trends = await eventuallyAsync(
          () => call("GET", "/trends/global?window=30d"),
          (a) => topCount(a, "web-e2e-leon") === 1 && topCount(a, "web-e2e-matrix") === 1,
          POLL,
        );
        expect(topCount(trends, "web-e2e-amelie")).toBe(0);

        // Bob sees nothing of Alice's, and cannot change it.
        expect((await call("GET", "/stats/me", bob)).body.status).toBe("not_computed_yet");
        expect((await call("GET", "/movies", bob)).body.total).toBe(0);
        expect((await call("GET", "/movies/web-e2e-leon", bob)).status).toBe(404);
        expect((await call("DELETE", "/movies/web-e2e-leon", bob)).status).toBe(404);
        expect((await call("GET", "/movies/web-e2e-leon", alice)).body.rating).toBe(9);

        // Bob's own film counts in the community trends.
        expect((await call("POST", "/movies", bob, { movie_id: "web-e2e-leon" })).status).toBe(201);
        await eventuallyAsync(
          () => call("GET", "/trends/global?window=30d"),
          (a) => topCount(a, "web-e2e-leon") === 2,
          POLL,
        );

        const metrics = await (await fetch(`${product.baseURL}/metrics`)).text();
        expect(metrics).toMatch(/^cinematch_outbox_backlog 0$/m);
        expect(Number(/^cinematch_events_published_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(
          6,
        );
      }),
    240_000,
  );
});

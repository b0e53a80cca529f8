/**
 * Kafka stopped in the middle of a stream of writes and started again: every accepted write ends
 * up in the statistics (and the trends) exactly once.
 *
 * Runs on a PRIVATE Kafka + FerretDB pair (scripts/infra/up.sh with a cache folder and ports of its
 * own), because it stops the broker: the shared servers other tests use are never touched. The API
 * and both runners run as their own processes against it.
 */
import { eventuallyAsync } from "@cinematch/adapters/testing";
import type { Film } from "@cinematch/domain";
import { describe, expect, it } from "vitest";
import { type ApiAnswer, apiClient } from "../web/support/api-call.ts";
import { withProductLogs } from "../web/support/product.ts";
import { privateStackForFile } from "./private-stack-for-file.ts";
import { infraUp, readWholeTopic, stopKafka } from "./support.ts";

const FILMS: ReadonlyArray<Film> = Array.from({ length: 40 }, (_, i) => ({
  movie_id: `outage-film-${i}`,
  title: `Outage Film Number ${i}`,
  year: 1980 + i,
  genres: [i % 2 === 0 ? "Drama" : "Comedy"],
  runtime_minutes: 90 + i,
}));

const file = privateStackForFile({
  name: "outage",
  films: FILMS,
  env: {
    CINEMATCH_EVENTS_PARTITIONS: "3",
    TRENDS_OUTPUT_DEBOUNCE_MS: "100",
    // Scrapes here wait for a fresh count of the outbox backlog (in production they never wait).
    CINEMATCH_METRICS_BACKLOG_MAX_AGE_MS: "0",
    CINEMATCH_METRICS_SCRAPE_WAIT_MS: "20000",
  },
});
const { product } = file;

const call = apiClient(() => file.baseURL);

const metric = async (name: string): Promise<number> => {
  const text = await (await fetch(`${file.baseURL}/metrics`)).text();
  const value = new RegExp(`^${name} (-?[\\d.]+)$`, "m").exec(text)?.[1];
  if (value === undefined) throw new Error(`/metrics has no ${name}:\n${text}`);
  return Number(value);
};

/**
 * The test's own model of what was accepted: each user's list (movie id → rating or none), and
 * every change that must have become an event.
 */
interface User {
  readonly name: string;
  readonly token: string;
  readonly user_id: string;
  readonly list: Map<string, number | undefined>;
}
/** A backlog drains within seconds of Kafka's return; a loaded machine gets 120 s (polled, never slept). */
const POLL = { timeoutMs: 120_000, intervalMs: 250 };

const changes: Array<{ user_id: string; event_type: "ADD" | "UPDATE" | "DELETE"; movie_id: string }> = [];

const signUp = async (name: string): Promise<User> => {
  const answer = await call("POST", "/auth/signup", undefined, {
    email: `${name}-${Date.now()}@example.com`,
    password: "correct horse battery staple",
  });
  expect(answer.status).toBe(201);
  return { name, token: answer.body.token, user_id: answer.body.user_id, list: new Map() };
};

/** A rating for film i (0.5 .. 10 in steps of 0.5), or none for every third film. */
const ratingOf = (i: number): number | undefined => (i % 3 === 2 ? undefined : (((i * 7) % 20) + 1) / 2);

const add = async (user: User, i: number) => {
  const movie_id = `outage-film-${i}`;
  const rating = ratingOf(i);
  const answer = await call("POST", "/movies", user.token, { movie_id, ...(rating ? { rating } : {}) });
  expect(answer.status, `${user.name} adds ${movie_id}: ${JSON.stringify(answer.body)}`).toBe(201);
  user.list.set(movie_id, rating);
  changes.push({ user_id: user.user_id, event_type: "ADD", movie_id });
};

const addAgain = async (user: User, i: number) => {
  const answer = await call("POST", "/movies", user.token, { movie_id: `outage-film-${i}` });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  expect(answer.body.status).toBe("already_present"); // no change, so no event
};

const rate = async (user: User, i: number) => {
  const movie_id = `outage-film-${i}`;
  const rating = user.list.get(movie_id) === 7 ? 7.5 : 7;
  const answer = await call("PATCH", `/movies/${movie_id}`, user.token, { rating });
  expect(answer.status, `${user.name} rates ${movie_id}: ${JSON.stringify(answer.body)}`).toBe(200);
  user.list.set(movie_id, rating);
  changes.push({ user_id: user.user_id, event_type: "UPDATE", movie_id });
};

const remove = async (user: User, i: number) => {
  const movie_id = `outage-film-${i}`;
  const answer = await call("DELETE", `/movies/${movie_id}`, user.token);
  expect(answer.status, `${user.name} removes ${movie_id}: ${JSON.stringify(answer.body)}`).toBe(204);
  user.list.delete(movie_id);
  changes.push({ user_id: user.user_id, event_type: "DELETE", movie_id });
};

const expectedStats = (user: User) => {
  const ratings = [...user.list.values()].filter((r): r is number => r !== undefined);
  return {
    total_watched: user.list.size,
    rated_count: ratings.length,
    avg_rating: ratings.length === 0 ? null : ratings.reduce((a, b) => a + b, 0) / ratings.length,
  };
};

const statsMatch = (answer: ApiAnswer, user: User) => {
  const want = expectedStats(user);
  const got = answer.body?.stats;
  return (
    answer.body?.status === "ready" &&
    got.total_watched === want.total_watched &&
    got.rated_count === want.rated_count &&
    (want.avg_rating === null
      ? got.avg_rating === null
      : Math.abs(got.avg_rating - want.avg_rating) < 0.005 + 1e-9) // shown rounded to 2 decimals
  );
};

describe("the API and both runners on a broker that goes away mid-stream", () => {
  it(
    "given a stream of writes, when Kafka is stopped in the middle and started again, then every write is accepted, the backlog shows and drains, and stats and trends count each write exactly once",
    () =>
      withProductLogs(product(), async () => {
        const alice = await signUp("alice");
        const bob = await signUp("bob");

        // Kafka up: the first part of the stream.
        for (let i = 0; i < 12; i++) await add(alice, i);
        for (let i = 0; i < 6; i++) await add(bob, i);
        await rate(alice, 2);

        // Kafka stopped (this run's private broker only).
        const stopMs = await stopKafka(file.stack.infra);
        console.info(`kafka stopped in ${stopMs} ms after ${changes.length} changes`);
        const outageStarted = Date.now();
        for (let i = 12; i < 24; i++) await add(alice, i);
        await rate(alice, 0);
        await rate(alice, 14);
        await remove(alice, 1);
        await remove(alice, 13);
        await addAgain(alice, 12);
        for (let i = 6; i < 12; i++) await add(bob, i);
        await remove(bob, 0);
        await rate(bob, 7);
        const backlog = await metric("cinematch_outbox_backlog");
        expect(backlog, "the writes made while Kafka was down wait in the outbox").toBeGreaterThan(0);
        console.info(`outage writes took ${Date.now() - outageStarted} ms; backlog ${backlog}`);

        // Kafka started again (up.sh starts only what is not running; its data was kept).
        const restartStarted = Date.now();
        await infraUp(file.stack.base);
        console.info(`kafka back in ${Date.now() - restartStarted} ms`);
        for (let i = 24; i < 32; i++) await add(alice, i);
        await rate(alice, 12);
        await remove(alice, 15);
        for (let i = 12; i < 16; i++) await add(bob, i);
        await rate(bob, 12);
        await remove(bob, 3);

        // The backlog drains and the statistics equal the test's own model of the accepted writes.
        const drainStarted = Date.now();
        await eventuallyAsync(
          () => metric("cinematch_outbox_backlog"),
          (n) => n === 0,
          POLL,
        );
        for (const user of [alice, bob]) {
          await eventuallyAsync(
            () => call("GET", "/stats/me", user.token),
            (a) => statsMatch(a, user),
            POLL,
          );
        }
        // Trends are counters (not recomputed from the lists): a lost ADD/DELETE or one counted twice
        // moves the all-time total away from the number of entries in all lists.
        const entries = alice.list.size + bob.list.size;
        const trends = await eventuallyAsync(
          () => call("GET", "/trends/global?window=all"),
          (a) => a.body?.total_movies_analyzed === entries,
          POLL,
        );
        for (const film of trends.body.top_movies as ReadonlyArray<{ movie_id: string; count: number }>) {
          const holders = [alice, bob].filter((u) => u.list.has(film.movie_id)).length;
          expect(film.count, film.movie_id).toBe(holders);
        }
        console.info(`drained and converged in ${Date.now() - drainStarted} ms`);

        // Nothing else arrives later: the numbers stay put once the backlog is empty.
        expect(await metric("cinematch_outbox_backlog")).toBe(0);
        for (const user of [alice, bob])
          expect(statsMatch(await call("GET", "/stats/me", user.token), user)).toBe(true);

        // The topic holds every accepted change. The outbox may publish one event twice (a publish
        // whose acknowledgement was lost, then the relay's retry: the same event id at two offsets);
        // that is allowed by design, consumers drop the repeat by event id. So: distinct event ids
        // = accepted changes, and they are exactly those changes.
        const records = await readWholeTopic(file.stack.infra.kafka, file.stack.topic);
        const byId = new Map(records.map((r) => [r.event_id, r]));
        const key = (c: { user_id: string; event_type: string; movie_id: string }) =>
          `${c.user_id} ${c.event_type} ${c.movie_id}`;
        expect([...byId.values()].map(key).sort()).toEqual(changes.map(key).sort());
        expect(byId.size).toBe(changes.length);
        console.info(
          `${changes.length} changes, ${records.length} records on the topic (${records.length - byId.size} republished)`,
        );
      }),
    300_000,
  );
});

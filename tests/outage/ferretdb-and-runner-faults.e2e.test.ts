/**
 * Two faults on the real stack, each in the middle of a stream of writes, on a PRIVATE Kafka +
 * FerretDB pair (scripts/infra/up.sh with a cache folder and ports of its own) so nothing else is
 * disturbed:
 * 1. FerretDB SIGKILLed and started again: while it is away every write answers within 2 s (503
 *    with Retry-After, or success); no acknowledged write is lost; the API and both runners recover
 *    by themselves (no restart) and the statistics and trends come out exact.
 * 2. Both runners SIGSTOPped past their consumer-group session timeout, then resumed: their
 *    partitions were taken away and are given back; the results are still exact.
 *
 * The client retries a write that got 503 until it is acknowledged (adding again is idempotent:
 * `already_present`), so the test's model of every list is exact whatever the outcome of the 503.
 */
import { eventuallyAsync } from "@cinematch/adapters/testing";
import type { Film } from "@cinematch/domain";
import { describe, expect, it } from "vitest";
import { apiClient } from "../web/support/api-call.ts";
import { withProductLogs } from "../web/support/product.ts";
import { privateStackForFile } from "./private-stack-for-file.ts";
import { infraUp, killFerretDb } from "./support.ts";

const FILMS: ReadonlyArray<Film> = Array.from({ length: 900 }, (_, i) => ({
  movie_id: `fault-film-${i}`,
  title: `Fault Film Number ${i}`,
  year: 1950 + (i % 70),
  genres: [i % 3 === 0 ? "Drama" : i % 3 === 1 ? "Comedy" : "Horror"],
  runtime_minutes: 80 + i,
}));
const SESSION_TIMEOUT_MS = 6_000;

const file = privateStackForFile({
  name: "faults",
  films: FILMS,
  env: {
    CINEMATCH_EVENTS_PARTITIONS: "3",
    TRENDS_OUTPUT_DEBOUNCE_MS: "100",
    TRENDS_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
    USER_STATS_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
  },
});
const { product } = file;
const runner = (app: "trends-runner" | "user-stats-runner") => file.stack.current.get(app)!;

const call = apiClient(() => file.baseURL);

/** Recovery takes seconds; a loaded machine gets 120 s (polled, never slept). */
const POLL = { timeoutMs: 120_000, intervalMs: 250 };

interface User {
  readonly token: string;
  /** Acknowledged films (movie id → rating). */
  readonly list: Map<string, number>;
  /** Films whose add got 503: retried once the store is back. */
  readonly unsure: Set<string>;
}

const signUp = async (name: string): Promise<User> => {
  const answer = await eventuallyAsync(
    () =>
      call("POST", "/auth/signup", undefined, {
        email: `${name}-${Date.now()}@example.com`,
        password: "correct horse battery staple",
      }),
    (a) => a.status === 201,
    POLL,
  );
  return { token: answer.body.token, list: new Map(), unsure: new Set() };
};

const ratingOf = (i: number) => ((i * 7) % 20) / 2 + 0.5;

/** Every answer during a fault, for the 2-second bound. */
const answers: Array<{ status: number; ms: number; retryAfter: string | null }> = [];

const add = async (user: User, i: number) => {
  const movie_id = `fault-film-${i}`;
  const answer = await call("POST", "/movies", user.token, { movie_id, rating: ratingOf(i) });
  answers.push(answer);
  if (answer.status === 201 || answer.status === 200) {
    user.list.set(movie_id, ratingOf(i));
    user.unsure.delete(movie_id);
  } else if (answer.status === 503) user.unsure.add(movie_id);
  else throw new Error(`add ${movie_id}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.status;
};

/** The next film index; each round gives every user a film of their own. */
let cursor = 0;

/** Rounds of writes (one new film per user, all at once) until `stop` says so after a round. */
const streamOfWrites = async (users: ReadonlyArray<User>, stop: (roundStatuses: number[]) => boolean) => {
  for (;;) {
    const round = cursor;
    cursor += 1;
    const statuses = await Promise.all(users.map((user, u) => add(user, round * users.length + u)));
    if (stop(statuses)) return;
    // Pacing, not waiting for anything: a steady stream of about a dozen writes a second.
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

const settleUnsure = async (users: ReadonlyArray<User>) => {
  for (const user of users) {
    for (const movie_id of [...user.unsure]) {
      const i = Number(movie_id.slice("fault-film-".length));
      await eventuallyAsync(
        () => add(user, i),
        (status) => status !== 503,
        { ...POLL, timeoutMs: 60_000 },
      );
    }
  }
};

const expectExact = async (users: ReadonlyArray<User>) => {
  for (const user of users) {
    const page = await eventuallyAsync(
      () => call("GET", "/movies?limit=100", user.token),
      (a) => a.status === 200,
      POLL,
    );
    const stored = new Map<string, number>(
      (page.body.items as ReadonlyArray<{ movie: { movie_id: string }; rating?: number }>).map((e) => [
        e.movie.movie_id,
        e.rating ?? Number.NaN,
      ]),
    );
    expect(stored, "every acknowledged write is stored, nothing else").toEqual(user.list);
    const ratings = [...user.list.values()];
    await eventuallyAsync(
      () => call("GET", "/stats/me", user.token),
      (a) =>
        a.body?.status === "ready" &&
        a.body.stats.total_watched === user.list.size &&
        Math.abs(a.body.stats.avg_rating - ratings.reduce((x, y) => x + y, 0) / ratings.length) < 0.006,
      POLL,
    );
  }
  const entries = users.reduce((n, user) => n + user.list.size, 0);
  const trends = await eventuallyAsync(
    () => call("GET", "/trends/global?window=all"),
    (a) => a.body?.total_movies_analyzed === entries,
    POLL,
  );
  for (const film of trends.body.top_movies as ReadonlyArray<{ movie_id: string; count: number }>) {
    expect(film.count, film.movie_id).toBe(users.filter((u) => u.list.has(film.movie_id)).length);
  }
};

describe("the real stack through a database crash and stalled runners", () => {
  const users: User[] = [];

  it(
    "given a stream of writes, when FerretDB is SIGKILLed and started again, then writes answer within 2 s (503 with Retry-After while it is away), no acknowledged write is lost, and everything recovers by itself to exact results",
    () =>
      withProductLogs(product(), async () => {
        users.push(await signUp("carol"), await signUp("dave"), await signUp("erin"));
        let phase: "before" | "down" | "back" = "before";
        await streamOfWrites(users, () => cursor >= 3);
        // After the database is back: a few rounds that all succeed, then the stream ends.
        let cleanRounds = 0;
        const writer = streamOfWrites(users, (statuses) => {
          cleanRounds = phase === "back" && statuses.every((s) => s < 300) ? cleanRounds + 1 : 0;
          return cleanRounds >= 3;
        });
        const outageStart = answers.length;
        await killFerretDb(file.stack.infra);
        phase = "down";
        // A few seconds of writes against a dead database, then it comes back (its data kept).
        await eventuallyAsync(
          async () => answers.slice(outageStart).filter((a) => a.status === 503).length,
          (n) => n >= 9,
          { ...POLL, timeoutMs: 30_000 },
        );
        await infraUp(file.stack.base);
        phase = "back";
        await writer;
        await settleUnsure(users);
        const during = answers.slice(outageStart);
        const refused = during.filter((a) => a.status === 503);
        console.info(
          `${answers.length} writes, ${during.length} from the crash on: ${refused.length} answered 503, slowest ${Math.round(Math.max(...during.map((a) => a.ms)))} ms`,
        );
        for (const answer of during) expect(answer.ms, "answered within 2 s").toBeLessThan(2_000);
        for (const answer of refused) expect(Number(answer.retryAfter)).toBeGreaterThan(0);
        expect(file.stack.processes.filter((p) => p.exited()).map((p) => p.name)).toEqual([]);
        await expectExact(users);
      }),
    300_000,
  );

  it(
    "given a stream of writes, when both runners are SIGSTOPped past their session timeout and resumed, then the results are exact",
    () =>
      withProductLogs(product(), async () => {
        const pids = [runner("trends-runner"), runner("user-stats-runner")].map((r) => r.child.pid!);
        for (const pid of pids) process.kill(pid, "SIGSTOP");
        const stoppedAt = Date.now();
        // Writes go on while the runners are frozen, past their session timeout (twice over).
        await streamOfWrites(users, () => Date.now() - stoppedAt > SESSION_TIMEOUT_MS * 2);
        for (const pid of pids) process.kill(pid, "SIGCONT");
        const resumedAt = cursor;
        await streamOfWrites(users, () => cursor >= resumedAt + 5);
        await settleUnsure(users);
        expect(file.stack.processes.filter((p) => p.exited()).map((p) => p.name)).toEqual([]);
        await expectExact(users);
      }),
    300_000,
  );
});

/**
 * Both runners as their own processes against the real Kafka broker and MongoDB-wire server:
 * events for several users become user statistics and trends that equal a plain recomputation
 * from the stored entries; a poison record goes to the dead-letter topic and changes nothing else;
 * SIGTERM stops a runner cleanly.
 */
import { deadLetterTopic, DeadLetterHeaders, EventLog, type LogRecord } from "@cinematch/adapters";
import { eventually } from "@cinematch/adapters/testing";
import type { Film } from "@cinematch/domain";
import { Effect, ManagedRuntime, Scope, Exit } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  drainedWithMatchingTrends,
  makeWorld,
  type RunnerProcess,
  spawnRunner,
  userStatsMatch,
  WatchlistCommands,
  worldLayer,
} from "./support.ts";

const DAY = 86_400_000;
const world = makeWorld("int-runners");
const runtime = ManagedRuntime.make(worldLayer(world));
const run = <A, E>(effect: Effect.Effect<A, E, ManagedRuntime.ManagedRuntime.Context<typeof runtime>>) =>
  runtime.runPromise(effect);

const film = (n: number, genres: ReadonlyArray<string>): Film => ({
  movie_id: `ml-${n}`,
  title: n % 2 === 0 ? `Mr. Smith Goes to Town ${n}` : `Amélie ${n}`,
  genres,
  runtime_minutes: 80 + n,
  ...(n % 3 === 0 ? { poster_path: `https://img.example/${n}.jpg` } : {}),
});
const FILMS = [
  film(1, ["Drama"]),
  film(2, ["Comedy", "Drama"]),
  film(3, ["Sci-Fi"]),
  film(4, ["Horror", "Sci-Fi"]),
  film(5, []),
  film(6, ["Film-Noir", "Drama"]),
];
const USERS = ["ana", "ben", "cy", "dee", "eve", "fay"];

let trends: RunnerProcess;
let userStats: RunnerProcess;

beforeAll(async () => {
  await run(Effect.flatMap(EventLog, (log) => log.ensureTopic(world.topic, world.partitions)));
  trends = spawnRunner("trends-runner", world);
  userStats = spawnRunner("user-stats-runner", world);
  await Promise.all([
    trends.waitFor(/trends runner consuming/),
    userStats.waitFor(/user-stats runner consuming/),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([trends?.kill("SIGKILL"), userStats?.kill("SIGKILL")]);
  await runtime.dispose();
});

const settled = (users: ReadonlyArray<string>) =>
  eventually(Effect.zipRight(drainedWithMatchingTrends(world), userStatsMatch(users)), {
    timeoutMs: 60_000,
    intervalMs: 200,
  });

describe("the runners on the real servers", () => {
  describe("given events for several users (adds over 40 days, ratings, a change, removals)", () => {
    it("when they are consumed, then user stats and trends appear within seconds and equal a plain recomputation", async () => {
      const started = Date.now();
      await run(
        Effect.gen(function* () {
          const commands = yield* WatchlistCommands;
          const now = Date.now();
          for (const [u, user] of USERS.entries()) {
            for (const [f, movie] of FILMS.entries()) {
              if ((u + f) % 3 === 0) continue;
              const added_at = now - ((u * 7 + f * 5) % 40) * DAY;
              yield* commands.add(user, {
                movie,
                ...((u + f) % 4 === 0 ? {} : { rating: 1 + ((u * 3 + f) % 19) / 2 }),
                watched_at: added_at,
                added_at,
              });
            }
          }
          yield* commands.update("ana", "ml-2", { rating: 9.5 });
          yield* commands.remove("ben", "ml-3");
          yield* commands.remove("dee", "ml-6");
        }),
      );
      await run(settled(USERS));
      // "Within seconds": generous for a shared 2-core machine, still far from a batch job.
      expect(Date.now() - started).toBeLessThan(60_000);
    });
  });

  describe("given a poison record in the topic between good events", () => {
    it("when it is consumed, then it lands in the dead-letter topic with its reason and origin, and both runners go on unaffected", async () => {
      const poison = '{"event_type":"ADD","user_id":"ana","movie":';
      await run(
        Effect.gen(function* () {
          const commands = yield* WatchlistCommands;
          const log = yield* EventLog;
          yield* commands.add("gus", { movie: FILMS[0]!, rating: 7 });
          yield* log.publish(world.topic, [{ key: "gus", value: poison }]);
          yield* commands.add("gus", { movie: FILMS[2]!, rating: 4 });
          yield* commands.remove("ana", "ml-1");
        }),
      );
      await run(settled([...USERS, "gus"]));
      const dead = await run(
        Effect.gen(function* () {
          const log = yield* EventLog;
          const seen: Array<LogRecord> = [];
          const scope = yield* Scope.make();
          yield* log
            .consume({
              groupId: `${world.name}-dead-letter-reader`,
              topic: deadLetterTopic(world.topic),
              handleBatch: (batch) => Effect.sync(() => seen.push(...batch.records)),
            })
            .pipe(Scope.extend(scope));
          // Each runner's group dead-letters it once (at least once each).
          yield* eventually(
            Effect.sync(() => expect(seen.length).toBeGreaterThanOrEqual(2)),
            { timeoutMs: 30_000 },
          );
          yield* Scope.close(scope, Exit.void);
          return seen;
        }),
      );
      for (const record of dead) {
        expect(record.value).toBe(poison);
        expect(record.headers[DeadLetterHeaders.reason]).toMatch(/malformed JSON/);
        expect(record.headers[DeadLetterHeaders.originTopic]).toBe(world.topic);
        expect(record.headers[DeadLetterHeaders.originOffset]).toMatch(/^\d+$/);
      }
      expect(trends.child.exitCode).toBeNull();
      expect(userStats.child.exitCode).toBeNull();
    });
  });

  describe("given running runners", () => {
    it("when they get SIGTERM, then they leave cleanly (exit 0) after saying so", async () => {
      const [trendsExit, userStatsExit] = await Promise.all([
        trends.kill("SIGTERM"),
        userStats.kill("SIGTERM"),
      ]);
      expect(trendsExit).toBe(0);
      expect(userStatsExit).toBe(0);
      expect(trends.output()).toMatch(/SIGTERM received, shutting down/);
    });
  });
});

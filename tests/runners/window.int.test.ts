/**
 * The windows slide with an injected clock: the trends runner (in this process, on the real servers)
 * reads `now` from a clock the test moves; with no event arriving, films whose entries are older
 * than a window leave its ranking.
 */
import { EventLog, GlobalStatsStore } from "@cinematch/adapters";
import { eventually } from "@cinematch/adapters/testing";
import type { TrendWindow } from "@cinematch/domain";
import { defaultTrendsRunnerConfig, makeShiftedClock, startTrendsRunner } from "@cinematch/trends-runner";
import { Effect, Exit, ManagedRuntime, Option, Scope } from "effect";
import { afterAll, describe, expect, it } from "vitest";
import { makeWorld, trendsMatch, WatchlistCommands, worldLayer } from "./support.ts";

const DAY = 86_400_000;
const world = makeWorld("int-window");
const runtime = ManagedRuntime.make(worldLayer(world));
afterAll(() => runtime.dispose());

describe("the trends windows on the real servers", () => {
  describe("given a film added six days ago by two users and another added today, and no more events", () => {
    it("when the injected clock moves two days on, then the old film leaves the 7-day ranking and stays in the 30-day one", async () => {
      const clock = makeShiftedClock(0);
      await runtime.runPromise(
        Effect.gen(function* () {
          const log = yield* EventLog;
          yield* log.ensureTopic(world.topic, world.partitions);
          const scope = yield* Scope.make();
          yield* startTrendsRunner({
            ...defaultTrendsRunnerConfig,
            topic: world.topic,
            partitions: world.partitions,
            groupId: world.trendsGroup,
            outputDebounceMs: 50,
            slideCheckMs: 100,
          }).pipe(Scope.extend(scope), (start) => Effect.withClock(start, clock.clock));

          const commands = yield* WatchlistCommands;
          const now = Date.now();
          const old = { movie_id: "ml-101", title: "Stalker", genres: ["Sci-Fi"] };
          const fresh = { movie_id: "ml-102", title: "Paris, Texas", genres: ["Drama"] };
          yield* commands.add("ana", { movie: old, added_at: now - 6 * DAY });
          yield* commands.add("ben", { movie: old, added_at: now - 6 * DAY });
          yield* commands.add("ana", { movie: fresh, added_at: now });

          const global = yield* GlobalStatsStore;
          const top = (window: TrendWindow) =>
            Effect.map(global.get(window), (doc) =>
              Option.getOrThrow(doc).top_movies.map((m) => `${m.movie_id}:${m.count}`),
            );
          yield* eventually(
            Effect.map(top("7d"), (list) => expect(list).toEqual(["ml-101:2", "ml-102:1"])),
            {
              timeoutMs: 30_000,
            },
          );
          clock.setOffsetMs(2 * DAY);
          yield* eventually(
            Effect.map(top("7d"), (list) => expect(list).toEqual(["ml-102:1"])),
            {
              timeoutMs: 30_000,
            },
          );
          expect(yield* top("30d")).toEqual(["ml-101:2", "ml-102:1"]);
          const doc = Option.getOrThrow(yield* global.get("7d"));
          expect(doc.updated_at).toBeGreaterThanOrEqual(now + 2 * DAY);
          expect(doc.trending_genres).toEqual([{ genre: "Drama", count: 1, percentage: 100 }]);
          yield* trendsMatch;
          yield* Scope.close(scope, Exit.void);
        }),
      );
    });
  });
});

import {
  deadLetterTopic,
  EventLog,
  EventLogMemoryControl,
  GlobalStatsStore,
  IdGeneratorSequential,
  EventLogMemory,
  makeTrendsStateStoreMemory,
  OutboxPublisherLive,
  PartitionOwnershipMemory,
  ReadModelsMemory,
  type TrendsStateFaults,
  TrendsStateStore,
  type TrendsStateStoreService,
  WatchlistCommands,
  WatchlistCommandsLive,
  WatchlistStore,
  WatchlistStoreMemory,
} from "@cinematch/adapters";
import { eventually } from "@cinematch/adapters/testing";
import { type Film, fromPieces, type TrendWindow, TREND_WINDOWS, trendsOutput } from "@cinematch/domain";
import { Context, Effect, Exit, Layer, Option, Scope } from "effect";
import { describe, expect, it } from "vitest";
import { makeShiftedClock } from "./clock.ts";
import { defaultTrendsRunnerConfig, type TrendsRunnerConfig } from "./config.ts";
import { startTrendsRunner } from "./runner.ts";
import { comparable, expectedTrends } from "./testing/expected-trends.ts";

const TOPIC = "trends-unit-events";
const DAY = 86_400_000;
const config: TrendsRunnerConfig = {
  ...defaultTrendsRunnerConfig,
  topic: TOPIC,
  partitions: 4,
  groupId: "trends-unit",
  outputDebounceMs: 5,
  slideCheckMs: 20,
  bootstrapPendingWaitMs: 200,
  foreignRefreshMs: 50,
};

const GENRES = ["Drama", "Comedy", "Sci-Fi", "Horror", "Film-Noir"];
const film = (n: number): Film => ({
  movie_id: `ml-${n}`,
  // Dots and accents in titles: the state must not use titles as keys.
  title: n % 3 === 0 ? `Mr. Smith ${n}` : `Amélie ${n % 7}`,
  genres: [GENRES[n % 5]!, GENRES[(n * 3) % 5]!],
  ...(n % 2 === 0 ? { poster_path: `https://img.example/${n}.jpg` } : {}),
});

/** A deterministic pseudo-random sequence (tests must be reproducible). */
const random = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};

/** Everything that outlives a runner "process": the log, the stores, the command path. */
const sharedWorld = Layer.mergeAll(WatchlistCommandsLive({ publish: "await" }), ReadModelsMemory).pipe(
  Layer.provideMerge(OutboxPublisherLive({ topic: TOPIC, partitions: 4, relayMinAgeMs: 0 })),
  Layer.provideMerge(
    Layer.mergeAll(
      WatchlistStoreMemory,
      EventLogMemory({ maxBatchSize: 9 }),
      IdGeneratorSequential("ev"),
      PartitionOwnershipMemory,
    ),
  ),
);
type Shared = Layer.Layer.Success<typeof sharedWorld>;

const withWorld = <A, E>(
  body: (ctx: Context.Context<Shared>) => Effect.Effect<A, E, Scope.Scope>,
): Promise<A> =>
  Effect.runPromise(Effect.scoped(Effect.flatMap(Layer.build(sharedWorld), body)) as Effect.Effect<A, E>);

/** Starts one runner "process" in its own scope; closing the scope is its death. */
const startLife = (
  ctx: Context.Context<Shared>,
  store: TrendsStateStoreService,
  options: {
    readonly config?: TrendsRunnerConfig;
    readonly clock?: ReturnType<typeof makeShiftedClock>;
  } = {},
) =>
  Effect.gen(function* () {
    const scope = yield* Scope.make();
    const start = startTrendsRunner(options.config ?? config).pipe(
      Effect.provide(Context.add(ctx, TrendsStateStore, store)),
      Scope.extend(scope),
    );
    const exit = yield* Effect.exit(
      options.clock === undefined ? start : Effect.withClock(start, options.clock.clock),
    );
    return { scope, exit };
  });

const live = (ctx: Context.Context<Shared>) =>
  Effect.gen(function* () {
    const entries = yield* Context.get(ctx, WatchlistStore).entriesAddedSince(0);
    return entries
      .filter((s) => !s.removed)
      .map((s) => ({ movie: s.entry.movie, added_at: s.entry.added_at }));
  });

/** `global_stats` equals the plain recomputation from the stored entries, for every window. */
const outputMatches = (ctx: Context.Context<Shared>) =>
  Effect.gen(function* () {
    const entries = yield* live(ctx);
    const global = Context.get(ctx, GlobalStatsStore);
    for (const window of TREND_WINDOWS) {
      const doc = Option.getOrThrow(yield* global.get(window));
      expect(comparable(doc), `window ${window}`).toEqual(expectedTrends(entries, window, doc.updated_at));
    }
  });

/** The consumer group has committed everything in the topic. */
const drained = (ctx: Context.Context<Shared>, groupId = config.groupId) =>
  Effect.gen(function* () {
    const log = Context.get(ctx, EventLog);
    const ends = yield* log.endOffsets(TOPIC);
    const committed = new Map(
      (yield* log.committedOffsets(groupId, TOPIC)).map((p) => [p.partition, p.offset]),
    );
    for (const end of ends)
      expect(committed.get(end.partition) ?? "0", `partition ${end.partition}`).toBe(end.offset);
  });

/** The SAVED state (not the one in memory), merged over partitions, gives the oracle's trends too. */
const savedStateMatches = (ctx: Context.Context<Shared>, store: TrendsStateStoreService, now: number) =>
  Effect.gen(function* () {
    const states = [];
    for (const { checkpoint, base_epoch } of yield* store.checkpoints) {
      states.push(fromPieces(checkpoint, yield* store.piecesOf(checkpoint.partition, base_epoch)));
    }
    const entries = yield* live(ctx);
    for (const window of ["7d", "30d", "all"] as const satisfies ReadonlyArray<TrendWindow>) {
      expect(comparable(trendsOutput(states, window, now)), `saved ${window}`).toEqual(
        expectedTrends(entries, window, now),
      );
    }
  });

const addSome = (ctx: Context.Context<Shared>, next: () => number, count: number, from = 0) =>
  Effect.gen(function* () {
    const commands = Context.get(ctx, WatchlistCommands);
    for (let i = 0; i < count; i++) {
      const user = `u${Math.floor(next() * 12)}`;
      const movie = film(from + Math.floor(next() * 25));
      const daysAgo = Math.floor(next() * 45);
      const now = Date.now();
      if (next() < 0.2) yield* commands.remove(user, movie.movie_id);
      else
        yield* commands.add(user, { movie, added_at: now - daysAgo * DAY, watched_at: now - daysAgo * DAY });
    }
  });

describe("the trends runner", () => {
  describe("given entries stored before it ever ran", () => {
    it("when it starts, then each partition's state is bootstrapped from them on its first batch, and streaming keeps global_stats equal to a plain recomputation", async () => {
      await withWorld((ctx) =>
        Effect.gen(function* () {
          const next = random(7);
          yield* addSome(ctx, next, 60);
          const store = makeTrendsStateStoreMemory();
          const { exit } = yield* startLife(ctx, store);
          if (Exit.isFailure(exit)) return yield* Effect.dieMessage("the runner did not start");
          const global = Context.get(ctx, GlobalStatsStore);
          yield* eventually(Effect.zipRight(drained(ctx), outputMatches(ctx)));
          // Lazily: one bootstrap per partition that holds events, none at start.
          const withEvents = (yield* Context.get(ctx, EventLog).endOffsets(TOPIC)).filter(
            (p) => p.offset !== "0",
          );
          expect(withEvents.length).toBeGreaterThan(1);
          expect((yield* exit.value.counters).bootstraps).toBe(withEvents.length);

          yield* addSome(ctx, next, 60);
          yield* eventually(Effect.zipRight(drained(ctx), outputMatches(ctx)));
          const doc = Option.getOrThrow(yield* global.get("all"));
          expect(doc.source).toBe("streaming_incremental");
          expect(doc.total_movies_analyzed).toBeGreaterThan(40);
          yield* savedStateMatches(ctx, store, doc.updated_at);
        }),
      );
    }, 30_000);
  });

  describe("given crashes at random instants (mid bulk write, between state and offset, during bootstrap)", () => {
    it("when it is restarted after each, then the final trends equal a run that never crashed", async () => {
      await withWorld((ctx) =>
        Effect.gen(function* () {
          const next = random(42);
          yield* addSome(ctx, next, 50);
          const faults: TrendsStateFaults = { writesBeforeFailure: undefined };
          const store = makeTrendsStateStoreMemory(faults);
          // The first life dies in the middle of a partition's bootstrap (on its first batch).
          faults.writesBeforeFailure = 7;
          let firstDead = false;
          const first = yield* startLife(ctx, store);
          faults.onFailure = () => {
            firstDead = true;
            Effect.runFork(Scope.close(first.scope, Exit.void));
          };
          yield* eventually(Effect.sync(() => expect(firstDead).toBe(true)));
          yield* Scope.close(first.scope, Exit.void);
          let crashes = 0;
          for (let life = 1; life <= 12; life++) {
            faults.writesBeforeFailure = undefined;
            const { scope, exit } = yield* startLife(ctx, store);
            expect(Exit.isSuccess(exit)).toBe(true);
            // From now on the process dies at a random write: the instant the fault fires, its
            // scope closes (the batch in flight is abandoned uncommitted), as with SIGKILL.
            let dead = false;
            faults.onFailure = () => {
              dead = true;
              Effect.runFork(Scope.close(scope, Exit.void));
            };
            faults.writesBeforeFailure = Math.floor(next() * 25);
            yield* addSome(ctx, next, 25);
            yield* eventually(
              Effect.suspend(() => (dead ? Effect.void : Effect.zipRight(drained(ctx), outputMatches(ctx)))),
            );
            if (dead) crashes += 1;
            faults.onFailure = undefined;
            yield* Scope.close(scope, Exit.void);
          }
          faults.writesBeforeFailure = undefined;
          const { exit } = yield* startLife(ctx, store);
          expect(Exit.isSuccess(exit)).toBe(true);
          yield* addSome(ctx, next, 10);
          yield* eventually(Effect.zipRight(drained(ctx), outputMatches(ctx)));
          const doc = Option.getOrThrow(yield* Context.get(ctx, GlobalStatsStore).get("all"));
          yield* savedStateMatches(ctx, store, doc.updated_at);
          // The run must really have crashed, also during a bootstrap, or it proves nothing.
          expect(crashes).toBeGreaterThanOrEqual(8);
        }),
      );
    });
  });

  describe("given a poison record and a republished event in the topic", () => {
    it("when they are consumed, then the poison goes to the dead-letter topic and the copy is not counted twice", async () => {
      await withWorld((ctx) =>
        Effect.gen(function* () {
          const store = makeTrendsStateStoreMemory();
          yield* startLife(ctx, store);
          const next = random(3);
          yield* addSome(ctx, next, 20);
          const log = Context.get(ctx, EventLog);
          const control = Context.get(ctx, EventLogMemoryControl);
          yield* log.publish(TOPIC, [{ key: "u1", value: "not json at all" }]);
          // An outbox relay publishing an ADD again after a lost acknowledgement: same event, later offset.
          const first = (yield* control.records(TOPIC)).find((r) => r.value.includes('"ADD"'))!;
          yield* log.publish(TOPIC, [{ key: first.key ?? "", value: first.value }]);
          yield* addSome(ctx, next, 20);
          yield* eventually(Effect.zipRight(drained(ctx), outputMatches(ctx)));
          const dead = yield* control.records(deadLetterTopic(TOPIC));
          expect(dead.map((r) => r.value)).toEqual(["not json at all"]);
        }),
      );
    });
  });

  describe("given films added six days ago and nothing more arriving", () => {
    it("when the clock moves two days on, then they leave the 7-day ranking by themselves and stay in the 30-day one", async () => {
      await withWorld((ctx) =>
        Effect.gen(function* () {
          const clock = makeShiftedClock(0);
          const store = makeTrendsStateStoreMemory();
          yield* startLife(ctx, store, { clock });
          const commands = Context.get(ctx, WatchlistCommands);
          const now = Date.now();
          yield* commands.add("ana", { movie: film(1), added_at: now - 6 * DAY });
          yield* commands.add("ben", { movie: film(1), added_at: now - 6 * DAY });
          yield* commands.add("ana", { movie: film(2), added_at: now });
          const global = Context.get(ctx, GlobalStatsStore);
          const top = (window: TrendWindow) =>
            Effect.map(global.get(window), (doc) =>
              Option.getOrThrow(doc).top_movies.map((m) => `${m.movie_id}:${m.count}`),
            );
          yield* eventually(Effect.map(top("7d"), (list) => expect(list).toEqual(["ml-1:2", "ml-2:1"])));
          clock.setOffsetMs(2 * DAY);
          yield* eventually(Effect.map(top("7d"), (list) => expect(list).toEqual(["ml-2:1"])));
          expect(yield* top("30d")).toEqual(["ml-1:2", "ml-2:1"]);
          yield* outputMatches(ctx);
        }),
      );
    });
  });

  describe("given two instances in one consumer group sharing the partitions", () => {
    it("when events arrive, then the output of either merges every partition", async () => {
      await withWorld((ctx) =>
        Effect.gen(function* () {
          const next = random(11);
          yield* addSome(ctx, next, 30);
          const store = makeTrendsStateStoreMemory();
          const a = yield* startLife(ctx, store);
          expect(Exit.isSuccess(a.exit)).toBe(true);
          const b = yield* startLife(ctx, store);
          expect(Exit.isSuccess(b.exit)).toBe(true);
          yield* addSome(ctx, next, 80);
          yield* eventually(Effect.zipRight(drained(ctx), outputMatches(ctx)));
          // Stop one: the other takes its partitions over from the saved state and goes on exactly.
          yield* Scope.close(a.scope, Exit.void);
          yield* addSome(ctx, next, 40);
          yield* eventually(Effect.zipRight(drained(ctx), outputMatches(ctx)));
          const doc = Option.getOrThrow(yield* Context.get(ctx, GlobalStatsStore).get("all"));
          yield* savedStateMatches(ctx, store, doc.updated_at);
        }),
      );
    });
  });
});

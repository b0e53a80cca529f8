import {
  deadLetterTopic,
  EventLog,
  EventLogMemoryControl,
  IdGeneratorSequential,
  EventLogMemory,
  PartitionOwnershipMemory,
  StoreUnavailable,
  OutboxPublisherLive,
  UserStatsStore,
  type UserStatsStoreService,
  WatchlistCommands,
  WatchlistCommandsLive,
  WatchlistStore,
  type WatchlistStoreService,
  WatchlistStoreMemory,
  makeUserStatsStoreMemory,
} from "@cinematch/adapters";
import { eventually } from "@cinematch/adapters/testing";
import { computeUserStats, type Film } from "@cinematch/domain";
import { Effect, Exit, Layer, Option, Scope } from "effect";
import { describe, expect, it } from "vitest";
import { defaultUserStatsRunnerConfig, type UserStatsRunnerConfig } from "./config.ts";
import { startUserStatsRunner } from "./runner.ts";

const TOPIC = "user-stats-unit-events";
const config: UserStatsRunnerConfig = {
  ...defaultUserStatsRunnerConfig,
  topic: TOPIC,
  partitions: 3,
  groupId: "user-stats-unit",
  batchMs: 200,
  lingerMs: 5,
};

const film = (n: number, extra: Partial<Film> = {}): Film => ({
  movie_id: `ml-${n}`,
  title: `Film ${n}`,
  runtime_minutes: 90 + n,
  genres: n % 2 === 0 ? ["Drama"] : ["Comedy", "Drama"],
  ...extra,
});

interface Spy {
  entriesOfUsersCalls: Array<ReadonlyArray<string>>;
  entriesByKeyCalls: Array<ReadonlyArray<string>>;
  putManyCalls: number;
  failPutMany: number;
  /** The users of every document written, in order. */
  written: Array<string>;
}

/** The world: in-memory log, stores and the one write path (commands → store + outbox → publish). */
const world = (spy: Spy) => {
  const base = Layer.mergeAll(
    WatchlistStoreMemory,
    EventLogMemory({ maxBatchSize: 7 }),
    IdGeneratorSequential("ev"),
    PartitionOwnershipMemory,
  );
  const commands = WatchlistCommandsLive().pipe(
    Layer.provideMerge(OutboxPublisherLive({ topic: TOPIC, partitions: 3, relayMinAgeMs: 0 })),
    Layer.provideMerge(base),
  );
  // Spies that count the runner's queries and writes, and can fail writes.
  const spied = Layer.effect(
    UserStatsStore,
    Effect.map(
      makeUserStatsStoreMemory,
      (inner): UserStatsStoreService => ({
        get: inner.get,
        putMany: (documents) =>
          Effect.suspend(() => {
            spy.putManyCalls += 1;
            if (spy.failPutMany > 0) {
              spy.failPutMany -= 1;
              return Effect.fail(
                new StoreUnavailable({ operation: "user_stats.putMany", message: "injected" }),
              );
            }
            for (const document of documents) spy.written.push(document.user_id);
            return inner.putMany(documents);
          }),
      }),
    ),
  );
  const spiedWatchlist = Layer.effect(
    WatchlistStore,
    Effect.map(
      WatchlistStore,
      (inner): WatchlistStoreService => ({
        ...inner,
        entriesOfUsers: (users) => {
          spy.entriesOfUsersCalls.push(users);
          return inner.entriesOfUsers(users);
        },
        entriesByKey: (keys) => {
          spy.entriesByKeyCalls.push(keys);
          return inner.entriesByKey(keys);
        },
      }),
    ),
  );
  return Layer.mergeAll(spied, commands, spiedWatchlist.pipe(Layer.provide(commands)));
};

const newSpy = (): Spy => ({
  entriesOfUsersCalls: [],
  entriesByKeyCalls: [],
  putManyCalls: 0,
  failPutMany: 0,
  written: [],
});

const run = <A, E>(
  spy: Spy,
  body: Effect.Effect<A, E, Layer.Layer.Success<ReturnType<typeof world>> | Scope.Scope>,
) => Effect.runPromise(Effect.scoped(Effect.provide(body, world(spy))) as Effect.Effect<A, E>);

/** Starts the runner with the spied watchlist store (the runner must read through it). */
const startRunnerWith = (overrides: Partial<UserStatsRunnerConfig>) =>
  Effect.gen(function* () {
    const spiedStore = yield* WatchlistStore;
    return yield* startUserStatsRunner({ ...config, ...overrides }).pipe(
      Effect.provideService(WatchlistStore, spiedStore),
    );
  });
const startRunner = startRunnerWith({});

/** Nothing left to consume or publish: the outbox is empty and the group committed every record. */
const drained = Effect.gen(function* () {
  const log = yield* EventLog;
  const pending = yield* Effect.flatMap(WatchlistStore, (store) => store.pendingCount);
  expect(pending).toBe(0);
  const ends = yield* log.endOffsets(TOPIC);
  const committed = new Map(
    (yield* log.committedOffsets(config.groupId, TOPIC)).map((p) => [p.partition, p.offset]),
  );
  for (const end of ends) {
    if (end.offset !== "0")
      expect(committed.get(end.partition), `partition ${end.partition}`).toBe(end.offset);
  }
});

/**
 * Every given user's stored stats equal `computeUserStats` over the user's stored films (read with
 * `list`, not through the runner's own queries, which the spy counts).
 */
const statsMatchStore = (users: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const watchlist = yield* WatchlistStore;
    const stored = yield* UserStatsStore;
    for (const user of users) {
      const { entries } = yield* watchlist.list(user, { offset: 0, limit: 1000 });
      const doc = yield* stored.get(user);
      expect(Option.getOrThrow(doc).stats, user).toEqual(computeUserStats(entries));
    }
  });

describe("the user-stats runner", () => {
  describe("given three users who add and rate films", () => {
    it("when their events are consumed, then each user's stats are those of their stored films", async () => {
      const spy = newSpy();
      const stats = await run(
        spy,
        Effect.gen(function* () {
          const commands = yield* WatchlistCommands;
          yield* startRunner;
          yield* commands.add("ana", { movie: film(1), rating: 8 });
          yield* commands.add("ana", { movie: film(2), rating: 6 });
          yield* commands.add("ana", { movie: film(3) });
          yield* commands.add("ben", { movie: film(1), rating: 10 });
          yield* commands.add("cy", { movie: film(4), rating: 3 });
          yield* commands.update("cy", "ml-4", { rating: 5 });
          yield* commands.remove("ben", "ml-1");
          const users = yield* UserStatsStore;
          return yield* eventually(
            Effect.gen(function* () {
              const ana = Option.getOrThrow(yield* users.get("ana")).stats;
              const ben = Option.getOrThrow(yield* users.get("ben")).stats;
              const cy = Option.getOrThrow(yield* users.get("cy")).stats;
              expect([ana.total_watched, ben.total_watched, cy.total_watched]).toEqual([3, 0, 1]);
              expect(cy.avg_rating).toBe(5);
              return { ana, ben, cy };
            }),
          );
        }),
      );
      // Computed by hand from what was stored.
      expect(stats.ana.avg_rating).toBe(7);
      expect(stats.ana.rated_count).toBe(2);
      expect(stats.ana.watch_time_hours).toBe(Math.round(((91 + 92 + 93) / 60) * 10) / 10);
      expect(stats.ben.avg_rating).toBeNull();
      expect(spy.entriesOfUsersCalls.every((users) => new Set(users).size === users.length)).toBe(true);
    });
  });

  describe("given many events spread over partitions", () => {
    it("when they are consumed, then each micro-batch reads its users in one query and writes them in one call, not one per event", async () => {
      const spy = newSpy();
      const outcome = await run(
        spy,
        Effect.gen(function* () {
          const commands = yield* WatchlistCommands;
          for (let u = 0; u < 20; u++) {
            for (let f = 0; f < 5; f++) yield* commands.add(`user-${u}`, { movie: film(f), rating: 1 + f });
          }
          const users = yield* UserStatsStore;
          yield* startRunner;
          yield* eventually(
            Effect.forEach(
              Array.from({ length: 20 }, (_, u) => `user-${u}`),
              (u) =>
                Effect.map(users.get(u), (doc) => expect(Option.getOrThrow(doc).stats.total_watched).toBe(5)),
            ),
          );
          return {
            reads: spy.entriesOfUsersCalls.length + spy.entriesByKeyCalls.length,
            writes: spy.putManyCalls,
          };
        }),
      );
      // 100 events in partition batches of at most 7 (so at most ~20 batches): at most two reads
      // (whole lists of new users, touched entries of known ones) and one write per micro-batch,
      // never one per event or per user.
      expect(outcome.reads).toBeLessThanOrEqual(2 * outcome.writes);
      expect(outcome.writes).toBeLessThanOrEqual(20);
      expect(outcome.writes).toBeGreaterThan(0);
    });
  });

  describe("given the user_stats write fails twice", () => {
    it("when events arrive, then the batch is not committed, comes again, and the stats end up written", async () => {
      const spy = { ...newSpy(), failPutMany: 2 };
      const total = await run(
        spy,
        Effect.gen(function* () {
          const commands = yield* WatchlistCommands;
          yield* startRunner;
          yield* commands.add("dee", { movie: film(7), rating: 9 });
          const users = yield* UserStatsStore;
          return yield* eventually(
            Effect.map(users.get("dee"), (doc) => Option.getOrThrow(doc).stats.total_watched),
          );
        }),
      );
      expect(total).toBe(1);
      expect(spy.putManyCalls).toBeGreaterThanOrEqual(3);
    });
  });

  describe("given a poison record in the topic", () => {
    it("when it is consumed, then it goes to the dead-letter topic and the other users' stats are written", async () => {
      const spy = newSpy();
      const outcome = await run(
        spy,
        Effect.gen(function* () {
          const commands = yield* WatchlistCommands;
          const log = yield* EventLog;
          const control = yield* EventLogMemoryControl;
          yield* commands.add("eve", { movie: film(1) });
          yield* log.publish(TOPIC, [{ key: "eve", value: '{"event_type":"ADD","user_id":"eve"' }]);
          yield* commands.add("eve", { movie: film(2) });
          yield* startRunner;
          const users = yield* UserStatsStore;
          const total = yield* eventually(
            Effect.map(users.get("eve"), (doc) => {
              const stats = Option.getOrThrow(doc).stats;
              expect(stats.total_watched).toBe(2);
              return stats.total_watched;
            }),
          );
          const dead = yield* eventually(
            Effect.map(control.records(deadLetterTopic(TOPIC)), (records) => {
              expect(records.length).toBe(1);
              return records;
            }),
          );
          return { total, dead };
        }),
      );
      expect(outcome.total).toBe(2);
      expect(outcome.dead[0]?.headers["x-dead-letter-reason"]).toMatch(/malformed JSON/);
    });
  });

  describe("given users whose lists the runner already holds", () => {
    it("when they add, re-rate and remove films, then only the touched entries are read again and the stats equal their stored films", async () => {
      const spy = newSpy();
      const users = ["gus", "hal", "ivy"];
      const keysReadLater = await run(
        spy,
        Effect.gen(function* () {
          const commands = yield* WatchlistCommands;
          for (const user of users) {
            for (let f = 0; f < 6; f++) yield* commands.add(user, { movie: film(f), rating: 2 + f });
          }
          yield* startRunner;
          yield* eventually(Effect.zipRight(statsMatchStore(users), drained));
          const fullReadsBefore = spy.entriesOfUsersCalls.length;
          spy.entriesByKeyCalls.length = 0;
          yield* commands.add("gus", { movie: film(40), rating: 10 });
          yield* commands.update("hal", "ml-2", { rating: 1 });
          yield* commands.remove("ivy", "ml-3");
          yield* eventually(
            Effect.gen(function* () {
              yield* statsMatchStore(users);
              const ivy = Option.getOrThrow(yield* Effect.flatMap(UserStatsStore, (s) => s.get("ivy")));
              expect(ivy.stats.total_watched).toBe(5);
              yield* drained;
            }),
          );
          expect(spy.entriesOfUsersCalls.length).toBe(fullReadsBefore);
          return spy.entriesByKeyCalls.flat();
        }),
      );
      expect([...new Set(keysReadLater)].sort()).toEqual(["gus|ml-40", "hal|ml-2", "ivy|ml-3"]);
    });

    it("when an event changes none of a user's figures (the same rating again), then that user's stats are not written again", async () => {
      const spy = newSpy();
      const writtenLater = await run(
        spy,
        Effect.gen(function* () {
          const commands = yield* WatchlistCommands;
          yield* commands.add("kim", { movie: film(1), rating: 4 });
          yield* commands.add("lou", { movie: film(1), rating: 4 });
          yield* startRunner;
          yield* eventually(Effect.zipRight(statsMatchStore(["kim", "lou"]), drained));
          spy.written.length = 0;
          yield* commands.update("kim", "ml-1", { rating: 4 });
          yield* commands.add("lou", { movie: film(2), rating: 6 });
          yield* eventually(
            Effect.gen(function* () {
              yield* statsMatchStore(["kim", "lou"]);
              const lou = Option.getOrThrow(yield* Effect.flatMap(UserStatsStore, (s) => s.get("lou")));
              expect(lou.stats.total_watched).toBe(2);
              yield* drained;
            }),
          );
          return [...spy.written];
        }),
      );
      expect(writtenLater).toEqual(["lou"]);
    });

    it("when their partition was with another instance for a while and comes back, then the lists are read in full again and the stats stay exact", async () => {
      const spy = newSpy();
      const users = Array.from({ length: 9 }, (_, i) => `user-${i}`);
      await run(
        spy,
        Effect.gen(function* () {
          const commands = yield* WatchlistCommands;
          yield* startRunner;
          for (const user of users) yield* commands.add(user, { movie: film(1), rating: 4 });
          yield* eventually(statsMatchStore(users));
          // A second instance takes some partitions over; while it has them, every user changes.
          const other = yield* Scope.make();
          yield* Scope.extend(startRunner, other);
          for (const user of users) yield* commands.add(user, { movie: film(2), rating: 8 });
          yield* eventually(statsMatchStore(users));
          // It leaves: the first instance gets those partitions back, behind what it holds.
          yield* Scope.close(other, Exit.void);
          for (const user of users) yield* commands.update(user, "ml-1", { rating: 6 });
          yield* eventually(
            Effect.gen(function* () {
              yield* statsMatchStore(users);
              const stats = yield* Effect.flatMap(UserStatsStore, (s) => s.get(users[0]!));
              expect(Option.getOrThrow(stats).stats.total_watched).toBe(2);
            }),
          );
        }),
      );
    });
  });

  describe("given the cache turned off", () => {
    it("when users change, then every micro-batch reads the touched users' whole lists and the stats are the same", async () => {
      const spy = newSpy();
      await run(
        spy,
        Effect.gen(function* () {
          const commands = yield* WatchlistCommands;
          yield* startRunnerWith({ cacheEntries: 0 });
          yield* commands.add("jo", { movie: film(1), rating: 3 });
          yield* eventually(statsMatchStore(["jo"]));
          yield* commands.add("jo", { movie: film(2), rating: 5 });
          yield* eventually(statsMatchStore(["jo"]));
        }),
      );
      expect(spy.entriesByKeyCalls).toEqual([]);
      expect(spy.entriesOfUsersCalls.length).toBeGreaterThanOrEqual(2);
    });
  });
});

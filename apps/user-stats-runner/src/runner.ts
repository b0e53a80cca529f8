import { computeUserStats, jsonDecoderFor, type UserStatsDocument, WatchlistEvent } from "@cinematch/domain";
import {
  consumeDecoded,
  EventLog,
  type EventLogError,
  type MongoError,
  UserStatsStore,
  WatchlistStore,
} from "@cinematch/adapters";
import { Clock, Deferred, Duration, Effect, Exit, Layer, Option, Queue, type Scope } from "effect";
import { defaultUserStatsRunnerConfig, type UserStatsRunnerConfig } from "./config.ts";

/**
 * The user-stats runner: every watchlist event names a user whose statistics are stale. Partition
 * batches (decoded; poison records go to the dead-letter topic) hand their users to ONE writer,
 * which gathers them into a micro-batch (closed after `lingerMs` without a new partition batch,
 * `batchMs` after it opened, or at `maxUsers`), loads every touched user's entries in ONE query,
 * runs `computeUserStats`, and writes all documents in ONE bulk write to `user_stats`. Each
 * partition batch returns, and so has its offsets committed, only after the micro-batch holding its
 * users was written. Recomputing from the stored list is idempotent, so a redelivered batch (a crash
 * between the write and the commit) rewrites the same documents: at-least-once is enough here.
 */
export interface UserStatsRunnerCounters {
  readonly micro_batches: number;
  readonly users_recomputed: number;
  readonly events_seen: number;
  readonly dead_lettered: number;
  readonly write_failures: number;
}

export interface UserStatsRunnerHandle {
  readonly counters: Effect.Effect<UserStatsRunnerCounters>;
}

interface Request {
  readonly users: ReadonlyArray<string>;
  readonly done: Deferred.Deferred<void, MongoError>;
}

const decodeEvent = jsonDecoderFor(WatchlistEvent, "watchlist event");

/** Recomputes and writes the given users' statistics: one read, one bulk write. */
export const recomputeUsers = (users: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const watchlist = yield* WatchlistStore;
    const userStats = yield* UserStatsStore;
    const entries = yield* watchlist.entriesOfUsers(users);
    const now = yield* Clock.currentTimeMillis;
    const documents = users.map(
      (user_id): UserStatsDocument => ({
        user_id,
        stats: computeUserStats(entries.get(user_id) ?? []),
        last_updated: now,
      }),
    );
    yield* userStats.putMany(documents);
  });

/**
 * Starts the runner in the current scope and returns once its consumer joined the group; it runs
 * until the scope closes.
 */
export const startUserStatsRunner = (
  config: UserStatsRunnerConfig = defaultUserStatsRunnerConfig,
): Effect.Effect<
  UserStatsRunnerHandle,
  EventLogError,
  EventLog | WatchlistStore | UserStatsStore | Scope.Scope
> =>
  Effect.gen(function* () {
    const log = yield* EventLog;
    // The API's publisher creates the topic too; one that exists with another partition count is fine.
    yield* log
      .ensureTopic(config.topic, config.partitions)
      .pipe(Effect.catchAll((error) => Effect.logDebug("ensureTopic", error.message)));
    const requests = yield* Queue.unbounded<Request>();
    const counters = {
      micro_batches: 0,
      users_recomputed: 0,
      events_seen: 0,
      dead_lettered: 0,
      write_failures: 0,
    };

    const writer = Effect.gen(function* () {
      const first = yield* Queue.take(requests);
      const batch = [first];
      const users = new Set(first.users);
      const opened = yield* Clock.currentTimeMillis;
      while (users.size < config.maxUsers) {
        const left = opened + config.batchMs - (yield* Clock.currentTimeMillis);
        if (left <= 0) break;
        const next = yield* Queue.take(requests).pipe(
          Effect.timeout(Duration.millis(Math.min(config.lingerMs, left))),
          Effect.option,
        );
        if (Option.isNone(next)) break;
        batch.push(next.value);
        for (const user of next.value.users) users.add(user);
      }
      const exit = yield* Effect.exit(recomputeUsers([...users]));
      if (Exit.isSuccess(exit)) {
        counters.micro_batches += 1;
        counters.users_recomputed += users.size;
      } else {
        counters.write_failures += 1;
        yield* Effect.logWarning(
          "user stats micro-batch failed; its partition batches will come again",
          exit.cause,
        );
      }
      for (const request of batch) yield* Deferred.done(request.done, exit);
    }).pipe(Effect.forever, Effect.annotateLogs({ runner: "user-stats" }));
    yield* Effect.forkScoped(writer);

    yield* consumeDecoded({
      log,
      groupId: config.groupId,
      topic: config.topic,
      fromBeginning: true,
      decode: decodeEvent,
      handleBatch: (batch) =>
        Effect.gen(function* () {
          counters.events_seen += batch.records.length;
          counters.dead_lettered += batch.deadLettered;
          const users = [...new Set(batch.records.map(({ value }) => value.user_id))];
          if (users.length === 0) return;
          const done = yield* Deferred.make<void, MongoError>();
          yield* Queue.offer(requests, { users, done });
          yield* Deferred.await(done);
        }),
    });
    yield* Effect.logInfo("user-stats runner consuming").pipe(
      Effect.annotateLogs({ topic: config.topic, groupId: config.groupId }),
    );
    return { counters: Effect.sync(() => ({ ...counters })) };
  });

/**
 * The runner as a layer (for the one-process embedded composition): it starts when the layer is
 * built and stops when the layer's scope closes. Provide an `EventLog`, a `WatchlistStore` and a
 * `UserStatsStore` (in-memory or real).
 */
export const UserStatsRunnerLive = (
  config: UserStatsRunnerConfig = defaultUserStatsRunnerConfig,
): Layer.Layer<never, EventLogError, EventLog | WatchlistStore | UserStatsStore> =>
  Layer.scopedDiscard(startUserStatsRunner(config));

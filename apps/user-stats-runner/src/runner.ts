import { computeUserStats, decodeWatchlistEventJson, type UserStatsDocument } from "@cinematch/domain";
import {
  consumeDecoded,
  EventLog,
  type EventLogError,
  type StoreUnavailable,
  UserStatsStore,
  WatchlistStore,
  watchlistEntryKey,
} from "@cinematch/adapters";
import { Clock, Deferred, Duration, Effect, Exit, Layer, Option, Queue, type Scope } from "effect";
import { defaultUserStatsRunnerConfig, type UserStatsRunnerConfig } from "./config.ts";
import { UserLibraryCache } from "./library-cache.ts";

/**
 * The user-stats runner: every watchlist event names a user whose statistics are stale. Partition
 * batches (decoded; poison records go to the dead-letter topic) hand their users to ONE writer,
 * which gathers them into a micro-batch (closed after `lingerMs` without a new partition batch,
 * `batchMs` after it opened, or at `maxUsers`), reads the touched users' entries (whole lists in ONE
 * query for users it does not hold yet, only the touched entries in ONE query for those it does:
 * `library-cache.ts`), runs `computeUserStats`, and writes all documents in ONE bulk write. Each
 * partition batch returns, and so has its offsets committed, only after the micro-batch holding its
 * users was written. Recomputing from the stored list is idempotent, so a redelivered batch (a crash
 * between the write and the commit) rewrites the same documents: at-least-once is enough here.
 */
export interface UserStatsRunnerCounters {
  readonly micro_batches: number;
  readonly users_recomputed: number;
  /** Users whose recomputed statistics differed from what this instance last wrote for them. */
  readonly users_written: number;
  /** Where the micro-batches' time went (clock ms): the store reads, `computeUserStats`, the bulk writes. */
  readonly read_ms: number;
  readonly compute_ms: number;
  readonly write_ms: number;
  readonly events_seen: number;
  readonly dead_lettered: number;
  readonly write_failures: number;
}

export interface UserStatsRunnerHandle {
  readonly counters: Effect.Effect<UserStatsRunnerCounters>;
}

interface Request {
  readonly partition: number;
  /** Offset of the batch's first decoded record and of its last record. */
  readonly firstOffset: string;
  readonly lastOffset: string;
  /** Each event's user and film, in offset order. */
  readonly touched: ReadonlyArray<{ readonly user_id: string; readonly movie_id: string }>;
  readonly done: Deferred.Deferred<void, StoreUnavailable>;
}

export interface MicroBatchResult {
  readonly recomputed: number;
  readonly written: number;
  readonly readMs: number;
  readonly computeMs: number;
  readonly writeMs: number;
}

/**
 * Recomputes and writes the statistics of a micro-batch's users: at most two reads (the whole
 * lists of users not in the cache, the touched entries of those in it) and one bulk write of the
 * users whose statistics changed since this instance last wrote them (a redelivered batch, or an
 * event that changes no figure, costs no write: the server's writer is the pipeline's bottleneck).
 */
export const recomputeMicroBatch = (requests: ReadonlyArray<Request>, cache: UserLibraryCache) =>
  Effect.gen(function* () {
    const startedAt = yield* Clock.currentTimeMillis;
    const watchlist = yield* WatchlistStore;
    const userStats = yield* UserStatsStore;
    for (const request of requests) cache.continueFrom(request.partition, request.firstOffset);
    const partitionOf = new Map<string, number>();
    const touchedKeys = new Map<string, { readonly user_id: string; readonly movie_id: string }>();
    for (const request of requests) {
      for (const touched of request.touched) {
        partitionOf.set(touched.user_id, request.partition);
        touchedKeys.set(watchlistEntryKey(touched.user_id, touched.movie_id), touched);
      }
    }
    const users = [...partitionOf.keys()];
    const held = (user: string) => cache.holds(user, partitionOf.get(user)!);
    const cold = users.filter((user) => !held(user));
    const warmKeys = [...touchedKeys].filter(([, { user_id }]) => held(user_id)).map(([key]) => key);
    const [lists, current] = yield* Effect.all(
      [
        cold.length === 0 ? Effect.succeed(new Map()) : watchlist.entriesOfUsers(cold),
        warmKeys.length === 0 ? Effect.succeed(new Map()) : watchlist.entriesByKey(warmKeys),
      ],
      { concurrency: 2 },
    );
    for (const user of cold) cache.fill(user, partitionOf.get(user)!, lists.get(user) ?? []);
    for (const key of warmKeys) {
      const { user_id, movie_id } = touchedKeys.get(key)!;
      cache.refresh(user_id, movie_id, current.get(key) ?? Option.none());
    }
    for (const request of requests) cache.consumed(request.partition, request.lastOffset);
    const readAt = yield* Clock.currentTimeMillis;
    const documents: Array<UserStatsDocument> = [];
    const fingerprints: Array<readonly [string, string]> = [];
    for (const user_id of users) {
      const stats = computeUserStats(cache.entriesOf(user_id));
      const fingerprint = JSON.stringify(stats);
      if (cache.writtenStatsOf(user_id) === fingerprint) continue;
      documents.push({ user_id, stats, last_updated: readAt });
      fingerprints.push([user_id, fingerprint]);
    }
    const computedAt = yield* Clock.currentTimeMillis;
    yield* userStats.putMany(documents);
    // Only once written: a failed write must not make the retry skip these users.
    for (const [user_id, fingerprint] of fingerprints) cache.noteWritten(user_id, fingerprint);
    cache.trim();
    const writtenAt = yield* Clock.currentTimeMillis;
    return {
      recomputed: users.length,
      written: documents.length,
      readMs: readAt - startedAt,
      computeMs: computedAt - readAt,
      writeMs: writtenAt - computedAt,
    } satisfies MicroBatchResult;
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
      users_written: 0,
      read_ms: 0,
      compute_ms: 0,
      write_ms: 0,
      events_seen: 0,
      dead_lettered: 0,
      write_failures: 0,
    };

    const cache = new UserLibraryCache(config.cacheEntries);
    const writer = Effect.gen(function* () {
      const first = yield* Queue.take(requests);
      const batch = [first];
      const users = new Set(first.touched.map((t) => t.user_id));
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
        for (const touched of next.value.touched) users.add(touched.user_id);
      }
      const exit = yield* Effect.exit(recomputeMicroBatch(batch, cache));
      if (Exit.isSuccess(exit)) {
        counters.micro_batches += 1;
        counters.users_recomputed += exit.value.recomputed;
        counters.users_written += exit.value.written;
        counters.read_ms += exit.value.readMs;
        counters.compute_ms += exit.value.computeMs;
        counters.write_ms += exit.value.writeMs;
      } else {
        counters.write_failures += 1;
        yield* Effect.logWarning(
          "user stats micro-batch failed; its partition batches will come again",
          exit.cause,
        );
      }
      for (const request of batch) yield* Deferred.done(request.done, Exit.asVoid(exit));
    }).pipe(Effect.forever, Effect.annotateLogs({ runner: "user-stats" }));
    yield* Effect.forkScoped(writer);

    yield* consumeDecoded({
      log,
      groupId: config.groupId,
      topic: config.topic,
      fromBeginning: true,
      decode: decodeWatchlistEventJson,
      handleBatch: (batch) =>
        Effect.gen(function* () {
          counters.events_seen += batch.records.length;
          counters.dead_lettered += batch.deadLettered;
          const first = batch.records[0];
          if (first === undefined) return;
          const done = yield* Deferred.make<void, StoreUnavailable>();
          yield* Queue.offer(requests, {
            partition: batch.partition,
            firstOffset: first.record.offset,
            lastOffset: batch.lastOffset,
            touched: batch.records.map(({ value }) => ({
              user_id: value.user_id,
              movie_id: value.movie.movie_id,
            })),
            done,
          });
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

import { computeUserStats, decodeWatchlistEventJson, type UserStatsDocument } from "@cinematch/domain";
import {
  consumeDecoded,
  EventLog,
  type EventLogError,
  type StoreUnavailable,
  type OwnershipClaim,
  ownerToken,
  PartitionOwnership,
  UserStatsStore,
  WatchlistStore,
  watchlistEntryKey,
} from "@cinematch/adapters";
import { Clock, Data, Deferred, Duration, Effect, Exit, Layer, Option, Queue, type Scope } from "effect";
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
 *
 * OWNERSHIP. A partition is claimed (`PartitionOwnership`, the next epoch) on its first batch here,
 * and every user's document is written under its partition's epoch; a read takes the highest
 * epoch's. Before a micro-batch is written, and again right after, each of its partitions is
 * checked to be still this process's latest epoch: a partition another instance took over is
 * dropped (its batches fail, uncommitted, and go to the new owner), and a write found superseded
 * right after is logged as fenced. Such a late write lands under the old epoch: the new owner has
 * recomputed those users (their batches were not committed) under its own, which reads rank higher.
 */
export interface UserStatsRunnerCounters {
  readonly claims: number;
  readonly lost: number;
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

/** Another instance owns the partition now; its batch stays uncommitted and goes to that owner. */
export class PartitionNotOwned extends Data.TaggedError("PartitionNotOwned")<{
  readonly partition: number;
  readonly reason: string;
}> {}

interface Request {
  readonly partition: number;
  /** This process's claim on the partition when the batch came. */
  readonly claim: OwnershipClaim;
  /** Offset of the batch's first decoded record and of its last record. */
  readonly firstOffset: string;
  readonly lastOffset: string;
  /** Each event's user and film, in offset order. */
  readonly touched: ReadonlyArray<{ readonly user_id: string; readonly movie_id: string }>;
  readonly done: Deferred.Deferred<void, StoreUnavailable | PartitionNotOwned>;
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
    const epochOf = new Map(requests.map((request) => [request.partition, request.claim.epoch]));
    const documents: Array<UserStatsDocument & { readonly epoch: number }> = [];
    const fingerprints: Array<readonly [string, string]> = [];
    for (const user_id of users) {
      const stats = computeUserStats(cache.entriesOf(user_id));
      const epoch = epochOf.get(partitionOf.get(user_id)!)!;
      // The epoch is part of it: under a new epoch the user's document must be written again, or a
      // superseded owner's late write under the old epoch would be the one readers take.
      const fingerprint = `${epoch}:${JSON.stringify(stats)}`;
      if (cache.writtenStatsOf(user_id) === fingerprint) continue;
      documents.push({ user_id, stats, last_updated: readAt, epoch });
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
  EventLog | WatchlistStore | UserStatsStore | PartitionOwnership | Scope.Scope
> =>
  Effect.gen(function* () {
    const log = yield* EventLog;
    const ownership = yield* PartitionOwnership;
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
      claims: 0,
      lost: 0,
    };
    /** The partitions this process owns, by the claim it holds. */
    const claims = new Map<number, OwnershipClaim>();
    const stillOwned = (claim: OwnershipClaim) =>
      Effect.map(
        ownership.current(config.groupId, claim.partition),
        (current) => Option.isSome(current) && current.value.epoch === claim.epoch,
      );
    const lose = (claim: OwnershipClaim, reason: string) =>
      Effect.gen(function* () {
        if (claims.get(claim.partition)?.epoch !== claim.epoch) return;
        claims.delete(claim.partition);
        counters.lost += 1;
        yield* Effect.logWarning("user-stats partition lost").pipe(
          Effect.annotateLogs({ partition: claim.partition, owner: ownerToken(claim), reason }),
        );
      });
    /** Splits a micro-batch into the requests of partitions still owned and those lost meanwhile. */
    const owned = (requests: ReadonlyArray<Request>) =>
      Effect.gen(function* () {
        const verdict = new Map<number, boolean>();
        for (const request of requests) {
          if (!verdict.has(request.partition))
            verdict.set(request.partition, yield* stillOwned(request.claim));
        }
        return {
          kept: requests.filter((r) => verdict.get(r.partition)),
          lost: requests.filter((r) => !verdict.get(r.partition)),
        };
      });

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
      const before = yield* Effect.exit(owned(batch));
      if (Exit.isFailure(before)) {
        for (const request of batch) yield* Deferred.done(request.done, Exit.asVoid(before));
        return;
      }
      for (const request of before.value.lost) {
        yield* lose(request.claim, "superseded");
        yield* Deferred.fail(
          request.done,
          new PartitionNotOwned({ partition: request.partition, reason: "superseded" }),
        );
      }
      const kept = before.value.kept;
      if (kept.length === 0) return;
      const started = yield* Clock.currentTimeNanos;
      const exit = yield* Effect.exit(recomputeMicroBatch(kept, cache));
      if (Exit.isSuccess(exit)) {
        counters.micro_batches += 1;
        counters.users_recomputed += exit.value.recomputed;
        counters.users_written += exit.value.written;
        counters.read_ms += exit.value.readMs;
        counters.compute_ms += exit.value.computeMs;
        counters.write_ms += exit.value.writeMs;
        // Checked again: a write that landed after another instance claimed the partition is
        // logged as fenced (readers take the newer epoch's documents) and its batches fail.
        const after = yield* Effect.exit(owned(kept));
        const fenced = new Set(Exit.isSuccess(after) ? after.value.lost.map((r) => r.partition) : []);
        const partitions = new Map(kept.map((request) => [request.partition, request]));
        for (const [partition, request] of partitions) {
          yield* Effect.logInfo(
            fenced.has(partition) ? "user-stats state write fenced" : "user-stats state write",
          ).pipe(
            Effect.annotateLogs({
              partition,
              owner: ownerToken(request.claim),
              epoch: request.claim.epoch,
              started_ns: started.toString(),
              applied: request.lastOffset,
            }),
          );
          if (fenced.has(partition)) yield* lose(request.claim, "superseded while writing");
        }
        for (const request of kept) {
          yield* Deferred.done(
            request.done,
            fenced.has(request.partition)
              ? Exit.fail(
                  new PartitionNotOwned({ partition: request.partition, reason: "superseded while writing" }),
                )
              : Exit.void,
          );
        }
        return;
      }
      counters.write_failures += 1;
      yield* Effect.logWarning(
        "user stats micro-batch failed; its partition batches will come again",
        exit.cause,
      );
      for (const request of kept) yield* Deferred.done(request.done, Exit.asVoid(exit));
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
          let claim = claims.get(batch.partition);
          if (claim === undefined) {
            // Lazily, on the partition's first batch here (again after losing it).
            claim = yield* ownership.claim(config.groupId, batch.partition, config.instanceId);
            claims.set(batch.partition, claim);
            counters.claims += 1;
            cache.forgetPartition(batch.partition);
            yield* Effect.logInfo("user-stats partition claimed").pipe(
              Effect.annotateLogs({ partition: batch.partition, owner: ownerToken(claim) }),
            );
          }
          const done = yield* Deferred.make<void, StoreUnavailable | PartitionNotOwned>();
          yield* Queue.offer(requests, {
            partition: batch.partition,
            claim,
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
): Layer.Layer<never, EventLogError, EventLog | WatchlistStore | UserStatsStore | PartitionOwnership> =>
  Layer.scopedDiscard(startUserStatsRunner(config));

import {
  consumeDecoded,
  EventLog,
  type EventLogError,
  GlobalStatsStore,
  type StoreUnavailable,
  PartitionOwnership,
  TrendsStateStore,
  WatchlistStore,
} from "@cinematch/adapters";
import { decodeWatchlistEventJson, type PartitionTrendState, type TrendConfig } from "@cinematch/domain";
import { Effect, Layer, type Scope } from "effect";
import { defaultTrendsRunnerConfig, type TrendsRunnerConfig } from "./config.ts";
import { makeBatchHandler } from "./runner/batch.ts";
import { makeBootstrap } from "./runner/bootstrap.ts";
import { makeOutputScheduler } from "./runner/output.ts";
import { makeCounters, makePartitionSlots, makePartitionState } from "./runner/partitions.ts";

export type { TrendsRunnerCounters } from "./runner/partitions.ts";
import type { TrendsRunnerCounters } from "./runner/partitions.ts";

/**
 * The trends runner: community trends (7d, 30d, all-time) from the watchlist events, exactly once
 * in effect, without transactions.
 *
 * STATE. One `PartitionTrendState` per log partition (the domain's reducers), saved as bounded
 * documents (`TrendsStateStore`): a piece per (partition, film) carrying the offset applied to that
 * film and its recent event ids, and a checkpoint per partition. The consumer group's committed
 * offset is only a hint: every record at or below a partition's applied offset is skipped (by
 * `applyEvents`), and a republished event (same id, later offset) is dropped within the dedup horizon.
 *
 * SAVING A BATCH. Apply in memory → write the changed pieces (a bulk write that may stop half-way)
 * → write the checkpoint → return, which commits the group offset. A crash:
 * - mid pieces: some pieces are ahead of the checkpoint; after the restart every film skips the
 *   events it already holds (its own applied offset) and the others apply them;
 * - between the checkpoint and the offset commit: the batch comes again and is skipped;
 * - after the commit: nothing to redo.
 * A failed write (not a crash) marks the partition for a reload from the store before its next
 * batch: the same path as a restart.
 *
 * BOOTSTRAP (a partition with no complete checkpoint): its old pieces are deleted, then the start
 * positions are taken FIRST (where the consumer group will resume: its committed offset, or the
 * log's end), then the stored entries are read — ALL of them, tombstones included, because the
 * all-time window counts every entry still in a watchlist (the 7d/30d windows only need the last
 * `retentionDays`; one full read at bootstrap is the price of an exact all-time count) — waiting
 * up to `bootstrapPendingWaitMs` for entries whose events were published but whose positions are
 * not yet recorded. An entry counts iff its ADD landed before the start position and no DELETE did
 * (the domain's `startBootstrap`). All pieces are written, THEN the checkpoints marked complete;
 * a crash before that leaves "pieces without a complete checkpoint", which the next start clears
 * and bootstraps again. `global_stats` is then written with `source: "bootstrap"`.
 *
 * OUTPUT. After each applied batch (debounced by `outputDebounceMs`) and whenever the UTC day
 * changes with no event, `global_stats` gets one document per window, ranked over the SUM of every
 * partition's counts. Partitions another instance of the group advanced (their saved checkpoint
 * is ahead of the state in memory) are reloaded from the store first, so the output always merges
 * every partition: one small read of the checkpoints per output, plus the pieces of a partition
 * only when it moved elsewhere.
 *
 * Assumed: one bootstrapping instance at a time (start the first instance alone after wiping the
 * state); see the README.
 *
 * ROOMS. `runner/partitions.ts` (what this process holds of each partition, and loading/saving it),
 * `runner/bootstrap.ts`, `runner/output.ts` (the debounced output and the midnight slide),
 * `runner/batch.ts` (one partition's batch); this file wires them and starts consuming.
 */
export interface TrendsRunnerHandle {
  readonly counters: Effect.Effect<TrendsRunnerCounters>;
  /** The partitions' states as they are in memory (a copy is not made: read, don't keep). */
  readonly states: Effect.Effect<ReadonlyArray<PartitionTrendState>>;
  /** Writes `global_stats` now (tests, and the embedded composition's demo). */
  readonly writeOutput: Effect.Effect<void, StoreUnavailable | EventLogError>;
}

type Deps = EventLog | WatchlistStore | TrendsStateStore | GlobalStatsStore | PartitionOwnership;

export const startTrendsRunner = (
  config: TrendsRunnerConfig = defaultTrendsRunnerConfig,
): Effect.Effect<TrendsRunnerHandle, EventLogError | StoreUnavailable, Deps | Scope.Scope> =>
  Effect.gen(function* () {
    const log = yield* EventLog;
    const watchlist = yield* WatchlistStore;
    const store = yield* TrendsStateStore;
    const output = yield* GlobalStatsStore;
    const ownership = yield* PartitionOwnership;
    const trendConfig: TrendConfig = {
      retention_days: config.retentionDays,
      dedup_horizon_ms: config.dedupHorizonMs,
    };
    const counters = makeCounters();
    const slots = makePartitionSlots();
    const bootstrap = makeBootstrap({ config, trendConfig, log, watchlist, store, counters });
    let scheduler: Effect.Effect.Success<ReturnType<typeof makeOutputScheduler>> | undefined;
    const partitionState = makePartitionState({
      groupId: config.groupId,
      instanceId: config.instanceId,
      store,
      ownership,
      trendConfig,
      counters,
      bootstrap,
      onBootstrapped: Effect.suspend(() => scheduler?.bootstrapped ?? Effect.void),
    });
    scheduler = yield* makeOutputScheduler({
      config,
      trendConfig,
      store,
      output,
      slots,
      partitionState,
      counters,
    });

    // The API's publisher creates the topic too; one that exists with another partition count is fine.
    yield* log
      .ensureTopic(config.topic, config.partitions)
      .pipe(Effect.catchAll((error) => Effect.logDebug("ensureTopic", error.message)));

    // Nothing is bootstrapped here: each partition is claimed, and loaded or bootstrapped, on its
    // first batch in this process. The first output shows what the other owners saved.
    yield* scheduler.writeOutputAs("streaming_incremental");
    yield* scheduler.run;

    yield* consumeDecoded({
      log,
      groupId: config.groupId,
      topic: config.topic,
      fromBeginning: true,
      decode: decodeWatchlistEventJson,
      handleBatch: makeBatchHandler({
        slots,
        partitionState,
        counters,
        signalOutput: scheduler.signalOutput,
      }),
    });
    yield* Effect.logInfo("trends runner consuming").pipe(
      Effect.annotateLogs({ topic: config.topic, groupId: config.groupId, instance: config.instanceId }),
    );

    return {
      counters: Effect.sync(() => ({ ...counters })),
      states: Effect.sync(() => slots.states()),
      writeOutput: scheduler.writeOutputAs("streaming_incremental"),
    };
  });

/**
 * The runner as a layer (for the one-process embedded composition): bootstraps when built, runs
 * until the layer's scope closes. Provide an `EventLog`, a `WatchlistStore`, a `TrendsStateStore`
 * and a `GlobalStatsStore` (in-memory or real).
 */
export const TrendsRunnerLive = (
  config: TrendsRunnerConfig = defaultTrendsRunnerConfig,
): Layer.Layer<never, EventLogError | StoreUnavailable, Deps> =>
  Layer.scopedDiscard(startTrendsRunner(config));

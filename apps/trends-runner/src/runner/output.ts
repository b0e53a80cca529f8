import type {
  GlobalStatsStoreService,
  TrendPartitionCheckpoint,
  TrendsStateStoreService,
} from "@cinematch/adapters";
import {
  compareOffsets,
  fromPieces,
  type GlobalStatsDocument,
  globalStatsDocument,
  TREND_WINDOWS,
  type TrendConfig,
  utcDayOf,
} from "@cinematch/domain";
import { Clock, Duration, Effect, Queue, Schedule } from "effect";
import type { TrendsRunnerConfig } from "../config.ts";
import type { Counters, PartitionSlots, PartitionState, Slot } from "./partitions.ts";

/**
 * The output scheduler: `global_stats` after applied batches (debounced) and when the UTC day
 * changes with no event, ranked over the sum of every partition's counts: the partitions this
 * process owns from memory, every other one from its latest saved state.
 */
export interface OutputDeps {
  readonly config: TrendsRunnerConfig;
  readonly trendConfig: TrendConfig;
  readonly store: TrendsStateStoreService;
  readonly output: GlobalStatsStoreService;
  readonly slots: PartitionSlots;
  readonly partitionState: PartitionState;
  readonly counters: Counters;
}

const sameCheckpoint = (a: TrendPartitionCheckpoint, b: TrendPartitionCheckpoint) =>
  a.bootstrap_complete === b.bootstrap_complete &&
  (a.epoch ?? 0) === (b.epoch ?? 0) &&
  compareOffsets(a.checkpoint.applied_offset, b.checkpoint.applied_offset) === 0;

export const makeOutputScheduler = (deps: OutputDeps) =>
  Effect.gen(function* () {
    const { config, trendConfig, store, output, slots, partitionState, counters } = deps;
    let lastOutputDay = Number.NaN;
    let lastForeignRead = Number.NEGATIVE_INFINITY;
    let nextSource: GlobalStatsDocument["source"] = "streaming_incremental";
    const outputRequested = yield* Queue.sliding<void>(1);
    const signalOutput = Queue.offer(outputRequested, undefined);

    const isStale = (slot: Slot, saved: TrendPartitionCheckpoint) =>
      slot.state === undefined ||
      slot.needsReload ||
      (saved.epoch ?? 0) !== slot.heldEpoch ||
      compareOffsets(saved.checkpoint.applied_offset, slot.savedOffset) !== 0;

    /**
     * Brings every partition this process does not own up to its latest saved state (one read of
     * the checkpoints, and one read of the pieces of those that moved); notices partitions it
     * owned that another instance took over. Returns the checkpoints it saw, and whether every
     * partition is now up to date: the pieces are read at most once per `foreignRefreshMs`, as on
     * FerretDB that read scans the whole collection, and every instance does it.
     */
    const refreshForeignPartitions = Effect.gen(function* () {
      const saved = yield* store.checkpoints;
      const stale: Array<{ readonly slot: Slot; readonly saved: TrendPartitionCheckpoint }> = [];
      for (const checkpoint of saved) {
        if (!checkpoint.bootstrap_complete) continue;
        const slot = slots.slotOf(checkpoint.checkpoint.partition);
        const claim = slot.claim;
        if (claim !== undefined) {
          if ((checkpoint.epoch ?? 0) <= claim.epoch) continue; // owned here: memory is the latest
          yield* slot.lock.withPermits(1)(partitionState.release(slot, "a later epoch saved its state"));
        }
        if (isStale(slot, checkpoint)) stale.push({ slot, saved: checkpoint });
      }
      if (stale.length > 0) {
        const now = yield* Clock.currentTimeMillis;
        if (now - lastForeignRead < config.foreignRefreshMs) return { saved, complete: false };
        lastForeignRead = now;
        const pieces = yield* store.piecesOfPartitions(
          stale.map(({ slot }) => slot.partition),
          new Map(stale.map(({ slot, saved }) => [slot.partition, saved.base_epoch ?? 0])),
        );
        for (const { slot, saved } of stale) {
          yield* slot.lock.withPermits(1)(
            Effect.sync(() => {
              // Claimed meanwhile: then its state in memory is newer than what was read.
              if (slot.claim !== undefined) return;
              const state = fromPieces(saved.checkpoint, pieces.get(slot.partition) ?? [], trendConfig);
              partitionState.hold(slot, saved, state);
              counters.reloads += 1;
            }),
          );
        }
      }
      return { saved, complete: true };
    });

    const writeOutputAs = (source: GlobalStatsDocument["source"]) =>
      Effect.gen(function* () {
        const { saved: used, complete } = yield* refreshForeignPartitions;
        const now = yield* Clock.currentTimeMillis;
        const states = slots.states();
        yield* output.putMany(
          TREND_WINDOWS.map((window) => globalStatsDocument(states, window, now, source)),
        );
        lastOutputDay = utcDayOf(now);
        counters.outputs_written += 1;
        // Several instances write this document; the last write must not be an older view (another
        // instance saving meanwhile, or this one having been paused): look again, write again.
        const after = yield* store.checkpoints;
        const moved =
          after.length !== used.length ||
          after.some((checkpoint, i) => !sameCheckpoint(checkpoint, used[i]!));
        if (moved || !complete) yield* signalOutput;
      });

    const outputLoop = Effect.gen(function* () {
      yield* Queue.take(outputRequested);
      if (config.outputDebounceMs > 0) yield* Effect.sleep(Duration.millis(config.outputDebounceMs));
      yield* Queue.takeAll(outputRequested);
      const source = nextSource;
      nextSource = "streaming_incremental";
      yield* writeOutputAs(source).pipe(
        Effect.retry(
          Schedule.exponential(Duration.millis(100)).pipe(Schedule.union(Schedule.spaced("5 seconds"))),
        ),
      );
    }).pipe(Effect.forever);

    // The windows slide at UTC midnight: write the output then even if no event arrives.
    const slideLoop = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis;
      const untilMidnight = (utcDayOf(now) + 1) * 86_400_000 - now + 1;
      yield* Effect.sleep(Duration.millis(Math.max(1, Math.min(config.slideCheckMs, untilMidnight))));
      if (utcDayOf(yield* Clock.currentTimeMillis) !== lastOutputDay) yield* signalOutput;
    }).pipe(Effect.forever);

    /** Forks both loops into the caller's scope. */
    const run = Effect.gen(function* () {
      yield* Effect.forkScoped(outputLoop.pipe(Effect.annotateLogs({ runner: "trends" })));
      yield* Effect.forkScoped(slideLoop);
    });

    /** The next output says `source: "bootstrap"` (a partition's state was just built from the entries). */
    const bootstrapped = Effect.zipRight(
      Effect.sync(() => {
        nextSource = "bootstrap";
      }),
      signalOutput,
    );

    return { signalOutput, writeOutputAs, run, bootstrapped };
  });

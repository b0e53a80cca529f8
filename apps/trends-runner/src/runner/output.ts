import type { GlobalStatsStoreService, TrendsStateStoreService } from "@cinematch/adapters";
import {
  compareOffsets,
  type GlobalStatsDocument,
  globalStatsDocument,
  TREND_WINDOWS,
  utcDayOf,
} from "@cinematch/domain";
import { Clock, Duration, Effect, Option, Queue, Schedule } from "effect";
import type { TrendsRunnerConfig } from "../config.ts";
import type { Counters, PartitionSlots, PartitionState } from "./partitions.ts";

/**
 * The output scheduler: `global_stats` after applied batches (debounced) and when the UTC day
 * changes with no event, ranked over the sum of every partition's counts.
 */
export interface OutputDeps {
  readonly config: TrendsRunnerConfig;
  readonly store: TrendsStateStoreService;
  readonly output: GlobalStatsStoreService;
  readonly slots: PartitionSlots;
  readonly partitionState: PartitionState;
  readonly counters: Counters;
}

export const makeOutputScheduler = ({ config, store, output, slots, partitionState, counters }: OutputDeps) =>
  Effect.gen(function* () {
    let lastOutputDay = Number.NaN;
    const outputRequested = yield* Queue.sliding<void>(1);
    const signalOutput = Queue.offer(outputRequested, undefined);

    /** Reloads partitions another instance advanced, so the output merges every partition. */
    const refreshForeignPartitions = Effect.gen(function* () {
      const saved = yield* store.checkpoints;
      for (const { checkpoint, bootstrap_complete } of saved) {
        if (!bootstrap_complete) continue;
        const slot = slots.slotOf(checkpoint.partition);
        if (slot.state !== undefined && compareOffsets(checkpoint.applied_offset, slot.savedOffset) <= 0)
          continue;
        yield* slot.lock.withPermits(1)(
          Effect.gen(function* () {
            const again = yield* store.checkpointOf(slot.partition);
            if (
              Option.isSome(again) &&
              (slot.state === undefined ||
                compareOffsets(again.value.checkpoint.applied_offset, slot.savedOffset) > 0)
            ) {
              yield* partitionState.load(slot);
            }
          }),
        );
      }
    });

    const writeOutputAs = (source: GlobalStatsDocument["source"]) =>
      Effect.gen(function* () {
        if (config.verifyOwnership) yield* refreshForeignPartitions;
        const now = yield* Clock.currentTimeMillis;
        const states = slots.states();
        yield* output.putMany(
          TREND_WINDOWS.map((window) => globalStatsDocument(states, window, now, source)),
        );
        lastOutputDay = utcDayOf(now);
        counters.outputs_written += 1;
      });

    const outputLoop = Effect.gen(function* () {
      yield* Queue.take(outputRequested);
      if (config.outputDebounceMs > 0) yield* Effect.sleep(Duration.millis(config.outputDebounceMs));
      yield* Queue.takeAll(outputRequested);
      yield* writeOutputAs("streaming_incremental").pipe(
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

    return { signalOutput, writeOutputAs, run };
  });

import type { DecodedBatch, TrendsStateStoreService } from "@cinematch/adapters";
import {
  applyEvents,
  compareOffsets,
  type PositionedEvent,
  takeChanges,
  type WatchlistEvent,
} from "@cinematch/domain";
import { Clock, Effect, Option } from "effect";
import type { TrendsRunnerConfig } from "../config.ts";
import type { Counters, PartitionSlots, PartitionState } from "./partitions.ts";

/** The batch handler: applies one partition's decoded batch in memory and saves what changed. */
export interface BatchDeps {
  readonly config: TrendsRunnerConfig;
  readonly store: TrendsStateStoreService;
  readonly slots: PartitionSlots;
  readonly partitionState: PartitionState;
  readonly counters: Counters;
  readonly signalOutput: Effect.Effect<unknown>;
}

export const makeBatchHandler =
  ({ config, store, slots, partitionState, counters, signalOutput }: BatchDeps) =>
  (batch: DecodedBatch<WatchlistEvent>) => {
    const slot = slots.slotOf(batch.partition);
    return slot.lock.withPermits(1)(
      Effect.gen(function* () {
        counters.dead_lettered += batch.deadLettered;
        if (slot.state === undefined || slot.needsReload) yield* partitionState.load(slot);
        else if (config.verifyOwnership) {
          // Another instance may have owned this partition meanwhile: its checkpoint is newer.
          const current = yield* store.checkpointOf(slot.partition);
          if (
            Option.isNone(current) ||
            compareOffsets(current.value.checkpoint.applied_offset, slot.savedOffset) !== 0
          ) {
            yield* partitionState.load(slot);
          }
        }
        const state = slot.state;
        if (state === undefined)
          return yield* Effect.dieMessage(`no trend state for partition ${slot.partition}`);
        const events: Array<PositionedEvent> = batch.records.map(({ record, value }) => ({
          offset: record.offset,
          event: value,
        }));
        const now = yield* Clock.currentTimeMillis;
        applyEvents(state, events, now);
        counters.batches += 1;
        counters.events_applied += events.length;
        yield* signalOutput;
        const changes = takeChanges(state);
        if (
          changes.upserts.length > 0 ||
          changes.removals.length > 0 ||
          changes.checkpoint.applied_offset !== slot.savedOffset
        ) {
          yield* partitionState.save(changes).pipe(
            Effect.tapError(() =>
              Effect.sync(() => {
                slot.needsReload = true;
                counters.write_failures += 1;
              }),
            ),
          );
          slot.savedOffset = changes.checkpoint.applied_offset;
        }
      }),
    );
  };

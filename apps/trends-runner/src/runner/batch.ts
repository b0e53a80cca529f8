import type { DecodedBatch } from "@cinematch/adapters";
import { applyEvents, type PositionedEvent, takeChanges, type WatchlistEvent } from "@cinematch/domain";
import { Clock, Effect } from "effect";
import type { Counters, PartitionSlots, PartitionState } from "./partitions.ts";

/** The batch handler: applies one partition's decoded batch in memory and saves what changed. */
export interface BatchDeps {
  readonly slots: PartitionSlots;
  readonly partitionState: PartitionState;
  readonly counters: Counters;
  readonly signalOutput: Effect.Effect<unknown>;
}

export const makeBatchHandler =
  ({ slots, partitionState, counters, signalOutput }: BatchDeps) =>
  (batch: DecodedBatch<WatchlistEvent>) => {
    const slot = slots.slotOf(batch.partition);
    return slot.lock.withPermits(1)(
      Effect.gen(function* () {
        // Another instance took the partition over (this one was paused, or lost it in a rebalance).
        if (slot.claim !== undefined && !(yield* partitionState.stillOwner(slot))) {
          yield* partitionState.release(slot, "superseded");
        }
        if (slot.claim === undefined) {
          // Lazily, on the partition's first batch here: claim it, then load or bootstrap its state.
          yield* partitionState.acquire(slot, batch.firstOffset);
        } else if (slot.needsReload && !(yield* partitionState.load(slot))) {
          return yield* Effect.dieMessage(`partition ${slot.partition}: owned, but its saved state is gone`);
        }
        const state = slot.state;
        if (state === undefined)
          return yield* Effect.dieMessage(`no trend state for partition ${slot.partition}`);
        counters.dead_lettered += batch.deadLettered;
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
          yield* partitionState.save(slot, changes).pipe(
            Effect.tapErrorTag("StoreUnavailable", () =>
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

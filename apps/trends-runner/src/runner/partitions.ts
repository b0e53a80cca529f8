import type { StoreUnavailable, EventLogError, TrendsStateStoreService } from "@cinematch/adapters";
import { fromPieces, type PartitionTrendState, type TrendChanges, type TrendConfig } from "@cinematch/domain";
import { Effect, Option } from "effect";

/**
 * Partition ownership and the state store: what this process holds of each log partition, and how
 * a partition's state goes to and comes back from `TrendsStateStore`.
 */
export interface Slot {
  readonly partition: number;
  state: PartitionTrendState | undefined;
  /** The applied offset of the last checkpoint this process wrote or loaded. */
  savedOffset: string;
  needsReload: boolean;
  /** One batch, load or bootstrap of this partition at a time. */
  readonly lock: Effect.Semaphore;
}

export interface TrendsRunnerCounters {
  readonly batches: number;
  readonly events_applied: number;
  readonly dead_lettered: number;
  readonly pieces_written: number;
  readonly outputs_written: number;
  readonly bootstraps: number;
  readonly reloads: number;
  readonly write_failures: number;
}

export type Counters = { -readonly [K in keyof TrendsRunnerCounters]: number };

export const makeCounters = (): Counters => ({
  batches: 0,
  events_applied: 0,
  dead_lettered: 0,
  pieces_written: 0,
  outputs_written: 0,
  bootstraps: 0,
  reloads: 0,
  write_failures: 0,
});

export interface PartitionSlots {
  readonly slotOf: (partition: number) => Slot;
  readonly all: () => ReadonlyArray<Slot>;
  /** The states held in memory, by partition (not copies: read, don't keep). */
  readonly states: () => ReadonlyArray<PartitionTrendState>;
}

export const makePartitionSlots = (): PartitionSlots => {
  const slots = new Map<number, Slot>();
  const slotOf = (partition: number): Slot => {
    let slot = slots.get(partition);
    if (slot === undefined) {
      slot = {
        partition,
        state: undefined,
        savedOffset: "-1",
        needsReload: false,
        lock: Effect.unsafeMakeSemaphore(1),
      };
      slots.set(partition, slot);
    }
    return slot;
  };
  const all = () => [...slots.values()].sort((a, b) => a.partition - b.partition);
  return {
    slotOf,
    all,
    states: () => all().flatMap((slot) => (slot.state === undefined ? [] : [slot.state])),
  };
};

/** Builds the state of partitions that have no complete checkpoint (see bootstrap.ts). */
export type Bootstrap = (
  partitions: ReadonlyArray<number>,
) => Effect.Effect<void, StoreUnavailable | EventLogError>;

export interface PartitionStateDeps {
  readonly store: TrendsStateStoreService;
  readonly slots: PartitionSlots;
  readonly trendConfig: TrendConfig;
  readonly counters: Counters;
  readonly bootstrap: Bootstrap;
}

export const makePartitionState = ({
  store,
  slots,
  trendConfig,
  counters,
  bootstrap,
}: PartitionStateDeps) => {
  /** Writes a partition's changes: pieces first, THEN the checkpoint. */
  const save = (changes: TrendChanges) =>
    Effect.gen(function* () {
      const partition = changes.checkpoint.partition;
      yield* store.writePieces(
        changes.upserts,
        changes.removals.map((movie_id) => ({ partition, movie_id })),
      );
      counters.pieces_written += changes.upserts.length + changes.removals.length;
      yield* store.putCheckpoints([{ checkpoint: changes.checkpoint, bootstrap_complete: true }]);
    });

  /** Rebuilds a partition's state from its saved checkpoint and pieces (caller holds the lock). */
  const load = (slot: Slot) =>
    Effect.gen(function* () {
      const saved = yield* store.checkpointOf(slot.partition);
      if (Option.isNone(saved) || !saved.value.bootstrap_complete) {
        // Cleared or never bootstrapped (a partition added to the topic later): bootstrap it.
        yield* bootstrap([slot.partition]);
        return;
      }
      const pieces = yield* store.piecesOf(slot.partition);
      slot.state = fromPieces(saved.value.checkpoint, pieces, trendConfig);
      slot.savedOffset = saved.value.checkpoint.applied_offset;
      slot.needsReload = false;
      counters.reloads += 1;
    });

  /**
   * At start: bootstraps the partitions with no complete checkpoint, then loads every other one
   * from its saved state in one read of the pieces. Returns whether anything was bootstrapped.
   */
  const loadAll = (partitions: ReadonlyArray<number>) =>
    Effect.gen(function* () {
      const saved = yield* store.checkpoints;
      const complete = new Set(saved.filter((c) => c.bootstrap_complete).map((c) => c.checkpoint.partition));
      const missing = partitions.filter((p) => !complete.has(p));
      if (missing.length > 0) yield* bootstrap(missing);
      const toLoad = partitions.filter((partition) => slots.slotOf(partition).state === undefined);
      if (toLoad.length > 0) {
        const byPartition = yield* store.piecesOfPartitions(toLoad);
        const savedByPartition = new Map(saved.map((c) => [c.checkpoint.partition, c.checkpoint]));
        for (const partition of toLoad) {
          const slot = slots.slotOf(partition);
          const checkpoint = savedByPartition.get(partition);
          if (checkpoint === undefined) yield* slot.lock.withPermits(1)(load(slot));
          else {
            slot.state = fromPieces(checkpoint, byPartition.get(partition) ?? [], trendConfig);
            slot.savedOffset = checkpoint.applied_offset;
          }
        }
      }
      return missing.length > 0;
    });

  return { save, load, loadAll };
};

export type PartitionState = ReturnType<typeof makePartitionState>;

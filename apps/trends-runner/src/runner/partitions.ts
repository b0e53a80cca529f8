import {
  type EventLogError,
  type StoreUnavailable,
  type OwnershipClaim,
  ownerToken,
  type PartitionOwnershipService,
  type TrendPartitionCheckpoint,
  type TrendsStateStoreService,
} from "@cinematch/adapters";
import {
  compareOffsets,
  fromPieces,
  type PartitionTrendState,
  type TrendChanges,
  type TrendConfig,
  trendCheckpoint,
} from "@cinematch/domain";
import { Clock, Data, Effect, Option } from "effect";
import { makeArrivals, makeBatchedRead } from "./shared-read.ts";

/**
 * Partition ownership and the state store: what this process holds of each log partition, whether
 * it owns it (an epoch it claimed, see `PartitionOwnership`), and how the state goes to and comes
 * back from `TrendsStateStore`. The protocol and why it fences a paused instance are in the README
 * ("Ownership").
 */
export interface Slot {
  readonly partition: number;
  state: PartitionTrendState | undefined;
  /** The applied offset of the checkpoint this process last wrote or loaded. */
  savedOffset: string;
  /** The epoch of that checkpoint (whose state this is), and the epoch its lineage was bootstrapped in. */
  heldEpoch: number;
  baseEpoch: number;
  /** This process's tenure as the partition's owner; undefined when it does not own it. */
  claim: OwnershipClaim | undefined;
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
  /** Partitions this process claimed, and found taken over by another owner. */
  readonly claims: number;
  readonly lost: number;
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
  claims: 0,
  lost: 0,
});

/**
 * This process no longer owns the partition (another instance claimed a later epoch), or cannot
 * take it now (its consumer is ahead of the saved state: a stale fetch). The batch stays
 * uncommitted; the consumer group delivers it to whoever owns the partition.
 */
export class PartitionNotOwned extends Data.TaggedError("PartitionNotOwned")<{
  readonly partition: number;
  readonly reason: string;
}> {}

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
        heldEpoch: 0,
        baseEpoch: 0,
        claim: undefined,
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

/** Builds the state of one partition that has no complete checkpoint, under the owner's epoch (bootstrap.ts). */
export type Bootstrap = (
  partition: number,
  epoch: number,
) => Effect.Effect<PartitionTrendState, StoreUnavailable | EventLogError>;

export interface PartitionStateDeps {
  readonly groupId: string;
  readonly instanceId: string;
  readonly store: TrendsStateStoreService;
  readonly ownership: PartitionOwnershipService;
  readonly trendConfig: TrendConfig;
  readonly counters: Counters;
  readonly bootstrap: Bootstrap;
  /** Called after a bootstrap wrote its state (the output then says `source: "bootstrap"`). */
  readonly onBootstrapped: Effect.Effect<void>;
}

export const makePartitionState = (deps: PartitionStateDeps) => {
  const { groupId, instanceId, store, ownership, trendConfig, counters, bootstrap } = deps;

  const hold = (slot: Slot, saved: TrendPartitionCheckpoint, state: PartitionTrendState) => {
    slot.state = state;
    slot.savedOffset = saved.checkpoint.applied_offset;
    slot.heldEpoch = saved.epoch ?? 0;
    slot.baseEpoch = saved.base_epoch ?? 0;
    slot.needsReload = false;
  };

  /** Partitions being acquired: a pieces read waits (at most 1 s) until each has asked for its own. */
  const acquiring = makeArrivals("1 second");
  /**
   * The pieces of partitions being loaded at the same time, in one read (on FerretDB a read of one
   * partition's pieces scans the whole collection, as does a read of several).
   */
  const piecesOf = makeBatchedRead(
    (wanted: ReadonlyArray<{ readonly partition: number; readonly baseEpoch: number }>) =>
      Effect.map(
        store.piecesOfPartitions(
          wanted.map((w) => w.partition),
          new Map(wanted.map((w) => [w.partition, w.baseEpoch])),
        ),
        (byPartition) => (w: { readonly partition: number }) => byPartition.get(w.partition) ?? [],
      ),
    { gathered: acquiring.gathered },
  );

  /** Reads a partition's latest saved state into the slot (caller holds the lock); false if there is none complete. */
  const load = (slot: Slot, arrived: Effect.Effect<void> = Effect.void) =>
    Effect.gen(function* () {
      const saved = yield* store.checkpointOf(slot.partition);
      yield* arrived;
      if (Option.isNone(saved) || !saved.value.bootstrap_complete) return false;
      const pieces = yield* piecesOf({ partition: slot.partition, baseEpoch: saved.value.base_epoch ?? 0 });
      hold(slot, saved.value, fromPieces(saved.value.checkpoint, pieces, trendConfig));
      counters.reloads += 1;
      return true;
    });

  /** Whether this process's claim on the slot is still the partition's latest epoch. */
  const stillOwner = (slot: Slot) =>
    Effect.gen(function* () {
      const claim = slot.claim;
      if (claim === undefined) return false;
      const current = yield* ownership.current(groupId, slot.partition);
      return Option.isSome(current) && current.value.epoch === claim.epoch;
    });

  /** Gives the partition up: its state in memory becomes a read-only copy, reloaded before use. */
  const release = (slot: Slot, reason: string) =>
    Effect.gen(function* () {
      if (slot.claim === undefined) return;
      yield* Effect.logWarning("trends partition lost").pipe(
        Effect.annotateLogs({ partition: slot.partition, owner: ownerToken(slot.claim), reason }),
      );
      slot.claim = undefined;
      slot.needsReload = true;
      counters.lost += 1;
    });

  /**
   * Takes ownership of a partition whose batch starts at `firstOffset` (caller holds the lock):
   * claims the next epoch, then loads the latest saved state (or bootstraps one), and writes that
   * checkpoint again under the new epoch, so readers rank this owner's state above anything its
   * predecessor still writes. Refuses (`PartitionNotOwned`) when the batch starts beyond the saved
   * state: that consumer's position is stale, and taking the partition would skip records.
   */
  const acquire = (slot: Slot, firstOffset: string) =>
    acquiring.onTheWay((arrived) =>
      Effect.gen(function* () {
        const ahead = (saved: Option.Option<TrendPartitionCheckpoint>) =>
          Option.isSome(saved) &&
          saved.value.bootstrap_complete &&
          compareOffsets(firstOffset, (BigInt(saved.value.checkpoint.applied_offset) + 1n).toString()) > 0;
        if (ahead(yield* store.checkpointOf(slot.partition))) {
          return yield* new PartitionNotOwned({
            partition: slot.partition,
            reason: `batch from ${firstOffset} is ahead of the saved state`,
          });
        }
        const claim = yield* ownership.claim(groupId, slot.partition, instanceId);
        counters.claims += 1;
        const loaded = yield* load(slot, arrived);
        if (!loaded) {
          const state = yield* bootstrap(slot.partition, claim.epoch);
          slot.state = state;
          slot.savedOffset = state.applied_offset;
          slot.heldEpoch = claim.epoch;
          slot.baseEpoch = claim.epoch;
          slot.needsReload = false;
          counters.bootstraps += 1;
          yield* deps.onBootstrapped;
        } else {
          const state = slot.state!;
          yield* store.putCheckpoints([
            {
              checkpoint: trendCheckpoint(state),
              bootstrap_complete: true,
              epoch: claim.epoch,
              base_epoch: slot.baseEpoch,
            },
          ]);
          slot.heldEpoch = claim.epoch;
        }
        // Only now: a failure above leaves the partition unclaimed here, to be acquired again.
        slot.claim = claim;
        yield* Effect.logInfo("trends partition claimed").pipe(
          Effect.annotateLogs({
            partition: slot.partition,
            owner: ownerToken(claim),
            applied: slot.savedOffset,
            bootstrapped: !loaded,
          }),
        );
      }),
    );

  /**
   * Writes a partition's changes under the owner's epoch: pieces first, THEN the checkpoint. Each
   * write is logged with the owner token and the instant it started (the multi-instance test reads
   * these lines); a write found superseded right after is logged as fenced and fails the batch.
   */
  const save = (slot: Slot, changes: TrendChanges) =>
    Effect.gen(function* () {
      const claim = slot.claim;
      if (claim === undefined) {
        return yield* new PartitionNotOwned({ partition: slot.partition, reason: "not claimed" });
      }
      const partition = changes.checkpoint.partition;
      const started = yield* Clock.currentTimeNanos;
      yield* store.writePieces(
        changes.upserts,
        changes.removals.map((movie_id) => ({ partition, movie_id })),
        claim.epoch,
      );
      counters.pieces_written += changes.upserts.length + changes.removals.length;
      yield* store.putCheckpoints([
        {
          checkpoint: changes.checkpoint,
          bootstrap_complete: true,
          epoch: claim.epoch,
          base_epoch: slot.baseEpoch,
        },
      ]);
      const owned = yield* stillOwner(slot);
      yield* Effect.logInfo(owned ? "trends state write" : "trends state write fenced").pipe(
        Effect.annotateLogs({
          partition,
          owner: ownerToken(claim),
          epoch: claim.epoch,
          started_ns: started.toString(),
          applied: changes.checkpoint.applied_offset,
        }),
      );
      if (!owned) {
        yield* release(slot, "superseded while writing");
        return yield* new PartitionNotOwned({ partition, reason: "superseded while writing" });
      }
    });

  return { hold, load, acquire, release, stillOwner, save };
};

export type PartitionState = ReturnType<typeof makePartitionState>;

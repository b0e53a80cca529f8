import { Context, type Effect, type Option } from "effect";
import type { StoreUnavailable } from "../store-errors.ts";

/**
 * Who owns a log partition's state, as a sequence of EPOCHS per (consumer group, partition).
 *
 * A runner that starts handling a partition CLAIMS it: the next epoch is taken by inserting a
 * document with a unique key `<group>|<partition>|<epoch>`. Unique-index inserts are atomic on
 * MongoDB and on FerretDB 1.24 (its conditional updates are not), so two claimers never hold the
 * same epoch: one insert wins, the other gets `EpochTaken` and reads again. The latest epoch is the
 * owner; every state write carries its writer's epoch, and readers rank state by epoch, so a writer
 * whose epoch was superseded (a paused "zombie" that wakes up) can only write what readers ignore
 * (see apps/trends-runner/README.md, "Ownership").
 */
export interface OwnershipClaim {
  readonly group: string;
  readonly partition: number;
  readonly epoch: number;
  /** Who claimed it: `<instance>` text, for logs and for the test that reads them. */
  readonly owner: string;
}

export interface PartitionOwnershipService {
  /** Takes the next epoch of the partition for `owner` (retries when another claimer raced it). */
  readonly claim: (
    group: string,
    partition: number,
    owner: string,
  ) => Effect.Effect<OwnershipClaim, StoreUnavailable>;
  /** The partition's latest claim, if it was ever claimed. */
  readonly current: (
    group: string,
    partition: number,
  ) => Effect.Effect<Option.Option<OwnershipClaim>, StoreUnavailable>;
}

export class PartitionOwnership extends Context.Tag("@cinematch/adapters/PartitionOwnership")<
  PartitionOwnership,
  PartitionOwnershipService
>() {}

export const PARTITION_OWNERS_COLLECTION = "partition_owners";

/** Text naming one owner's tenure in logs: `<owner>#<epoch>`. */
export const ownerToken = (claim: OwnershipClaim): string => `${claim.owner}#${claim.epoch}`;

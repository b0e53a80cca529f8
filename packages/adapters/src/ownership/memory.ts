import { Effect, Layer, Option } from "effect";
import {
  type OwnershipClaim,
  PartitionOwnership,
  type PartitionOwnershipService,
} from "./PartitionOwnership.ts";

/** Claims in memory; one instance shared by several runner "lives" stands for the shared database. */
export const makePartitionOwnershipMemory = (): PartitionOwnershipService => {
  const latest = new Map<string, OwnershipClaim>();
  const key = (group: string, partition: number) => `${group}|${partition}`;
  return {
    claim: (group, partition, owner) =>
      Effect.sync(() => {
        const epoch = (latest.get(key(group, partition))?.epoch ?? 0) + 1;
        const claim = { group, partition, epoch, owner };
        latest.set(key(group, partition), claim);
        return claim;
      }),
    current: (group, partition) => Effect.sync(() => Option.fromNullable(latest.get(key(group, partition)))),
  };
};

export const PartitionOwnershipMemory: Layer.Layer<PartitionOwnership> = Layer.sync(
  PartitionOwnership,
  makePartitionOwnershipMemory,
);

export const layerPartitionOwnership = (
  service: PartitionOwnershipService,
): Layer.Layer<PartitionOwnership> => Layer.succeed(PartitionOwnership, service);

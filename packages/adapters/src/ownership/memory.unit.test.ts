import { PartitionOwnershipMemory } from "./memory.ts";
import { partitionOwnershipContract } from "./PartitionOwnership.contract.ts";

partitionOwnershipContract("in memory", () => PartitionOwnershipMemory);

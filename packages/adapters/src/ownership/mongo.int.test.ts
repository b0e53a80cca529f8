import { Layer } from "effect";
import { MongoDatabaseFresh } from "../mongo/test-support.ts";
import { PartitionOwnershipMongo } from "./mongo.ts";
import { partitionOwnershipContract } from "./PartitionOwnership.contract.ts";

partitionOwnershipContract("MongoDB wire (FerretDB)", () =>
  PartitionOwnershipMongo.pipe(Layer.provide(MongoDatabaseFresh("partition_owners"))),
);

import { Effect, Layer, Option } from "effect";
import { isDuplicateKeyError, tryMongo } from "../mongo/errors.ts";
import { MongoDatabase } from "../mongo/MongoDatabase.ts";
import { StoreUnavailable } from "../store-errors.ts";
import {
  type OwnershipClaim,
  PARTITION_OWNERS_COLLECTION,
  PartitionOwnership,
  type PartitionOwnershipService,
} from "./PartitionOwnership.ts";

interface OwnerDocument {
  _id: string;
  /** `<group>|<partition>`: an indexed string, so FerretDB narrows the lookup with its index. */
  key: string;
  group: string;
  partition: number;
  epoch: number;
  owner: string;
}

/** Claims older than the latest few are deleted; nothing reads them. */
const KEEP = 3;
const ATTEMPTS = 20;

/**
 * Claims on MongoDB and FerretDB 1.24: `partition_owners`, `_id: "<group>|<partition>|<epoch>"`.
 * A claim reads the partition's claims (index on `key`), inserts the next epoch, and on a duplicate
 * key (another claimer got that epoch first) reads again: the `_id` index makes exactly one insert
 * of an epoch succeed, on both servers.
 */
export const makePartitionOwnershipMongo = Effect.gen(function* () {
  const { db } = yield* MongoDatabase;
  const collection = db.collection<OwnerDocument>(PARTITION_OWNERS_COLLECTION);
  yield* tryMongo("partition_owners.createIndex", () => collection.createIndex({ key: 1 }, { name: "key" }));
  const keyOf = (group: string, partition: number) => `${group}|${partition}`;
  const claims = (group: string, partition: number) =>
    tryMongo("partition_owners.read", () => collection.find({ key: keyOf(group, partition) }).toArray()).pipe(
      Effect.map((docs) => [...docs].sort((a, b) => b.epoch - a.epoch)),
    );
  const toClaim = (doc: OwnerDocument): OwnershipClaim => ({
    group: doc.group,
    partition: doc.partition,
    epoch: doc.epoch,
    owner: doc.owner,
  });

  const claimOnce = (group: string, partition: number, owner: string) =>
    Effect.gen(function* () {
      const existing = yield* claims(group, partition);
      const epoch = (existing[0]?.epoch ?? 0) + 1;
      const doc: OwnerDocument = {
        _id: `${keyOf(group, partition)}|${epoch}`,
        key: keyOf(group, partition),
        group,
        partition,
        epoch,
        owner,
      };
      const won = yield* Effect.tryPromise({
        try: () => collection.insertOne(doc).then(() => true),
        catch: (cause) => cause,
      }).pipe(
        Effect.catchAll((cause) =>
          isDuplicateKeyError(cause)
            ? Effect.succeed(false)
            : Effect.fail(
                new StoreUnavailable({ operation: "partition_owners.claim", message: String(cause), cause }),
              ),
        ),
      );
      if (!won) return Option.none<OwnershipClaim>();
      const stale = existing.slice(KEEP - 1).map((d) => d._id);
      if (stale.length > 0) {
        yield* tryMongo("partition_owners.compact", () => collection.deleteMany({ _id: { $in: stale } }));
      }
      return Option.some(toClaim(doc));
    });

  const service: PartitionOwnershipService = {
    claim: (group, partition, owner) =>
      Effect.gen(function* () {
        for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
          const claimed = yield* claimOnce(group, partition, owner);
          if (Option.isSome(claimed)) return claimed.value;
        }
        return yield* new StoreUnavailable({
          operation: "partition_owners.claim",
          message: `partition ${partition} of ${group}: ${ATTEMPTS} claims in a row lost to other claimers`,
        });
      }),
    current: (group, partition) =>
      Effect.map(claims(group, partition), (docs) => Option.map(Option.fromNullable(docs[0]), toClaim)),
  };
  return service;
});

export const PartitionOwnershipMongo: Layer.Layer<PartitionOwnership, StoreUnavailable, MongoDatabase> =
  Layer.effect(PartitionOwnership, makePartitionOwnershipMongo);

import { Effect } from "effect";
import type { AnyBulkWriteOperation, Collection, Document } from "mongodb";
import type { StoreUnavailable } from "../store-errors.ts";
import { tryMongo } from "./errors.ts";

/**
 * Most operations per `bulkWrite` call. FerretDB 1.24 (SQLite backend) never answers an `update`
 * command that changes 100 or more EXISTING documents (verified here: 99 replaces answer in ~0.1 s,
 * 100 hang until the client gives up; inserts, deletes and upserts of new documents are fine).
 * MongoDB has no such limit, so on MongoDB this only costs a few more round trips.
 */
export const BULK_CHUNK = 50;

/** A document whose `_id` is text we choose (not an ObjectId). */
export interface KeyedDocument extends Document {
  _id: string;
}

/**
 * Runs the operations as consecutive unordered bulk writes of at most `BULK_CHUNK` operations each.
 * Not atomic (nothing here is: no transactions); callers write idempotent whole-document replaces
 * and order their writes so that a stop half-way is harmless.
 */
export const bulkWriteInChunks = <T extends Document>(
  collection: Collection<T>,
  operations: ReadonlyArray<AnyBulkWriteOperation<T>>,
  operation: string,
): Effect.Effect<void, StoreUnavailable> =>
  Effect.gen(function* () {
    for (let start = 0; start < operations.length; start += BULK_CHUNK) {
      const chunk = operations.slice(start, start + BULK_CHUNK);
      yield* tryMongo(operation, () => collection.bulkWrite(chunk, { ordered: false }));
    }
  });

import { Effect } from "effect";
import type { AnyBulkWriteOperation, Collection, Document } from "mongodb";
import type { StoreUnavailable } from "../store-errors.ts";
import { tryMongo } from "./errors.ts";

/**
 * Most operations per `bulkWrite` call. FerretDB 1.24 (SQLite backend) runs each statement of an
 * `update` command as a query whose rows stay open until the command ends, and writes it in a
 * transaction on ANOTHER connection of the same per-database pool of 100. So the update statements
 * being run at one time, across every client of a database, must stay under 100, or each command
 * holds its connections while waiting for one more and none answers again (a deadlock the driver's
 * socket timeout breaks after 30 s).
 * - Found first as "an update command of 100 statements never answers, 99 do" (this was 50 then).
 * - Then in the soak's goroutine dump (`kill -QUIT`): two commands of 50, the API's outbox clearing
 *   and the user-stats runner's replaces, held all 100 connections, and 46 other requests waited
 *   for one. Under load, FerretDB stalled that way again and again: the API's goodput fell to the
 *   cached routes, and a FerretDB restart brought it back for a minute.
 * With 10, ten update commands can run at once (the API, both runners, several instances of each).
 * MongoDB has no such limit, so on MongoDB this only costs a few more round trips.
 */
export const BULK_CHUNK = 10;

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

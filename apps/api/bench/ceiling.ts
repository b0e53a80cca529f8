import { randomUUID } from "node:crypto";
import { BULK_CHUNK, MongoDatabase, MongoDatabaseLive } from "@cinematch/adapters/mongo";
import { WATCHLIST_INDEXES, watchlistWritesOfNewEntry } from "@cinematch/adapters/testing/mongo";
import { Effect } from "effect";

export interface CeilingOptions {
  /** Entries per `insertMany`. */
  readonly batch: number;
  /** Calls in flight at once. */
  readonly clients: number;
  readonly seconds: number;
  /**
   * Also clear each inserted entry's published event, as the publisher does (ordered bulk writes of
   * `BULK_CHUNK` updates): the server's cost of one accepted change in all, not just its insert.
   */
  readonly withClear: boolean;
}

/**
 * The server's own ceiling for the API's writes: the exact documents (and outbox clears) the
 * watchlist store writes, into a scratch collection with the `movies` collection's indexes, dropped
 * after. Entries per second.
 */
export const measureWriteCeiling = (mongoUrl: string, options: CeilingOptions): Promise<number> =>
  Effect.runPromise(
    Effect.flatMap(MongoDatabase, ({ db }) =>
      Effect.promise(async () => {
        const collection = db.collection(`ceiling_${randomUUID().slice(0, 8)}`);
        for (const { key, ...indexOptions } of WATCHLIST_INDEXES)
          await collection.createIndex(key, indexOptions);
        let written = 0;
        let counter = 0;
        const now = Date.now();
        const started = performance.now();
        const deadline = started + options.seconds * 1000;
        const worker = async () => {
          while (performance.now() < deadline) {
            const writes = Array.from({ length: options.batch }, () =>
              watchlistWritesOfNewEntry(counter++, now),
            );
            await collection.insertMany(
              writes.map((w) => w.document),
              { ordered: false },
            );
            if (options.withClear) {
              for (let start = 0; start < writes.length; start += BULK_CHUNK) {
                const chunk = writes.slice(start, start + BULK_CHUNK).map((w) => w.clear);
                await collection.bulkWrite(chunk, { ordered: true });
              }
            }
            written += writes.length;
          }
        };
        await Promise.all(Array.from({ length: options.clients }, worker));
        const rate = written / ((performance.now() - started) / 1000);
        await collection.drop().catch(() => undefined);
        return rate;
      }),
    ).pipe(Effect.provide(MongoDatabaseLive(mongoUrl)), Effect.scoped),
  );

import { randomUUID } from "node:crypto";
import { MongoDatabaseLive, MongoDatabase } from "@cinematch/adapters/mongo";
import { Effect } from "effect";

/**
 * The server's own ceiling for the API's writes: `insertMany` of copies of a real stored entry
 * document (a new `_id` and pair each), `batch` documents per call, `clients` calls in flight, for
 * `seconds`, into a scratch collection dropped after. Documents per second.
 */
export const measureBulkInsertCeiling = (
  mongoUrl: string,
  sample: Readonly<Record<string, unknown>>,
  options: { readonly batch: number; readonly clients: number; readonly seconds: number },
): Promise<number> =>
  Effect.runPromise(
    Effect.flatMap(MongoDatabase, ({ db }) =>
      Effect.promise(async () => {
        const collection = db.collection(`ceiling_${randomUUID().slice(0, 8)}`);
        let written = 0;
        let counter = 0;
        const started = performance.now();
        const deadline = started + options.seconds * 1000;
        const worker = async () => {
          while (performance.now() < deadline) {
            const docs = Array.from({ length: options.batch }, () => {
              counter += 1;
              return {
                ...sample,
                _id: `ceiling-${counter}` as never,
                user_id: `ceiling-user-${counter % 200}`,
                movie_id: `m-${counter}`,
              };
            });
            await collection.insertMany(docs, { ordered: false });
            written += docs.length;
          }
        };
        await Promise.all(Array.from({ length: options.clients }, worker));
        const rate = written / ((performance.now() - started) / 1000);
        await collection.drop().catch(() => undefined);
        return rate;
      }),
    ).pipe(Effect.provide(MongoDatabaseLive(mongoUrl)), Effect.scoped),
  );

/** One stored entry document of the run, as the ceiling's template. */
export const sampleEntryDocument = (mongoUrl: string, key: string): Promise<Record<string, unknown>> =>
  Effect.runPromise(
    Effect.flatMap(MongoDatabase, ({ db }) =>
      Effect.promise(async () => {
        const doc = await db.collection("movies").findOne({ _id: key as never });
        if (doc === null) throw new Error("no stored entry to copy for the ceiling");
        return doc as Record<string, unknown>;
      }),
    ).pipe(Effect.provide(MongoDatabaseLive(mongoUrl)), Effect.scoped),
  );

import { ImportReport } from "@cinematch/domain";
import { Effect, Either, Layer, Option, ParseResult, Schema } from "effect";
import type { Collection, Document } from "mongodb";
import { tryMongo } from "../mongo/errors.ts";
import { MongoDatabase } from "../mongo/MongoDatabase.ts";
import { StoreUnavailable } from "../store-errors.ts";
import { ImportJobsStore, type ImportJobsStoreService } from "./ImportJobsStore.ts";

export const IMPORTS_COLLECTION = "imports";

const encode = Schema.encodeSync(ImportReport);
const decode = Schema.decodeUnknownEither(ImportReport, { onExcessProperty: "ignore" });

export const makeImportJobsStoreMongo = Effect.gen(function* () {
  const { db } = yield* MongoDatabase;
  const collection: Collection<Document> = db.collection(IMPORTS_COLLECTION);
  const service: ImportJobsStoreService = {
    save: (user_id, report) =>
      tryMongo("imports.save", () =>
        collection.replaceOne(
          { _id: report.import_id } as Document,
          { ...encode(report), user_id } as Document,
          { upsert: true },
        ),
      ).pipe(Effect.asVoid),
    // By `_id` alone (the index FerretDB narrows by), then the owner checked here.
    get: (user_id, import_id) =>
      tryMongo("imports.get", () => collection.findOne({ _id: import_id } as Document)).pipe(
        Effect.flatMap((doc) => {
          if (doc === null || doc.user_id !== user_id) return Effect.succeedNone;
          const { _id, user_id: _owner, ...rest } = doc;
          return Either.match(decode(rest), {
            onLeft: (error) =>
              Effect.fail(
                new StoreUnavailable({
                  operation: "imports.read",
                  message: `stored import report does not fit its schema: ${ParseResult.TreeFormatter.formatErrorSync(error)}`,
                }),
              ),
            onRight: (report) => Effect.succeed(Option.some(report)),
          });
        }),
      ),
  };
  return service;
});

export const ImportJobsStoreMongo: Layer.Layer<ImportJobsStore, never, MongoDatabase> = Layer.effect(
  ImportJobsStore,
  makeImportJobsStoreMongo,
);

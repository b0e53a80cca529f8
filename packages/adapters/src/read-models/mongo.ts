import { GlobalStatsDocument, type TrendWindow, UserStatsDocument } from "@cinematch/domain";
import { Effect, Layer, Schema } from "effect";
import type { AnyBulkWriteOperation } from "mongodb";
import { tryMongo } from "../mongo/errors.ts";
import { MongoDatabase } from "../mongo/MongoDatabase.ts";
import type { StoreUnavailable } from "../store-errors.ts";
import { bulkWriteInChunks, type KeyedDocument } from "../mongo/bulk.ts";
import {
  GlobalStatsStore,
  type GlobalStatsStoreService,
  UserStatsStore,
  type UserStatsStoreService,
} from "./ReadModels.ts";
import { decodeStored } from "../mongo/decode-stored.ts";

/**
 * The read models on MongoDB (and FerretDB 1.24, which the tests run on).
 *
 * `user_stats`: `{ _id: <user_id>, user_id, stats, last_updated }`, unique on `user_id`; `stats` and
 * `last_updated` are stored encoded (timestamps as canonical ISO text, as everywhere in storage).
 * `global_stats`: one small document per window, `{ _id: "global_trends:<window>", type, window,
 * top_movies, trending_genres, total_movies_analyzed, source, updated_at }`.
 *
 * Writes replace whole documents (`replaceOne` + upsert) in one unordered bulk write per call (in
 * chunks of `BULK_CHUNK` on account of a FerretDB hang, see bulk.ts): each
 * document has a single writer (the runner owning its user's partition, or the trends runner), so
 * there is no read-modify-write to lose. A document that does not fit its schema is a defect of the
 * caller and dies before anything is written.
 */
export const USER_STATS_COLLECTION = "user_stats";
export const GLOBAL_STATS_COLLECTION = "global_stats";

export const globalStatsId = (window: TrendWindow): string => `global_trends:${window}`;

export const makeUserStatsStoreMongo = Effect.gen(function* () {
  const { db } = yield* MongoDatabase;
  const collection = db.collection<KeyedDocument>(USER_STATS_COLLECTION);
  yield* tryMongo("user_stats.createIndex", () =>
    collection.createIndex({ user_id: 1 }, { unique: true, name: "user_id_unique" }),
  );
  const encode = Schema.encodeSync(UserStatsDocument);
  const decode = decodeStored(UserStatsDocument, "user_stats.get");

  const service: UserStatsStoreService = {
    get: (user_id) =>
      tryMongo("user_stats.get", () => collection.findOne({ _id: user_id })).pipe(
        Effect.flatMap((doc) => (doc === null ? Effect.succeedNone : Effect.asSome(decode(doc)))),
      ),
    putMany: (documents) =>
      Effect.suspend(() => {
        if (documents.length === 0) return Effect.void;
        const operations: Array<AnyBulkWriteOperation<KeyedDocument>> = documents.map((document) => {
          const encoded = encode(document);
          return {
            replaceOne: {
              filter: { _id: encoded.user_id },
              replacement: {
                user_id: encoded.user_id,
                stats: encoded.stats,
                last_updated: encoded.last_updated,
              },
              upsert: true,
            },
          };
        });
        return bulkWriteInChunks(collection, operations, "user_stats.putMany");
      }),
  };
  return service;
});

export const makeGlobalStatsStoreMongo = Effect.gen(function* () {
  const { db } = yield* MongoDatabase;
  const collection = db.collection<KeyedDocument>(GLOBAL_STATS_COLLECTION);
  const encode = Schema.encodeSync(GlobalStatsDocument);
  const decode = decodeStored(GlobalStatsDocument, "global_stats.get");

  const service: GlobalStatsStoreService = {
    get: (window) =>
      tryMongo("global_stats.get", () => collection.findOne({ _id: globalStatsId(window) })).pipe(
        Effect.flatMap((doc) => (doc === null ? Effect.succeedNone : Effect.asSome(decode(doc)))),
      ),
    putMany: (documents) =>
      Effect.suspend(() => {
        if (documents.length === 0) return Effect.void;
        const operations: Array<AnyBulkWriteOperation<KeyedDocument>> = documents.map((document) => {
          const encoded = encode(document);
          return {
            replaceOne: {
              filter: { _id: globalStatsId(encoded.window) },
              replacement: { ...encoded },
              upsert: true,
            },
          };
        });
        return bulkWriteInChunks(collection, operations, "global_stats.putMany");
      }),
  };
  return service;
});

export const UserStatsStoreMongo: Layer.Layer<UserStatsStore, StoreUnavailable, MongoDatabase> = Layer.effect(
  UserStatsStore,
  makeUserStatsStoreMongo,
);
export const GlobalStatsStoreMongo: Layer.Layer<GlobalStatsStore, StoreUnavailable, MongoDatabase> =
  Layer.effect(GlobalStatsStore, makeGlobalStatsStoreMongo);
/** Both read models on the shared database (indexes created at start). */
export const ReadModelsMongo: Layer.Layer<
  UserStatsStore | GlobalStatsStore,
  StoreUnavailable,
  MongoDatabase
> = Layer.merge(UserStatsStoreMongo, GlobalStatsStoreMongo);

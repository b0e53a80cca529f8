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
 * `user_stats`: `{ _id: <user_id>, user_id, stats, last_updated }` as written without ownership
 * (epoch 0), `{ _id: "<user_id>|<epoch>", ..., epoch }` by the owner of the user's partition under
 * that epoch; a read returns the highest epoch's (index on `user_id`). `stats` and `last_updated`
 * are stored encoded (timestamps as canonical ISO text, as everywhere in storage).
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

/** Older epochs' documents of a user deleted after a newer one is written (see `makeUserStatsStoreMongo`). */
const RETIRE_EPOCHS = 8;

export const makeUserStatsStoreMongo = Effect.gen(function* () {
  const { db } = yield* MongoDatabase;
  const collection = db.collection<KeyedDocument>(USER_STATS_COLLECTION);
  // A user has one document per epoch now: the unique index of the one-document shape must go.
  yield* tryMongo("user_stats.dropIndex", () => collection.dropIndex("user_id_unique")).pipe(Effect.ignore);
  yield* tryMongo("user_stats.createIndex", () =>
    collection.createIndex({ user_id: 1 }, { name: "user_id" }),
  );
  const encode = Schema.encodeSync(UserStatsDocument);
  const decode = decodeStored(UserStatsDocument, "user_stats.get");
  const idOf = (user_id: string, epoch: number) => (epoch === 0 ? user_id : `${user_id}|${epoch}`);
  /** Users whose older epochs' documents this process already deleted, at that epoch. */
  const retired = new Map<string, number>();

  const service: UserStatsStoreService = {
    get: (user_id) =>
      // FerretDB narrows an indexed string equality with the index: a few documents per user.
      tryMongo("user_stats.get", () => collection.find({ user_id }).toArray()).pipe(
        Effect.flatMap((docs) => {
          const epochOf = (doc: (typeof docs)[number]) => (typeof doc.epoch === "number" ? doc.epoch : 0);
          const latest = docs.reduce<(typeof docs)[number] | undefined>(
            (best, doc) => (best === undefined || epochOf(doc) > epochOf(best) ? doc : best),
            undefined,
          );
          return latest === undefined ? Effect.succeedNone : Effect.asSome(decode(latest));
        }),
      ),
    putMany: (documents) =>
      Effect.gen(function* () {
        if (documents.length === 0) return;
        const operations: Array<AnyBulkWriteOperation<KeyedDocument>> = documents.map(
          ({ epoch = 0, ...document }) => {
            const encoded = encode(document);
            return {
              replaceOne: {
                filter: { _id: idOf(encoded.user_id, epoch) },
                replacement: {
                  user_id: encoded.user_id,
                  stats: encoded.stats,
                  last_updated: encoded.last_updated,
                  ...(epoch === 0 ? {} : { epoch }),
                },
                upsert: true,
              },
            };
          },
        );
        yield* bulkWriteInChunks(collection, operations, "user_stats.putMany");
        // Only after the new document is in: the previous epochs' (by _id, which the index serves).
        // A user whose partition changed owner more than RETIRE_EPOCHS times without a write keeps
        // an unread older document; reads stay right, it only takes space.
        const stale: Array<string> = [];
        for (const { user_id, epoch = 0 } of documents) {
          if (epoch === 0 || retired.get(user_id) === epoch) continue;
          retired.set(user_id, epoch);
          stale.push(user_id);
          for (let older = epoch - 1; older >= 1 && older >= epoch - RETIRE_EPOCHS; older--) {
            stale.push(idOf(user_id, older));
          }
        }
        for (let start = 0; start < stale.length; start += 5_000) {
          const chunk = stale.slice(start, start + 5_000);
          yield* tryMongo("user_stats.retire", () => collection.deleteMany({ _id: { $in: chunk } }));
        }
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

import { GlobalStatsDocument, type TrendWindow, UserStatsDocument } from "@cinematch/domain";
import { Effect, Layer, Option, Schema } from "effect";
import {
  GlobalStatsStore,
  type GlobalStatsStoreService,
  UserStatsStore,
  type UserStatsStoreService,
} from "./ReadModels.ts";

/**
 * In-memory read models. Documents are kept ENCODED (ISO timestamps, as the Mongo layer stores them)
 * and decoded on read, so a document the schema refuses fails here exactly as it would in MongoDB,
 * and a caller mutating what it wrote or read cannot change the store.
 */
const encodeUserStats = Schema.encodeSync(UserStatsDocument);
const decodeUserStats = Schema.decodeUnknownSync(UserStatsDocument);
const encodeGlobalStats = Schema.encodeSync(GlobalStatsDocument);
const decodeGlobalStats = Schema.decodeUnknownSync(GlobalStatsDocument);

export const makeUserStatsStoreMemory = Effect.sync((): UserStatsStoreService => {
  /** User → epoch → document; a read takes the highest epoch's, as the Mongo layer does. */
  const documents = new Map<string, Map<number, typeof UserStatsDocument.Encoded>>();
  return {
    get: (user_id) =>
      Effect.sync(() => {
        const byEpoch = documents.get(user_id);
        const latest = byEpoch === undefined ? undefined : byEpoch.get(Math.max(...byEpoch.keys()));
        return Option.map(Option.fromNullable(latest), (doc) => decodeUserStats(doc));
      }),
    putMany: (batch) =>
      Effect.sync(() => {
        // Encode all first: one bad document writes nothing (the Mongo layer validates before writing too).
        const encoded = batch.map(({ epoch, ...doc }) => ({ epoch: epoch ?? 0, doc: encodeUserStats(doc) }));
        for (const { epoch, doc } of encoded) {
          const byEpoch = documents.get(doc.user_id) ?? new Map();
          byEpoch.set(epoch, structuredClone(doc));
          documents.set(doc.user_id, byEpoch);
        }
      }),
  };
});

export const makeGlobalStatsStoreMemory = Effect.sync((): GlobalStatsStoreService => {
  const documents = new Map<TrendWindow, typeof GlobalStatsDocument.Encoded>();
  return {
    get: (window) =>
      Effect.sync(() =>
        Option.map(Option.fromNullable(documents.get(window)), (doc) => decodeGlobalStats(doc)),
      ),
    putMany: (batch) =>
      Effect.sync(() => {
        const encoded = batch.map((doc) => encodeGlobalStats(doc));
        for (const doc of encoded) documents.set(doc.window, structuredClone(doc));
      }),
  };
});

export const UserStatsStoreMemory: Layer.Layer<UserStatsStore> = Layer.effect(
  UserStatsStore,
  makeUserStatsStoreMemory,
);
export const GlobalStatsStoreMemory: Layer.Layer<GlobalStatsStore> = Layer.effect(
  GlobalStatsStore,
  makeGlobalStatsStoreMemory,
);
/** Both read models, empty, in memory. */
export const ReadModelsMemory: Layer.Layer<UserStatsStore | GlobalStatsStore> = Layer.merge(
  UserStatsStoreMemory,
  GlobalStatsStoreMemory,
);

import { Effect, Layer } from "effect";
import { describe, expect, it } from "vitest";
import { MongoDatabase } from "../mongo/MongoDatabase.ts";
import { MongoDatabaseFresh } from "../mongo/test-support.ts";
import { GLOBAL_STATS_COLLECTION, ReadModelsMongo, USER_STATS_COLLECTION } from "./mongo.ts";
import {
  readModelsContract,
  sampleGlobalStatsDocument,
  sampleUserStatsDocument,
} from "./ReadModels.contract.ts";
import { GlobalStatsStore, UserStatsStore } from "./ReadModels.ts";

const layer = () => ReadModelsMongo.pipe(Layer.provideMerge(MongoDatabaseFresh("read_models")));

readModelsContract("MongoDB wire (FerretDB)", layer);

describe("read models in MongoDB, given documents written", () => {
  it("when the raw collections are read, then user_stats is keyed by user (epoch 0) and global_stats by window, with ISO timestamps", async () => {
    const raw = await Effect.runPromise(
      Effect.gen(function* () {
        const users = yield* UserStatsStore;
        const global = yield* GlobalStatsStore;
        const { db } = yield* MongoDatabase;
        yield* users.putMany([sampleUserStatsDocument("u-1", 3)]);
        yield* global.putMany([sampleGlobalStatsDocument("30d", 4)]);
        return yield* Effect.promise(async () => ({
          user: await db.collection(USER_STATS_COLLECTION).findOne({ user_id: "u-1" }),
          global: await db.collection(GLOBAL_STATS_COLLECTION).findOne({}),
          indexes: await db.collection(USER_STATS_COLLECTION).indexes(),
        }));
      }).pipe(Effect.provide(layer()), Effect.scoped),
    );
    expect(raw.user?._id).toBe("u-1");
    expect(raw.user?.last_updated).toBe("2026-11-01T12:00:00.000Z");
    expect(raw.global?._id).toBe("global_trends:30d");
    expect(raw.global?.type).toBe("global_trends");
    // One document per user and ownership epoch: looked up by an index on user_id, not a unique one.
    expect(raw.indexes.find((index) => index.name === "user_id_unique")).toBeUndefined();
    expect(raw.indexes.find((index) => index.name === "user_id")?.key).toEqual({ user_id: 1 });
  });

  it("when a stored document is corrupted by hand, then reading it is a StoreUnavailable, not a crash", async () => {
    const outcome = await Effect.runPromise(
      Effect.gen(function* () {
        const users = yield* UserStatsStore;
        const { db } = yield* MongoDatabase;
        yield* Effect.promise(() =>
          db
            .collection(USER_STATS_COLLECTION)
            .insertOne({ _id: "u-9", user_id: "u-9", stats: { nope: 1 } } as never),
        );
        return yield* Effect.either(users.get("u-9"));
      }).pipe(Effect.provide(layer()), Effect.scoped),
    );
    expect(outcome._tag).toBe("Left");
    expect(outcome._tag === "Left" && outcome.left._tag).toBe("StoreUnavailable");
  });
});

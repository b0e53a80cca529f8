import { Duration, Effect, Layer } from "effect";
import { describe, expect, it } from "vitest";
import { requireEnv } from "../test-support.ts";
import { DuplicateKeyError, isDuplicateKeyError, tryMongo, tryMongoWrite } from "./errors.ts";
import { MongoDatabaseLive } from "./layer.ts";
import { MongoDatabase } from "./MongoDatabase.ts";
import type { StoreUnavailable } from "../store-errors.ts";
import { MongoDatabaseFresh } from "./test-support.ts";

requireEnv("MONGODB_URL");

const run = <A, E>(effect: Effect.Effect<A, E, MongoDatabase>) =>
  Effect.runPromise(effect.pipe(Effect.provide(MongoDatabaseFresh("int_mongo"))));

describe("a connected MongoDatabase", () => {
  it("given the int server, when connected, then it answers ping and names the database from the layer", () =>
    run(
      Effect.gen(function* () {
        const { db } = yield* MongoDatabase;
        expect(db.databaseName).toMatch(/^int_mongo_/);
        const pong = yield* tryMongo("ping", () => db.command({ ping: 1 }));
        expect(pong.ok).toBe(1);
        const info = yield* tryMongo("buildInfo", () => db.command({ buildInfo: 1 }));
        expect(typeof info.version).toBe("string");
      }),
    ));

  it("given a command the server does not know, when run, then it is a StoreUnavailable, not a duplicate", () =>
    run(
      Effect.gen(function* () {
        const { db } = yield* MongoDatabase;
        const error = yield* Effect.flip(tryMongoWrite("bogus", () => db.command({ noSuchCommand: 1 })));
        expect(error._tag).toBe("StoreUnavailable");
        expect(isDuplicateKeyError(error)).toBe(false);
      }),
    ));
});

describe("lookups the stores count on being indexed", () => {
  // Every store keys its hot writes by `_id` because it is the one lookup FerretDB answers from an
  // index, and only with scripts/infra/ferretdb/patches/sqlite-id-index.patch: without it, each
  // update or delete by `_id` scanned the whole collection. The plan says which one is running.
  it("given documents keyed by _id, when a find by _id is explained, then the server looks it up in the _id index", () =>
    run(
      Effect.gen(function* () {
        const { db } = yield* MongoDatabase;
        const collection = db.collection("by_id");
        yield* tryMongoWrite("seed", () =>
          collection.insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: `k${i}` as never, i }))),
        );
        const info = yield* tryMongo("buildInfo", () => db.command({ buildInfo: 1 }));
        const explained = yield* tryMongo("explain", () =>
          db.command({ explain: { find: "by_id", filter: { _id: "k7" } } }),
        );
        const plan = JSON.stringify(explained.queryPlanner);
        if ("ferretdbVersion" in info) {
          // FerretDB's SQLite backend reports SQLite's own plan: SEARCH ... USING INDEX, not SCAN.
          expect(plan).toMatch(/SEARCH \S+ USING INDEX \S+__id_/);
          expect(plan).not.toMatch(/\bSCAN\b/);
        } else {
          expect(plan).toMatch(/IDHACK|EXPRESS_IXSCAN|IXSCAN/);
        }
      }),
    ));

  it("given an index on user_id, when a find by user_id $in is explained, then the server looks the users up in that index", () =>
    run(
      Effect.gen(function* () {
        const { db } = yield* MongoDatabase;
        const collection = db.collection("by_user");
        yield* tryMongo("createIndex", () => collection.createIndex({ user_id: 1 }, { name: "user_id" }));
        yield* tryMongoWrite("seed", () =>
          collection.insertMany(
            Array.from({ length: 30 }, (_, i) => ({
              _id: `k${i}` as never,
              user_id: `u${i % 5}`,
              tags: ["x"],
            })),
          ),
        );
        const info = yield* tryMongo("buildInfo", () => db.command({ buildInfo: 1 }));
        const explained = yield* tryMongo("explain", () =>
          db.command({ explain: { find: "by_user", filter: { user_id: { $in: ["u1", "u3"] } } } }),
        );
        const plan = JSON.stringify(explained.queryPlanner);
        if ("ferretdbVersion" in info) expect(plan).toMatch(/SEARCH \S+ USING INDEX \S+_user_id/);
        else expect(plan).toMatch(/IXSCAN/);
        const found = yield* tryMongo("find", () =>
          collection.find({ user_id: { $in: ["u1", "u3"] } }).toArray(),
        );
        expect(found.map((d) => d._id).sort()).toEqual(
          ["k1", "k3", "k6", "k8", "k11", "k13", "k16", "k18", "k21", "k23", "k26", "k28"].sort(),
        );
        // An unindexed array field keeps MongoDB's meaning: equality matches an element.
        const tagged = yield* tryMongo("count", () => collection.countDocuments({ tags: "x" }));
        expect(tagged).toBe(30);
      }),
    ));
});

describe("a collection with a unique index", () => {
  const withIndexedCollection = <A, E>(
    body: (collection: ReturnType<MongoDatabase["Type"]["db"]["collection"]>) => Effect.Effect<A, E>,
  ) =>
    run(
      Effect.gen(function* () {
        const { db } = yield* MongoDatabase;
        const collection = db.collection("movies");
        yield* tryMongo("createIndex", () =>
          collection.createIndex({ user_id: 1, movie_id: 1 }, { unique: true, name: "user_movie_unique" }),
        );
        yield* tryMongoWrite("seed", () =>
          collection.insertOne({ _id: "u1|m1" as never, user_id: "u1", movie_id: "m1" }),
        );
        return yield* body(collection);
      }),
    );

  const expectDuplicate = (error: StoreUnavailable | DuplicateKeyError) => {
    expect(error).toBeInstanceOf(DuplicateKeyError);
    expect(error._tag).toBe("DuplicateKeyError");
    expect(isDuplicateKeyError(error)).toBe(true);
  };

  it("given an existing entry, when the same key is inserted again, then it is a DuplicateKeyError", () =>
    withIndexedCollection((collection) =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(
          tryMongoWrite("insert", () => collection.insertOne({ user_id: "u1", movie_id: "m1" })),
        );
        expectDuplicate(error);
        expect(error.message).toMatch(/duplicate key/i);
      }),
    ));

  it("given an existing _id, when a document with that _id is inserted, then it is a DuplicateKeyError", () =>
    withIndexedCollection((collection) =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(
          tryMongoWrite("insert", () =>
            collection.insertOne({ _id: "u1|m1" as never, user_id: "u9", movie_id: "m9" }),
          ),
        );
        expectDuplicate(error);
      }),
    ));

  it("given an existing entry, when an unordered insertMany contains it, then it is a DuplicateKeyError and the others are written", () =>
    withIndexedCollection((collection) =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(
          tryMongoWrite("insertMany", () =>
            collection.insertMany(
              [
                { user_id: "u2", movie_id: "m1" },
                { user_id: "u1", movie_id: "m1" },
                { user_id: "u3", movie_id: "m1" },
              ],
              { ordered: false },
            ),
          ),
        );
        expectDuplicate(error);
        const count = yield* tryMongo("count", () => collection.countDocuments({}));
        expect(count).toBe(3);
      }),
    ));

  it("given an existing entry, when an upsert would create a second one with its key, then it is a DuplicateKeyError", () =>
    withIndexedCollection((collection) =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(
          tryMongoWrite("upsert", () =>
            collection.updateOne(
              { _id: "other" as never },
              { $set: { user_id: "u1", movie_id: "m1" } },
              { upsert: true },
            ),
          ),
        );
        expectDuplicate(error);
      }),
    ));

  it("given distinct keys, when inserted, then nothing is reported", () =>
    withIndexedCollection((collection) =>
      Effect.gen(function* () {
        const result = yield* tryMongoWrite("insert", () =>
          collection.insertOne({ user_id: "u1", movie_id: "m2" }),
        );
        expect(result.acknowledged).toBe(true);
      }),
    ));
});

describe("a MongoDB server that is not there", () => {
  it("given a closed port, when the layer is built, then it fails with StoreUnavailable within its bound", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const error = yield* Layer.build(
          MongoDatabaseLive("mongodb://127.0.0.1:1/cinematch", { serverSelectionTimeoutMs: 1_000 }),
        ).pipe(
          Effect.scoped,
          Effect.flip,
          Effect.timeoutFail({
            duration: Duration.seconds(10),
            onTimeout: () => new Error("connecting to a closed port did not fail within 10 s: a hang"),
          }),
        );
        expect(error._tag).toBe("StoreUnavailable");
        expect(error.message).toMatch(/ECONNREFUSED|Server selection timed out|connect/i);
      }),
    ));
});

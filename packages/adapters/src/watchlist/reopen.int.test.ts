import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { requireEnv } from "../testing.ts";
import { tryMongo } from "../mongo/errors.ts";
import { MongoDatabase } from "../mongo/MongoDatabase.ts";
import { MongoDatabaseFresh } from "../mongo/test-support.ts";
import { makeWatchlistStoreMongo, WATCHLIST_COLLECTION } from "./mongo.ts";

requireEnv("MONGODB_URL");

describe("a movies collection that already has its indexes", () => {
  it("given one store opened it, when more stores open it (another process starting), then each starts and the indexes stay", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        yield* makeWatchlistStoreMongo;
        yield* makeWatchlistStoreMongo;
        yield* makeWatchlistStoreMongo;
        const { db } = yield* MongoDatabase;
        const pong = yield* tryMongo("ping", () => db.command({ ping: 1 }));
        expect(pong.ok).toBe(1);
        const names = (yield* tryMongo("indexes", () => db.collection(WATCHLIST_COLLECTION).indexes())).map(
          (index) => index.name,
        );
        expect(names).toEqual(
          expect.arrayContaining(["user_movie_unique", "pending", "user_id", "added_at"]),
        );
      }).pipe(Effect.provide(MongoDatabaseFresh("int_reopen"))),
    ));
});

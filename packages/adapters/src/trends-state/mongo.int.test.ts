import { Effect, Layer } from "effect";
import { describe, expect, it } from "vitest";
import { MongoDatabase } from "../mongo/MongoDatabase.ts";
import { layerMongoDatabaseFresh } from "../mongo/test-support.ts";
import { TrendsStateStoreMongo } from "./mongo.ts";
import { sampleTrendState, trendsStateStoreContract } from "./TrendsStateStore.contract.ts";
import {
  TREND_CHECKPOINTS_COLLECTION,
  TREND_FILM_STATE_COLLECTION,
  TrendsStateStore,
} from "./TrendsStateStore.ts";
import { takeChanges } from "@cinematch/domain";

const layer = () => TrendsStateStoreMongo.pipe(Layer.provideMerge(layerMongoDatabaseFresh("trends_state")));

trendsStateStoreContract("MongoDB wire (FerretDB)", layer);

describe("trends state in MongoDB, given a saved partition", () => {
  it("when the raw documents are read, then they are bounded per film, keyed by partition and film, with no data-made field names", async () => {
    const raw = await Effect.runPromise(
      Effect.gen(function* () {
        const store = yield* TrendsStateStore;
        const { db } = yield* MongoDatabase;
        const changes = takeChanges(sampleTrendState(5, 4));
        yield* store.writePieces(changes.upserts, []);
        yield* store.putCheckpoints([{ checkpoint: changes.checkpoint, bootstrap_complete: true }]);
        return yield* Effect.promise(async () => ({
          piece: await db.collection(TREND_FILM_STATE_COLLECTION).findOne({ _id: "5|ml-2" } as never),
          checkpoint: await db.collection(TREND_CHECKPOINTS_COLLECTION).findOne({ _id: "5" } as never),
        }));
      }).pipe(Effect.provide(layer()), Effect.scoped),
    );
    expect(raw.piece?.title).toBe("Mr. Smith 2");
    expect(Array.isArray(raw.piece?.days)).toBe(true);
    expect(Object.keys(raw.piece ?? {}).sort()).toEqual(
      [
        "_id",
        "all_time",
        "applied_offset",
        "days",
        "genres",
        "movie_id",
        "partition",
        "poster_path",
        "recent_events",
        "snapshot_time",
        "title",
      ].sort(),
    );
    expect(raw.checkpoint).toMatchObject({ partition: 5, bootstrap_complete: true });
  });
});

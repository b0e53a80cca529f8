import { takeChanges } from "@cinematch/domain";
import { Effect, Layer } from "effect";
import { describe, expect, it } from "vitest";
import { MongoDatabase } from "../mongo/MongoDatabase.ts";
import { MongoDatabaseFresh } from "../mongo/test-support.ts";
import { makeTrendsStateStoreMongo, TrendsStateStoreMongo } from "./mongo.ts";
import { sampleTrendState, trendsStateStoreContract } from "./TrendsStateStore.contract.ts";
import {
  TREND_CHECKPOINTS_COLLECTION,
  TREND_FILM_STATE_COLLECTION,
  TrendsStateStore,
} from "./TrendsStateStore.ts";

const layer = () => TrendsStateStoreMongo.pipe(Layer.provideMerge(MongoDatabaseFresh("trends_state")));

trendsStateStoreContract("MongoDB wire (FerretDB)", layer);

describe("trends state in MongoDB", () => {
  describe("given a saved partition", () => {
    it("when the raw documents are read, then each is one film's version, keyed by partition, film and version, with no data-made field names", async () => {
      const raw = await Effect.runPromise(
        Effect.gen(function* () {
          const store = yield* TrendsStateStore;
          const { db } = yield* MongoDatabase;
          const changes = takeChanges(sampleTrendState(5, 4));
          yield* store.writePieces(changes.upserts, []);
          yield* store.putCheckpoints([{ checkpoint: changes.checkpoint, bootstrap_complete: true }]);
          return yield* Effect.promise(async () => ({
            piece: await db.collection(TREND_FILM_STATE_COLLECTION).findOne({ _id: "5|ml-2|1" } as never),
            checkpoint: await db.collection(TREND_CHECKPOINTS_COLLECTION).findOne({ _id: "5" } as never),
          }));
        }).pipe(Effect.provide(layer()), Effect.scoped),
      );
      expect(raw.piece?.title).toBe("Mr. Smith 2");
      expect(Array.isArray(raw.piece?.days)).toBe(true);
      expect(Object.keys(raw.piece ?? {}).sort()).toEqual(
        [
          "_id",
          "v",
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

  describe("given pieces rewritten and removed many times by one process", () => {
    it("when another process reads them, then it sees each film's latest state; compaction keeps that and drops old versions", async () => {
      const outcome = await Effect.runPromise(
        Effect.gen(function* () {
          const writer = yield* makeTrendsStateStoreMongo({ compactAfter: 25 });
          const { db } = yield* MongoDatabase;
          const base = takeChanges(sampleTrendState(1, 20)).upserts;
          yield* writer.writePieces(base, []);
          for (let round = 1; round <= 4; round++) {
            yield* writer.writePieces(
              base.slice(round).map((piece) => ({ ...piece, all_time: piece.all_time + round })),
              [{ partition: 1, movie_id: base[round - 1]!.movie_id }],
            );
          }
          // A film removed and then back again.
          yield* writer.writePieces([{ ...base[0]!, all_time: 99 }], []);
          const reader = yield* makeTrendsStateStoreMongo();
          const seen = yield* reader.piecesOf(1);
          const documents = yield* Effect.promise(() =>
            db.collection(TREND_FILM_STATE_COLLECTION).countDocuments(),
          );
          return { seen, documents, base };
        }).pipe(Effect.provide(MongoDatabaseFresh("trends_state_versions")), Effect.scoped),
      );
      const expected = [
        { ...outcome.base[0]!, all_time: 99 },
        ...outcome.base.slice(4).map((piece) => ({ ...piece, all_time: piece.all_time + 4 })),
      ].sort((a, b) => (a.movie_id < b.movie_id ? -1 : 1));
      expect(outcome.seen).toEqual(expected);
      // 20 + 19 + 18 + 17 + 16 versions and 4 tombstones were written; compaction (after 25
      // superseded) must have deleted most of the superseded ones.
      expect(outcome.documents).toBeLessThan(60);
    });
  });
});

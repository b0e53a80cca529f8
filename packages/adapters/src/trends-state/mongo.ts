import { TrendCheckpoint, TrendFilmPiece } from "@cinematch/domain";
import { Effect, Either, Layer, ParseResult, Schema } from "effect";
import type { AnyBulkWriteOperation, Document } from "mongodb";
import { MongoDatabase, MongoError } from "../mongo/MongoDatabase.ts";
import { tryMongo } from "../mongo/errors.ts";
import { bulkWriteInChunks, type KeyedDocument } from "../read-models/bulk.ts";
import {
  TREND_CHECKPOINTS_COLLECTION,
  TREND_FILM_STATE_COLLECTION,
  type TrendPartitionCheckpoint,
  TrendsStateStore,
  type TrendsStateStoreService,
  trendPieceId,
} from "./TrendsStateStore.ts";

/**
 * The trends state on MongoDB (and FerretDB 1.24). Pieces: `{ _id: "<partition>|<movie_id>",
 * partition, movie_id, title, poster_path, genres, snapshot_time, days: [{day, count}], all_time,
 * applied_offset, recent_events: [{event_id, minute}] }`, indexed by partition. Checkpoints:
 * `{ _id: "<partition>", partition, applied_offset, watermark, floor_day, bootstrap_complete }`.
 *
 * Reads by partition use an equality filter (FerretDB pushes only equality down to SQL; `$in` and
 * ranges scan the collection in Go). Writes are whole-document replaces in unordered bulk writes of
 * at most 50 operations (read-models/bulk.ts: FerretDB hangs on 100+ updates in one command).
 */
const decodeWith = <A, I>(schema: Schema.Schema<A, I, never>, operation: string) => {
  const decode = Schema.decodeUnknownEither(schema, { onExcessProperty: "ignore" });
  return (doc: Document): Effect.Effect<A, MongoError> =>
    Either.match(decode(doc), {
      onLeft: (error) =>
        Effect.fail(
          new MongoError({
            operation,
            message: `stored document does not fit its schema: ${ParseResult.TreeFormatter.formatErrorSync(error)}`,
            cause: error,
          }),
        ),
      onRight: Effect.succeed,
    });
};

export const makeTrendsStateStoreMongo = Effect.gen(function* () {
  const { db } = yield* MongoDatabase;
  const pieces = db.collection<KeyedDocument>(TREND_FILM_STATE_COLLECTION);
  const checkpoints = db.collection<KeyedDocument>(TREND_CHECKPOINTS_COLLECTION);
  yield* tryMongo("trend_film_state.createIndex", () =>
    pieces.createIndex({ partition: 1 }, { name: "partition" }),
  );
  const encodePiece = Schema.encodeSync(TrendFilmPiece);
  const encodeCheckpoint = Schema.encodeSync(TrendCheckpoint);
  const decodePiece = decodeWith(TrendFilmPiece, "trend_film_state.read");
  const decodeCheckpoint = decodeWith(TrendCheckpoint, "trend_checkpoints.read");
  const toCheckpoint = (doc: Document) =>
    Effect.map(
      decodeCheckpoint(doc),
      (checkpoint): TrendPartitionCheckpoint => ({
        checkpoint,
        bootstrap_complete: doc.bootstrap_complete === true,
      }),
    );

  const service: TrendsStateStoreService = {
    checkpoints: tryMongo("trend_checkpoints.read", () => checkpoints.find({}).toArray()).pipe(
      Effect.flatMap((docs) => Effect.forEach(docs, toCheckpoint)),
      Effect.map((list) => [...list].sort((a, b) => a.checkpoint.partition - b.checkpoint.partition)),
    ),
    checkpointOf: (partition) =>
      tryMongo("trend_checkpoints.read", () => checkpoints.findOne({ _id: String(partition) })).pipe(
        Effect.flatMap((doc) => (doc === null ? Effect.succeedNone : Effect.asSome(toCheckpoint(doc)))),
      ),
    putCheckpoints: (list) =>
      Effect.suspend(() => {
        const operations: Array<AnyBulkWriteOperation<KeyedDocument>> = list.map(
          ({ checkpoint, bootstrap_complete }) => {
            const encoded = encodeCheckpoint(checkpoint);
            return {
              replaceOne: {
                filter: { _id: String(encoded.partition) },
                replacement: { ...encoded, bootstrap_complete },
                upsert: true,
              },
            };
          },
        );
        return bulkWriteInChunks(checkpoints, operations, "trend_checkpoints.put");
      }),
    piecesOf: (partition) =>
      tryMongo("trend_film_state.read", () => pieces.find({ partition }).toArray()).pipe(
        Effect.flatMap((docs) => Effect.forEach(docs, decodePiece)),
        Effect.map((list) =>
          [...list].sort((a, b) => (a.movie_id < b.movie_id ? -1 : a.movie_id > b.movie_id ? 1 : 0)),
        ),
      ),
    partitionsWithPieces: tryMongo("trend_film_state.partitions", () => pieces.distinct("partition")).pipe(
      Effect.map((values) =>
        values.filter((value): value is number => typeof value === "number").sort((a, b) => a - b),
      ),
    ),
    writePieces: (upserts, removals) =>
      Effect.suspend(() => {
        const operations: Array<AnyBulkWriteOperation<KeyedDocument>> = [
          ...upserts.map((piece): AnyBulkWriteOperation<KeyedDocument> => {
            const encoded = encodePiece(piece);
            return {
              replaceOne: {
                filter: { _id: trendPieceId(encoded.partition, encoded.movie_id) },
                replacement: { ...encoded },
                upsert: true,
              },
            };
          }),
          ...removals.map(
            ({ partition, movie_id }): AnyBulkWriteOperation<KeyedDocument> => ({
              deleteOne: { filter: { _id: trendPieceId(partition, movie_id) } },
            }),
          ),
        ];
        return bulkWriteInChunks(pieces, operations, "trend_film_state.write");
      }),
    clearPartition: (partition) =>
      tryMongo("trend_checkpoints.delete", () => checkpoints.deleteOne({ _id: String(partition) })).pipe(
        Effect.zipRight(tryMongo("trend_film_state.clear", () => pieces.deleteMany({ partition }))),
        Effect.asVoid,
      ),
  };
  return service;
});

export const TrendsStateStoreMongo: Layer.Layer<TrendsStateStore, MongoError, MongoDatabase> = Layer.effect(
  TrendsStateStore,
  makeTrendsStateStoreMongo,
);

import { TrendCheckpoint, TrendFilmPiece } from "@cinematch/domain";
import { Effect, Layer, Schema } from "effect";
import type { AnyBulkWriteOperation, Document } from "mongodb";
import { tryMongo } from "../mongo/errors.ts";
import { MongoDatabase } from "../mongo/MongoDatabase.ts";
import type { StoreUnavailable } from "../store-errors.ts";
import { bulkWriteInChunks, type KeyedDocument } from "../mongo/bulk.ts";
import {
  TREND_CHECKPOINTS_COLLECTION,
  TREND_FILM_STATE_COLLECTION,
  type TrendPartitionCheckpoint,
  TrendsStateStore,
  type TrendsStateStoreService,
} from "./TrendsStateStore.ts";
import { decodeStored } from "../mongo/decode-stored.ts";

/**
 * The trends state on MongoDB (and FerretDB 1.24).
 *
 * PIECES ARE WRITTEN BY INSERTING NEW VERSIONS, never by updating in place:
 * `{ _id: "<partition>|<movie_id>|<v>", v, partition, movie_id, title, poster_path, genres,
 * snapshot_time, days: [{day, count}], all_time, applied_offset, recent_events: [{event_id, minute}] }`,
 * and a removed film gets a tombstone version `{ _id, v, partition, movie_id, removed: true }`. A
 * film's state is its highest version. Why: FerretDB 1.24 on SQLite finds a document by `_id` for an
 * update or a delete by evaluating a JSON path on EVERY row (its `_id` index is on another
 * expression), so each replace costs time proportional to the collection (measured: ~25 ms per
 * replace at 5,000 documents, ~110 ms at 20,000), while an insert uses the index (~0.05 ms per
 * document in `insertMany`). Writing a batch's changed films is then one `insertMany`, whatever
 * the collection's size. Every document stays bounded (one film, one partition).
 *
 * Crash safety is unchanged: a batch's versions are inserted before its checkpoint; an insert that
 * stopped half-way leaves some films at their new version (ahead of the checkpoint, which the domain
 * handles) and others at their old one. Superseded versions are deleted in the background of writes
 * (`compactAfter` of them at a time, one collection scan per call on FerretDB); deleting a version
 * that is not a film's highest never changes what a reader sees. Versions are numbered from what
 * this process read (`piecesOf*`, or a cleared partition); it re-reads a partition after a failed
 * write, so one writer per partition (the consumer group's owner) never reuses a number.
 *
 * Checkpoints (`trend_checkpoints`) are one small document per partition and ownership epoch,
 * `_id: "<partition>"` for epoch 0 (no ownership) or `"<partition>|<epoch>"`, replaced in place by
 * that epoch's owner alone; a partition's checkpoint is its highest epoch's. Piece versions written
 * under an epoch > 0 carry it (`epoch`, `_id: "<partition>|<movie_id>|<epoch>|<v>"`) and rank by
 * (epoch, v): a superseded owner's late write never hides its successor's. Older epochs'
 * checkpoints are deleted once the new epoch's is written.
 */

export interface TrendsStateMongoOptions {
  /** Superseded piece versions kept before they are deleted. Default 20,000. */
  readonly compactAfter?: number;
}

interface Version {
  readonly epoch: number;
  readonly v: number;
  readonly id: string;
}

const epochOf = (doc: Document): number => (typeof doc.epoch === "number" ? doc.epoch : 0);
const ranksAbove = (a: Document, b: Document) =>
  epochOf(a) > epochOf(b) || (epochOf(a) === epochOf(b) && (a.v as number) > (b.v as number));

const INSERT_CHUNK = 1000;
const DELETE_CHUNK = 5000;

export const makeTrendsStateStoreMongo = (options: TrendsStateMongoOptions = {}) =>
  Effect.gen(function* () {
    const { db } = yield* MongoDatabase;
    const pieces = db.collection<KeyedDocument>(TREND_FILM_STATE_COLLECTION);
    const checkpoints = db.collection<KeyedDocument>(TREND_CHECKPOINTS_COLLECTION);
    yield* tryMongo("trend_film_state.createIndex", () =>
      pieces.createIndex({ partition: 1 }, { name: "partition" }),
    );
    const compactAfter = options.compactAfter ?? 20_000;
    const encodePiece = Schema.encodeSync(TrendFilmPiece);
    const encodeCheckpoint = Schema.encodeSync(TrendCheckpoint);
    const decodePiece = decodeStored(TrendFilmPiece, "trend_film_state.read");
    const decodeCheckpoint = decodeStored(TrendCheckpoint, "trend_checkpoints.read");
    const toCheckpoint = (doc: Document) =>
      Effect.map(
        decodeCheckpoint(doc),
        (checkpoint): TrendPartitionCheckpoint => ({
          checkpoint,
          bootstrap_complete: doc.bootstrap_complete === true,
          epoch: epochOf(doc),
          base_epoch: typeof doc.base_epoch === "number" ? doc.base_epoch : 0,
        }),
      );
    /** Each partition's highest-epoch checkpoint document. */
    const latestByPartition = (docs: ReadonlyArray<Document>) => {
      const latest = new Map<number, Document>();
      for (const doc of docs) {
        const current = latest.get(doc.partition as number);
        if (current === undefined || epochOf(doc) > epochOf(current))
          latest.set(doc.partition as number, doc);
      }
      return latest;
    };
    const checkpointId = (partition: number, epoch: number) =>
      epoch === 0 ? String(partition) : `${partition}|${epoch}`;
    /** Partition|epoch pairs whose older checkpoints this process already deleted. */
    const retired = new Set<string>();

    /** Partition → film → its highest version, for partitions whose versions this process knows. */
    const versions = new Map<number, Map<string, Version>>();
    /** Ids of versions that are no longer a film's highest: safe to delete at any time. */
    let superseded: Array<string> = [];

    /** Takes the documents of these partitions (every version), keeps each film's highest, notes the rest. */
    const absorb = (
      partitions: ReadonlyArray<number>,
      docs: ReadonlyArray<Document>,
      baseEpochs?: ReadonlyMap<number, number>,
    ) => {
      const wanted = new Set(partitions);
      const highest = new Map<number, Map<string, Document>>();
      for (const partition of partitions) highest.set(partition, new Map());
      superseded = superseded.filter((id) => !wanted.has(Number(id.slice(0, id.indexOf("|")))));
      for (const doc of docs) {
        const byFilm = highest.get(doc.partition as number);
        if (byFilm === undefined) continue;
        if (epochOf(doc) < (baseEpochs?.get(doc.partition as number) ?? 0)) {
          // Written for an older state of the partition (before its latest bootstrap).
          superseded.push(doc._id as string);
          continue;
        }
        const current = byFilm.get(doc.movie_id as string);
        if (current === undefined || ranksAbove(doc, current)) {
          if (current !== undefined) superseded.push(current._id as string);
          byFilm.set(doc.movie_id as string, doc);
        } else superseded.push(doc._id as string);
      }
      const live = new Map<number, Array<Document>>();
      for (const [partition, byFilm] of highest) {
        const known = new Map<string, Version>();
        const docsOfPartition: Array<Document> = [];
        for (const [movie_id, doc] of byFilm) {
          known.set(movie_id, { epoch: epochOf(doc), v: doc.v as number, id: doc._id as string });
          if (doc.removed !== true) docsOfPartition.push(doc);
        }
        versions.set(partition, known);
        live.set(partition, docsOfPartition);
      }
      return live;
    };

    const readPartitions = (partitions: ReadonlyArray<number>, projection?: Document) =>
      tryMongo("trend_film_state.read", () =>
        // FerretDB pushes only equality down: one partition by equality, several in one scan.
        (partitions.length === 1 ? pieces.find({ partition: partitions[0]! }) : pieces.find({}))
          .project(projection ?? {})
          .toArray(),
      );

    const piecesOfPartitions = (
      partitions: ReadonlyArray<number>,
      baseEpochs?: ReadonlyMap<number, number>,
    ) =>
      Effect.gen(function* () {
        if (partitions.length === 0) return new Map<number, ReadonlyArray<TrendFilmPiece>>();
        const live = absorb(partitions, yield* readPartitions(partitions), baseEpochs);
        const out = new Map<number, ReadonlyArray<TrendFilmPiece>>();
        for (const [partition, docs] of live) {
          const decoded = yield* Effect.forEach(docs, decodePiece);
          out.set(
            partition,
            decoded.sort((a, b) => (a.movie_id < b.movie_id ? -1 : a.movie_id > b.movie_id ? 1 : 0)),
          );
        }
        return out;
      });

    const compact = Effect.gen(function* () {
      const ids = superseded;
      superseded = [];
      for (let start = 0; start < ids.length; start += DELETE_CHUNK) {
        const chunk = ids.slice(start, start + DELETE_CHUNK);
        yield* tryMongo("trend_film_state.compact", () => pieces.deleteMany({ _id: { $in: chunk } }));
      }
    });

    const writePieces: TrendsStateStoreService["writePieces"] = (upserts, removals, epoch = 0) =>
      Effect.gen(function* () {
        const involved = [
          ...new Set([...upserts.map((p) => p.partition), ...removals.map((r) => r.partition)]),
        ];
        const unknown = involved.filter((partition) => !versions.has(partition));
        if (unknown.length > 0) {
          absorb(
            unknown,
            yield* readPartitions(unknown, { _id: 1, v: 1, partition: 1, movie_id: 1, removed: 1 }),
          );
        }
        const next = new Map<
          string,
          { partition: number; movie_id: string; version: Version; old?: Version }
        >();
        const docs: Array<KeyedDocument> = [];
        const bump = (partition: number, movie_id: string) => {
          const old = versions.get(partition)?.get(movie_id);
          const v = (old?.v ?? 0) + 1;
          const id = epoch === 0 ? `${partition}|${movie_id}|${v}` : `${partition}|${movie_id}|${epoch}|${v}`;
          next.set(`${partition}|${movie_id}`, {
            partition,
            movie_id,
            version: { epoch, v, id },
            ...(old === undefined ? {} : { old }),
          });
          return { id, v, old };
        };
        for (const piece of upserts) {
          const { id, v } = bump(piece.partition, piece.movie_id);
          docs.push({ _id: id, v, ...(epoch === 0 ? {} : { epoch }), ...encodePiece(piece) });
        }
        for (const { partition, movie_id } of removals) {
          if (versions.get(partition)?.get(movie_id) === undefined) continue; // nothing saved: nothing to remove
          const { id, v } = bump(partition, movie_id);
          docs.push({ _id: id, v, ...(epoch === 0 ? {} : { epoch }), partition, movie_id, removed: true });
        }
        for (let start = 0; start < docs.length; start += INSERT_CHUNK) {
          const chunk = docs.slice(start, start + INSERT_CHUNK);
          yield* tryMongo("trend_film_state.write", () => pieces.insertMany(chunk, { ordered: false })).pipe(
            // Which versions got in is unknown now: forget these partitions' versions (re-read on next use).
            Effect.tapError(() =>
              Effect.sync(() => {
                for (const partition of involved) versions.delete(partition);
              }),
            ),
          );
        }
        for (const { partition, movie_id, version, old } of next.values()) {
          versions.get(partition)?.set(movie_id, version);
          if (old !== undefined) superseded.push(old.id);
        }
        if (superseded.length >= compactAfter) yield* compact;
      });

    const readCheckpoints = (partition?: number) =>
      tryMongo("trend_checkpoints.read", () =>
        checkpoints.find(partition === undefined ? {} : { partition }).toArray(),
      );

    /** Deletes the partition's checkpoints of epochs below `epoch` (their owners were superseded). */
    const retire = (partition: number, epoch: number) =>
      Effect.gen(function* () {
        const key = `${partition}|${epoch}`;
        if (epoch === 0 || retired.has(key)) return;
        const older = (yield* readCheckpoints(partition))
          .filter((doc) => epochOf(doc) < epoch)
          .map((doc) => doc._id);
        if (older.length > 0) {
          yield* tryMongo("trend_checkpoints.retire", () => checkpoints.deleteMany({ _id: { $in: older } }));
        }
        retired.add(key);
      });

    const service: TrendsStateStoreService = {
      checkpoints: readCheckpoints().pipe(
        Effect.flatMap((docs) => Effect.forEach(latestByPartition(docs).values(), toCheckpoint)),
        Effect.map((list) => [...list].sort((a, b) => a.checkpoint.partition - b.checkpoint.partition)),
      ),
      checkpointOf: (partition) =>
        readCheckpoints(partition).pipe(
          Effect.flatMap((docs) => {
            const doc = latestByPartition(docs).get(partition);
            return doc === undefined ? Effect.succeedNone : Effect.asSome(toCheckpoint(doc));
          }),
        ),
      putCheckpoints: (list) =>
        Effect.gen(function* () {
          const operations: Array<AnyBulkWriteOperation<KeyedDocument>> = list.map(
            ({ checkpoint, bootstrap_complete, epoch = 0, base_epoch = 0 }) => {
              const encoded = encodeCheckpoint(checkpoint);
              return {
                replaceOne: {
                  filter: { _id: checkpointId(encoded.partition, epoch) },
                  replacement: { ...encoded, bootstrap_complete, epoch, base_epoch },
                  upsert: true,
                },
              };
            },
          );
          yield* bulkWriteInChunks(checkpoints, operations, "trend_checkpoints.put");
          for (const { checkpoint, epoch = 0 } of list) yield* retire(checkpoint.partition, epoch);
        }),
      piecesOf: (partition, baseEpoch = 0) =>
        Effect.map(
          piecesOfPartitions([partition], new Map([[partition, baseEpoch]])),
          (byPartition) => byPartition.get(partition) ?? [],
        ),
      piecesOfPartitions,
      partitionsWithPieces: tryMongo("trend_film_state.partitions", () => pieces.distinct("partition")).pipe(
        Effect.map((values) =>
          values.filter((value): value is number => typeof value === "number").sort((a, b) => a - b),
        ),
      ),
      writePieces,
      clearPartition: (partition, belowEpoch) =>
        Effect.gen(function* () {
          if (belowEpoch === undefined) {
            yield* tryMongo("trend_checkpoints.delete", () => checkpoints.deleteMany({ partition }));
            yield* tryMongo("trend_film_state.clear", () => pieces.deleteMany({ partition }));
          } else {
            // Only what older epochs wrote: a superseded owner clearing late cannot touch its successors' state.
            const oldCheckpoints = (yield* readCheckpoints(partition))
              .filter((doc) => epochOf(doc) < belowEpoch)
              .map((doc) => doc._id);
            if (oldCheckpoints.length > 0) {
              yield* tryMongo("trend_checkpoints.delete", () =>
                checkpoints.deleteMany({ _id: { $in: oldCheckpoints } }),
              );
            }
            const oldPieces = (yield* readPartitions([partition], { _id: 1, epoch: 1 }))
              .filter((doc) => epochOf(doc) < belowEpoch)
              .map((doc) => doc._id as string);
            for (let start = 0; start < oldPieces.length; start += DELETE_CHUNK) {
              const chunk = oldPieces.slice(start, start + DELETE_CHUNK);
              yield* tryMongo("trend_film_state.clear", () => pieces.deleteMany({ _id: { $in: chunk } }));
            }
          }
          versions.set(partition, new Map());
          superseded = superseded.filter((id) => !id.startsWith(`${partition}|`));
        }),
    };
    return service;
  });

export const TrendsStateStoreMongo: Layer.Layer<TrendsStateStore, StoreUnavailable, MongoDatabase> =
  Layer.effect(TrendsStateStore, makeTrendsStateStoreMongo());

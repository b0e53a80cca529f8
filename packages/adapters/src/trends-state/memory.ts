import { TrendCheckpoint, TrendFilmPiece } from "@cinematch/domain";
import { Effect, Layer, Option, Schema } from "effect";
import { StoreUnavailable } from "../store-errors.ts";
import {
  type TrendPartitionCheckpoint,
  TrendsStateStore,
  type TrendsStateStoreService,
  trendPieceId,
} from "./TrendsStateStore.ts";

const encodePiece = Schema.encodeSync(TrendFilmPiece);
const decodePiece = Schema.decodeUnknownSync(TrendFilmPiece);
const encodeCheckpoint = Schema.encodeSync(TrendCheckpoint);
const decodeCheckpoint = Schema.decodeUnknownSync(TrendCheckpoint);

/**
 * Fault injection for crash tests on the in-memory layer: after `writesBeforeFailure` more
 * single-document writes succeed, every further write fails with `StoreUnavailable` (as if the process
 * died at that instant: the writes before it stay). `undefined` = never fail.
 */
export interface TrendsStateFaults {
  writesBeforeFailure: number | undefined;
  /** Called once when the fault fires (a test closes the runner's scope here: the process "dies"). */
  onFailure?: (() => void) | undefined;
}

interface StoredCheckpoint {
  readonly checkpoint: typeof TrendCheckpoint.Encoded;
  readonly bootstrap_complete: boolean;
}

/**
 * The trends state in memory, kept ENCODED like the Mongo documents. Build the store once and hand
 * it to several runner "lives" (`Layer.succeed(TrendsStateStore, store)`) to test restarts.
 */
export const makeTrendsStateStoreMemory = (
  faults: TrendsStateFaults = { writesBeforeFailure: undefined },
) => {
  const pieces = new Map<string, typeof TrendFilmPiece.Encoded>();
  const checkpoints = new Map<number, StoredCheckpoint>();

  /** One single-document write, subject to the injected fault. */
  const write = (operation: string, body: () => void): Effect.Effect<void, StoreUnavailable> =>
    Effect.suspend(() => {
      if (faults.writesBeforeFailure !== undefined) {
        if (faults.writesBeforeFailure <= 0) {
          const onFailure = faults.onFailure;
          faults.onFailure = undefined;
          onFailure?.();
          return Effect.fail(
            new StoreUnavailable({ operation, message: "injected fault: the process died here" }),
          );
        }
        faults.writesBeforeFailure -= 1;
      }
      body();
      return Effect.void;
    });

  const toCheckpoint = (stored: StoredCheckpoint): TrendPartitionCheckpoint => ({
    checkpoint: decodeCheckpoint(stored.checkpoint),
    bootstrap_complete: stored.bootstrap_complete,
  });

  const service: TrendsStateStoreService = {
    checkpoints: Effect.sync(() =>
      [...checkpoints.entries()].sort(([a], [b]) => a - b).map(([, stored]) => toCheckpoint(stored)),
    ),
    checkpointOf: (partition) =>
      Effect.sync(() => Option.map(Option.fromNullable(checkpoints.get(partition)), toCheckpoint)),
    putCheckpoints: (list) =>
      Effect.forEach(
        list.map((c) => ({
          checkpoint: encodeCheckpoint(c.checkpoint),
          bootstrap_complete: c.bootstrap_complete,
        })),
        (stored) =>
          write("trend_checkpoints.put", () =>
            checkpoints.set(stored.checkpoint.partition, structuredClone(stored)),
          ),
        { discard: true },
      ),
    piecesOf: (partition) =>
      Effect.sync(() =>
        [...pieces.values()]
          .filter((piece) => piece.partition === partition)
          .map((piece) => decodePiece(piece))
          .sort((a, b) => (a.movie_id < b.movie_id ? -1 : a.movie_id > b.movie_id ? 1 : 0)),
      ),
    piecesOfPartitions: (partitions) =>
      Effect.sync(
        () =>
          new Map(
            partitions.map((partition) => [
              partition,
              [...pieces.values()]
                .filter((piece) => piece.partition === partition)
                .map((piece) => decodePiece(piece))
                .sort((a, b) => (a.movie_id < b.movie_id ? -1 : a.movie_id > b.movie_id ? 1 : 0)),
            ]),
          ),
      ),
    partitionsWithPieces: Effect.sync(() =>
      [...new Set([...pieces.values()].map((piece) => piece.partition))].sort((a, b) => a - b),
    ),
    writePieces: (upserts, removals) =>
      Effect.gen(function* () {
        const encoded = upserts.map((piece) => encodePiece(piece));
        for (const piece of encoded) {
          yield* write("trend_film_state.write", () =>
            pieces.set(trendPieceId(piece.partition, piece.movie_id), structuredClone(piece)),
          );
        }
        for (const { partition, movie_id } of removals) {
          yield* write("trend_film_state.delete", () => pieces.delete(trendPieceId(partition, movie_id)));
        }
      }),
    clearPartition: (partition) =>
      Effect.gen(function* () {
        if (checkpoints.has(partition)) {
          yield* write("trend_checkpoints.delete", () => checkpoints.delete(partition));
        }
        for (const [id, piece] of [...pieces.entries()]) {
          if (piece.partition === partition) yield* write("trend_film_state.delete", () => pieces.delete(id));
        }
      }),
  };
  return service;
};

/** A fresh, empty in-memory store. */
export const TrendsStateStoreMemory: Layer.Layer<TrendsStateStore> = Layer.sync(TrendsStateStore, () =>
  makeTrendsStateStoreMemory(),
);

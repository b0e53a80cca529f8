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
  readonly epoch: number;
  readonly base_epoch: number;
}

interface StoredPiece {
  readonly epoch: number;
  readonly v: number;
  /** Undefined for a removal. */
  readonly piece: typeof TrendFilmPiece.Encoded | undefined;
}

const ranksAbove = (a: { epoch: number; v: number }, b: { epoch: number; v: number }) =>
  a.epoch > b.epoch || (a.epoch === b.epoch && a.v > b.v);

/**
 * The trends state in memory, kept ENCODED like the Mongo documents, and ranked by epoch the same
 * way (a late write under a lower epoch never hides a higher one). Build the store once and hand
 * it to several runner "lives" (`Layer.succeed(TrendsStateStore, store)`) to test restarts and zombies.
 */
export const makeTrendsStateStoreMemory = (
  faults: TrendsStateFaults = { writesBeforeFailure: undefined },
) => {
  /** Each film's versions, by `trendPieceId`; a film's state is its highest-ranked version. */
  const pieces = new Map<string, Array<StoredPiece>>();
  /** Partition → epoch → checkpoint. */
  const checkpoints = new Map<number, Map<number, StoredCheckpoint>>();

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

  const latestCheckpoint = (partition: number): StoredCheckpoint | undefined => {
    const byEpoch = checkpoints.get(partition);
    if (byEpoch === undefined || byEpoch.size === 0) return undefined;
    return byEpoch.get(Math.max(...byEpoch.keys()));
  };

  const toCheckpoint = (stored: StoredCheckpoint): TrendPartitionCheckpoint => ({
    checkpoint: decodeCheckpoint(stored.checkpoint),
    bootstrap_complete: stored.bootstrap_complete,
    epoch: stored.epoch,
    base_epoch: stored.base_epoch,
  });

  const highest = (versions: ReadonlyArray<StoredPiece>, baseEpoch: number): StoredPiece | undefined => {
    let best: StoredPiece | undefined;
    for (const version of versions) {
      if (version.epoch < baseEpoch) continue;
      if (best === undefined || ranksAbove(version, best)) best = version;
    }
    return best;
  };

  const livePieces = (partition: number, baseEpoch: number) =>
    [...pieces.values()]
      .flatMap((versions) => {
        const best = highest(versions, baseEpoch);
        return best?.piece !== undefined && best.piece.partition === partition ? [best.piece] : [];
      })
      .map((piece) => decodePiece(piece))
      .sort((a, b) => (a.movie_id < b.movie_id ? -1 : a.movie_id > b.movie_id ? 1 : 0));

  const addVersion = (id: string, epoch: number, piece: typeof TrendFilmPiece.Encoded | undefined) => {
    const versions = pieces.get(id) ?? [];
    const v = versions.reduce((max, version) => Math.max(max, version.v), 0) + 1;
    versions.push({ epoch, v, piece: piece === undefined ? undefined : structuredClone(piece) });
    pieces.set(id, versions);
  };

  const partitionOfId = (id: string) => Number(id.slice(0, id.indexOf("|")));

  const service: TrendsStateStoreService = {
    checkpoints: Effect.sync(() =>
      [...checkpoints.keys()]
        .sort((a, b) => a - b)
        .flatMap((partition) => {
          const latest = latestCheckpoint(partition);
          return latest === undefined ? [] : [toCheckpoint(latest)];
        }),
    ),
    checkpointOf: (partition) =>
      Effect.sync(() => Option.map(Option.fromNullable(latestCheckpoint(partition)), toCheckpoint)),
    putCheckpoints: (list) =>
      Effect.forEach(
        list.map(
          (c): StoredCheckpoint => ({
            checkpoint: encodeCheckpoint(c.checkpoint),
            bootstrap_complete: c.bootstrap_complete,
            epoch: c.epoch ?? 0,
            base_epoch: c.base_epoch ?? 0,
          }),
        ),
        (stored) =>
          write("trend_checkpoints.put", () => {
            const byEpoch =
              checkpoints.get(stored.checkpoint.partition) ?? new Map<number, StoredCheckpoint>();
            byEpoch.set(stored.epoch, structuredClone(stored));
            checkpoints.set(stored.checkpoint.partition, byEpoch);
          }),
        { discard: true },
      ),
    piecesOf: (partition, baseEpoch = 0) => Effect.sync(() => livePieces(partition, baseEpoch)),
    piecesOfPartitions: (partitions, baseEpochs) =>
      Effect.sync(
        () =>
          new Map(
            partitions.map((partition) => [
              partition,
              livePieces(partition, baseEpochs?.get(partition) ?? 0),
            ]),
          ),
      ),
    partitionsWithPieces: Effect.sync(() =>
      [
        ...new Set(
          [...pieces.entries()]
            .filter(([, versions]) => highest(versions, 0)?.piece !== undefined)
            .map(([id]) => partitionOfId(id)),
        ),
      ].sort((a, b) => a - b),
    ),
    writePieces: (upserts, removals, epoch = 0) =>
      Effect.gen(function* () {
        const encoded = upserts.map((piece) => encodePiece(piece));
        for (const piece of encoded) {
          yield* write("trend_film_state.write", () =>
            addVersion(trendPieceId(piece.partition, piece.movie_id), epoch, piece),
          );
        }
        for (const { partition, movie_id } of removals) {
          const id = trendPieceId(partition, movie_id);
          yield* write("trend_film_state.delete", () => addVersion(id, epoch, undefined));
        }
      }),
    clearPartition: (partition, belowEpoch) =>
      Effect.gen(function* () {
        const below = belowEpoch ?? Number.POSITIVE_INFINITY;
        for (const epoch of [...(checkpoints.get(partition)?.keys() ?? [])]) {
          if (epoch < below)
            yield* write("trend_checkpoints.delete", () => checkpoints.get(partition)?.delete(epoch));
        }
        for (const [id, versions] of [...pieces.entries()]) {
          if (partitionOfId(id) !== partition) continue;
          const kept = versions.filter((version) => version.epoch >= below);
          if (kept.length === versions.length) continue;
          yield* write("trend_film_state.delete", () => {
            if (kept.length === 0) pieces.delete(id);
            else pieces.set(id, kept);
          });
        }
      }),
  };
  return service;
};

/** A fresh, empty in-memory store. */
export const TrendsStateStoreMemory: Layer.Layer<TrendsStateStore> = Layer.sync(TrendsStateStore, () =>
  makeTrendsStateStoreMemory(),
);

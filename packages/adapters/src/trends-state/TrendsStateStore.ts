import type { TrendCheckpoint, TrendFilmPiece } from "@cinematch/domain";
import { Context, type Effect, type Option } from "effect";
import type { StoreUnavailable } from "../store-errors.ts";

/**
 * Where the trends runner keeps its per-partition state between runs, as BOUNDED documents (the
 * domain's pieces, see `@cinematch/domain` trends/pieces.ts), without transactions:
 *
 * - `trend_film_state`: one document per (partition, film) — the film snapshot, day buckets as
 *   `[{day, count}]`, the all-time count, the offset applied to that film, the recent event ids.
 *   `_id: "<partition>|<movie_id>"` (ids never contain `|`). No field name comes from data.
 * - `trend_checkpoints`: one document per partition — the offset applied up to, the watermark, the
 *   floor day, and whether the partition's bootstrap completed. `_id: "<partition>"`.
 *
 * Crash safety comes from the ORDER of the caller's writes (pieces first, then the checkpoint; a
 * bootstrap marks its checkpoints complete only after all its pieces are written) and from each
 * document being written whole by one writer: every method here is idempotent and a stop half-way
 * through a multi-document call leaves documents that are each either old or new, never torn.
 */
export interface TrendPartitionCheckpoint {
  readonly checkpoint: TrendCheckpoint;
  /**
   * False while a bootstrap is writing this partition's pieces: a runner that finds an incomplete
   * (or missing) checkpoint next to pieces clears the partition and bootstraps it again.
   */
  readonly bootstrap_complete: boolean;
  /**
   * The ownership epoch of the writer (`PartitionOwnership`; 0 when ownership is not used). A
   * partition's checkpoint is the one of its highest epoch: a superseded owner writing late only
   * writes its own epoch's document, which readers no longer take.
   */
  readonly epoch?: number;
  /**
   * The epoch whose bootstrap built this state. Pieces written under a lower epoch belong to an
   * older state of the partition (a zombie's late bootstrap, say) and are ignored. Default 0.
   */
  readonly base_epoch?: number;
}

/** A film piece to delete: the film's state in that partition became empty. */
export interface TrendPieceKey {
  readonly partition: number;
  readonly movie_id: string;
}

export interface TrendsStateStoreService {
  /** Every partition's checkpoint, by partition. */
  readonly checkpoints: Effect.Effect<ReadonlyArray<TrendPartitionCheckpoint>, StoreUnavailable>;
  readonly checkpointOf: (
    partition: number,
  ) => Effect.Effect<Option.Option<TrendPartitionCheckpoint>, StoreUnavailable>;
  /** Writes these checkpoints (whole documents, one per partition). */
  readonly putCheckpoints: (
    checkpoints: ReadonlyArray<TrendPartitionCheckpoint>,
  ) => Effect.Effect<void, StoreUnavailable>;
  /**
   * Every saved piece of the partition, by movie id: each film's version of the highest (epoch,
   * version), among those written under `baseEpoch` (default 0) or later.
   */
  readonly piecesOf: (
    partition: number,
    baseEpoch?: number,
  ) => Effect.Effect<ReadonlyArray<TrendFilmPiece>, StoreUnavailable>;
  /** `piecesOf` for several partitions in one read (the output loading every partition it lacks). */
  readonly piecesOfPartitions: (
    partitions: ReadonlyArray<number>,
    baseEpochs?: ReadonlyMap<number, number>,
  ) => Effect.Effect<ReadonlyMap<number, ReadonlyArray<TrendFilmPiece>>, StoreUnavailable>;
  /** Partitions that have at least one saved piece (to find interrupted bootstraps). */
  readonly partitionsWithPieces: Effect.Effect<ReadonlyArray<number>, StoreUnavailable>;
  /**
   * Replaces the given pieces whole and deletes the given ones; any number of partitions at once.
   * `epoch` (default 0) is the writer's ownership epoch: a version written under a higher epoch
   * always ranks above one written under a lower epoch, whatever the order the writes land in.
   */
  readonly writePieces: (
    upserts: ReadonlyArray<TrendFilmPiece>,
    removals: ReadonlyArray<TrendPieceKey>,
    epoch?: number,
  ) => Effect.Effect<void, StoreUnavailable>;
  /**
   * Deletes the partition's checkpoints FIRST, then its pieces: a stop half-way still reads as "no
   * state". With `belowEpoch`, only what was written under a lower epoch (a bootstrap by the owner
   * of `belowEpoch`: a superseded owner doing it late cannot delete its successors' state).
   */
  readonly clearPartition: (partition: number, belowEpoch?: number) => Effect.Effect<void, StoreUnavailable>;
}

export class TrendsStateStore extends Context.Tag("@cinematch/adapters/TrendsStateStore")<
  TrendsStateStore,
  TrendsStateStoreService
>() {}

export const TREND_FILM_STATE_COLLECTION = "trend_film_state";
export const TREND_CHECKPOINTS_COLLECTION = "trend_checkpoints";

export const trendPieceId = (partition: number, movie_id: string): string => `${partition}|${movie_id}`;

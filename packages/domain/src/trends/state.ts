/**
 * The trend state of ONE log partition, and the internals every trends module shares. A film's cell
 * is in film-cell.ts, its day counts in day-buckets.ts, the recent event ids in recent-ids.ts.
 *
 * Per film it keeps: the film snapshot (title, poster, genres), a count per UTC day for the retained
 * days, an all-time count, the highest log offset of an event for that film it has processed, and
 * the ids of recent events that touched the film. Per partition: the offset it has applied up to,
 * the event-time watermark (newest `occurred_at` seen) and the first retained day (the floor).
 *
 * Size: films with a count in a retained day × retained days, plus one all-time count per film with
 * a non-zero count, plus the ids of the events of the last `dedup_horizon_ms` of event time. Never
 * proportional to the history.
 *
 * The state is a mutable object owned by whoever holds it: `applyEvents` and `takeChanges` CONSUME
 * the state they are given (they update it in place, for speed) and return it. Treat the argument
 * as gone; to keep a version, save it as pieces (`filmPieces` + `trendCheckpoint`) first.
 */
import type { FilmCell } from "./film-cell.ts";
import { canonicalOffset } from "./offsets.ts";

/** A UTC day number: days since 1970-01-01. */
export const MS_PER_DAY = 86_400_000;
export const utcDayOf = (epochMs: number): number => Math.floor(epochMs / MS_PER_DAY);

/**
 * Recent event ids are kept with the minute of their `occurred_at` (epoch minutes): a small integer
 * that a Map holds without allocating, where milliseconds would box every value.
 */
export const MS_PER_MINUTE = 60_000;
export const minuteOf = (epochMs: number): number => Math.floor(epochMs / MS_PER_MINUTE);

export interface TrendConfig {
  /**
   * Days of day buckets kept: the longest finite window. Default 30, for "30d". A window longer
   * than this would be under-counted: keep it at least as long as the longest window you output.
   */
  readonly retention_days: number;
  /**
   * How long (in event time: `occurred_at`, against the newest `occurred_at` the partition has seen)
   * the id of an applied ADD or DELETE is remembered, so that the same event published again at a
   * later offset (an outbox relay republishing after a crash or a lost acknowledgement) is dropped.
   * Default 24 hours, in whole minutes: an id is kept while the minute of its `occurred_at` is not
   * before the minute of (watermark - horizon). A republished copy that arrives after newer events
   * have moved the watermark past that is counted again: that is the bound of the guarantee.
   */
  readonly dedup_horizon_ms: number;
}

export const DEFAULT_TREND_CONFIG: TrendConfig = { retention_days: 30, dedup_horizon_ms: 24 * 3_600_000 };

/** The number of days each finite window covers; `all` is all-time. */
export const TREND_WINDOW_DAYS = { "7d": 7, "30d": 30 } as const;

declare const trendStateBrand: unique symbol;

/**
 * One partition's trend state, as the rest of the project sees it. Read the fields below freely;
 * everything else goes through the trends functions. The object is a `PartitionState` (below): the
 * trends modules reach its internals through `internalOf`, a checked narrowing, never a cast. Create
 * with `emptyPartitionState`, `bootstrapPartitionStates` or `fromPieces`.
 */
export interface PartitionTrendState {
  readonly [trendStateBrand]: true;
  readonly partition: number;
  readonly config: TrendConfig;
  /** Every event of this partition at or below this offset has been applied (decimal text; "-1" = none). */
  readonly applied_offset: string;
}

/** The smallest generation of recent ids (see recent-ids.ts). */
export const MIN_GENERATION = 4096;

/**
 * The internals of a partition's state, shared by the trends modules (reduce, pieces, bootstrap,
 * output). Not exported by the package: outside `trends/` it is only a `PartitionTrendState`.
 */
export class PartitionState implements PartitionTrendState {
  declare readonly [trendStateBrand]: true;
  readonly partition: number;
  readonly config: TrendConfig;
  applied_offset: string;
  /** Newest `occurred_at` applied in this partition; -Infinity before the first event. */
  watermark: number;
  /** First retained day; -Infinity until a `now` is known. Never moves back. */
  floor_day: number;
  readonly films: Map<string, FilmCell>;
  /**
   * The highest applied offset of a film that is ahead of `applied_offset` (after `fromPieces` of
   * an interrupted save), or null when no film is ahead: only then do events compare offsets per film.
   */
  films_ahead_until: string | null;
  /** Films changed since the last `takeChanges` (may hold dropped cells: check `films`). */
  changedFilms: FilmCell[];
  /** Films whose counts went to zero: dropped by `takeChanges` once their ids have expired too. */
  zeroed: FilmCell[];
  /** Movie ids dropped since the last `takeChanges`, whose saved piece must be deleted. */
  readonly removed: Set<string>;
  /**
   * Recent event ids of the partition (every event touches one film, so the maps serve all films):
   * id → minute of its `occurred_at`, in two generations. Inserts go to `recent_young`; when it is
   * full it becomes `recent_old` if the old generation has expired entirely (else it grows). May
   * hold expired ids: always compare the minute to the cutoff.
   */
  recent_young: Map<string, number>;
  recent_young_newest: number;
  recent_young_limit: number;
  recent_old: Map<string, number>;
  recent_old_newest: number;

  constructor(
    partition: number,
    config: TrendConfig,
    applied_offset: string,
    watermark: number,
    floor_day: number,
  ) {
    this.partition = partition;
    this.config = config;
    this.applied_offset = applied_offset;
    this.watermark = watermark;
    this.floor_day = floor_day;
    this.films = new Map();
    this.films_ahead_until = null;
    this.changedFilms = [];
    this.zeroed = [];
    this.removed = new Set();
    this.recent_young = new Map();
    this.recent_young_newest = -Infinity;
    this.recent_young_limit = MIN_GENERATION;
    this.recent_old = new Map();
    this.recent_old_newest = -Infinity;
  }
}

/** The internals of a state made by this module; a look-alike object is a programming error. */
export const internalOf = (state: PartitionTrendState): PartitionState => {
  if (state instanceof PartitionState) return state;
  throw new TypeError("not a partition trend state made by the trends module");
};

export const markChanged = (state: PartitionState, film: FilmCell): void => {
  if (!film.changedSinceSave) {
    film.changedSinceSave = true;
    state.changedFilms.push(film);
  }
};

/** Lists a film whose counts are zero, to be dropped once its ids have expired. */
export const noteZeroed = (state: PartitionState, film: FilmCell): void => {
  if (!film.zeroed && film.all_time === 0 && film.retained === 0) {
    film.zeroed = true;
    state.zeroed.push(film);
  }
};

export const dropFilm = (state: PartitionState, film: FilmCell): void => {
  state.films.delete(film.movie_id);
  state.removed.add(film.movie_id);
  film.changedSinceSave = false;
};

/** A fresh state for a partition that has applied nothing (or up to `applied_offset`). */
export const emptyPartitionState = (
  partition: number,
  config: TrendConfig = DEFAULT_TREND_CONFIG,
  applied_offset = "-1",
): PartitionTrendState =>
  new PartitionState(partition, config, canonicalOffset(applied_offset), -Infinity, -Infinity);

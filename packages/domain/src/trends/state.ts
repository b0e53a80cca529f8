/**
 * The trend state of ONE log partition, and the internals every trends module shares.
 *
 * Per film it keeps: the film snapshot (title, poster, genres), a count per UTC day for the retained
 * days, an all-time count, the highest log offset of an event for that film it has processed, and
 * the ids of recent events that touched the film. Per partition: the offset it has applied up to,
 * the event-time watermark (newest `occurred_at` seen) and the first retained day.
 *
 * Size: films with a count in a retained day × retained days, plus one all-time count per film with
 * a non-zero count, plus the ids of the events of the last `dedup_horizon_ms` of event time. Never
 * proportional to the history.
 *
 * The state is a mutable object owned by whoever holds it: `applyEvents` and `takeChanges` CONSUME
 * the state they are given (they update it in place, for speed) and return it. Treat the argument
 * as gone; to keep a version, save it as pieces (`filmPieces` + `trendCheckpoint`) first.
 */

import { canonicalOffset } from "./offsets.ts";

/** A UTC day number: days since 1970-01-01 (`utcDayOf(ms)`). */
export const MS_PER_DAY = 86_400_000;
export const utcDayOf = (epochMs: number): number => Math.floor(epochMs / MS_PER_DAY);

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
   * Default 24 hours. A republished copy that arrives after newer events have moved the watermark
   * past this horizon is counted again: that is the bound of the guarantee.
   */
  readonly dedup_horizon_ms: number;
}

export const DEFAULT_TREND_CONFIG: TrendConfig = { retention_days: 30, dedup_horizon_ms: 24 * 3_600_000 };

/** The number of days each finite window covers; `all` is all-time. */
export const TREND_WINDOW_DAYS = { "7d": 7, "30d": 30 } as const;

declare const trendStateBrand: unique symbol;

/**
 * One partition's trend state. Read the fields below freely; everything else goes through this
 * module's functions (the object carries more than its type shows). Create with
 * `emptyPartitionState`, `bootstrapPartitionStates` or `fromPieces`.
 */
export interface PartitionTrendState {
  readonly [trendStateBrand]: true;
  readonly partition: number;
  readonly config: TrendConfig;
  /** Every event of this partition at or below this offset has been applied (decimal text; "-1" = none). */
  readonly applied_offset: string;
}

/** Per-film internals. */
export interface FilmCell {
  readonly movie_id: string;
  title: string;
  poster_path: string | null;
  genres: ReadonlyArray<string>;
  /** `occurred_at` of the ADD that gave the snapshot; -Infinity when it came from a DELETE. */
  snapshot_time: number;
  /** UTC day → count (> 0). Days before the state's floor are dropped. */
  days: Map<number, number>;
  all_time: number;
  /** The highest offset of an event for this film that has been processed (applied or dropped). */
  applied_offset: string;
  /** Event id → its `occurred_at`. May hold expired ids until the next prune: always check the time. */
  recent: Map<string, number>;
  /** Size of `recent` after the last prune: the next one runs when it has doubled. */
  recent_pruned_size: number;
  dirty: boolean;
}

export interface StateImpl {
  readonly partition: number;
  readonly config: TrendConfig;
  applied_offset: string;
  /** Newest `occurred_at` applied in this partition; -Infinity before the first event. */
  watermark: number;
  /** First retained day; -Infinity until a `now` is known. Never moves back. */
  floor_day: number;
  readonly films: Map<string, FilmCell>;
  /** Films changed since the last `takeChanges` (may hold dropped cells: check `films`). */
  dirty: FilmCell[];
  /** Movie ids dropped since the last `takeChanges`, whose saved piece must be deleted. */
  readonly removed: Set<string>;
}

export const impl = (state: PartitionTrendState): StateImpl => state as unknown as StateImpl;
export const wrap = (state: StateImpl): PartitionTrendState => state as unknown as PartitionTrendState;

export const makeState = (
  partition: number,
  config: TrendConfig,
  applied_offset: string,
  watermark: number,
  floor_day: number,
): StateImpl => ({
  partition,
  config,
  applied_offset,
  watermark,
  floor_day,
  films: new Map(),
  dirty: [],
  removed: new Set(),
});

export const makeFilm = (
  movie_id: string,
  title: string,
  poster_path: string | null,
  genres: ReadonlyArray<string>,
  snapshot_time: number,
  applied_offset: string,
): FilmCell => ({
  movie_id,
  title,
  poster_path,
  genres,
  snapshot_time,
  days: new Map(),
  all_time: 0,
  applied_offset,
  recent: new Map(),
  recent_pruned_size: 0,
  dirty: false,
});

export const markDirty = (state: StateImpl, film: FilmCell): void => {
  if (!film.dirty) {
    film.dirty = true;
    state.dirty.push(film);
  }
};

/** The oldest `occurred_at` whose event id still counts as recent. */
export const dedupCutoff = (state: StateImpl): number => state.watermark - state.config.dedup_horizon_ms;

export const pruneRecent = (film: FilmCell, cutoff: number): void => {
  for (const [id, time] of film.recent) if (time < cutoff) film.recent.delete(id);
  film.recent_pruned_size = film.recent.size;
};

export const hasLiveRecent = (film: FilmCell, cutoff: number): boolean => {
  for (const time of film.recent.values()) if (time >= cutoff) return true;
  return false;
};

/** A film with no count and no id to remember is as good as absent: it is dropped. */
export const isEmptyFilm = (film: FilmCell, cutoff: number): boolean =>
  film.all_time === 0 && film.days.size === 0 && !hasLiveRecent(film, cutoff);

export const dropFilm = (state: StateImpl, film: FilmCell): void => {
  state.films.delete(film.movie_id);
  state.removed.add(film.movie_id);
  film.dirty = false;
};

/**
 * Moves the floor to the first day of the retention that ends on `now`'s day, dropping older day
 * buckets, and sweeps films that became empty. Runs in full only when the day changes.
 */
export const advanceFloor = (state: StateImpl, now: number): void => {
  const floor = utcDayOf(now) - state.config.retention_days + 1;
  if (!(floor > state.floor_day)) return;
  state.floor_day = floor;
  const cutoff = dedupCutoff(state);
  for (const film of state.films.values()) {
    if (film.days.size > 0) for (const day of film.days.keys()) if (day < floor) film.days.delete(day);
    pruneRecent(film, cutoff);
    if (film.all_time === 0 && film.days.size === 0 && film.recent.size === 0) dropFilm(state, film);
  }
};

/** A fresh state for a partition that has applied nothing (or up to `applied_offset`). */
export const emptyPartitionState = (
  partition: number,
  config: TrendConfig = DEFAULT_TREND_CONFIG,
  applied_offset = "-1",
): PartitionTrendState =>
  wrap(makeState(partition, config, canonicalOffset(applied_offset), -Infinity, -Infinity));

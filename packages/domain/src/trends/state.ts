/**
 * The trend state of ONE log partition, and the internals every trends module shares.
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

/**
 * Per-film internals. Day counts live in a ring of `retention_days` slots: day `d` of the retained
 * range [floor, floor + retention - 1] is slot `d mod retention`. Days after that range (entries
 * dated in the future) and every day while the floor is unknown go to `overflow`.
 */
export interface FilmCell {
  readonly movie_id: string;
  title: string;
  poster_path: string | null;
  genres: ReadonlyArray<string>;
  /** `occurred_at` of the ADD that gave the snapshot; -Infinity when it came from a DELETE. */
  snapshot_time: number;
  /** Counts of the retained days by slot; null until the film has one. */
  ring: Int32Array | null;
  /** Counts (> 0) of retained days outside the ring's range; null when none. */
  overflow: Map<number, number> | null;
  /** The sum of all retained day counts (ring + overflow). */
  retained: number;
  all_time: number;
  /** The highest offset of an event for this film that has been processed (applied or dropped). */
  applied_offset: string;
  /**
   * The ids (and minutes) of the recent events of this film, in arrival order: what its piece
   * saves. May hold expired ones until compacted: filter by minute. Lookups use the state's maps.
   */
  readonly recent_ids: string[];
  readonly recent_minutes: number[];
  /** Compact the lists when they reach this length. */
  recent_limit: number;
  /** The largest minute in the lists (-Infinity when none): when it has expired, all have. */
  recent_newest: number;
  /** In the state's `changedFilms` list: changed since the last `takeChanges`. */
  changedSinceSave: boolean;
  /** In the state's `zeroed` list. */
  zeroed: boolean;
}

const MIN_GENERATION = 4096;

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
  ring: null,
  overflow: null,
  retained: 0,
  all_time: 0,
  applied_offset,
  recent_ids: [],
  recent_minutes: [],
  recent_limit: 16,
  recent_newest: -Infinity,
  changedSinceSave: false,
  zeroed: false,
});

export const markChanged = (state: PartitionState, film: FilmCell): void => {
  if (!film.changedSinceSave) {
    film.changedSinceSave = true;
    state.changedFilms.push(film);
  }
};

// ---------------------------------------------------------------------------------------------
// Day buckets

const slotOf = (day: number, retention: number): number => ((day % retention) + retention) % retention;

/** Adds one to `day` (which must be at or after the floor). */
export const addToDay = (film: FilmCell, day: number, floor: number, retention: number): void => {
  if (day < floor + retention) {
    let ring = film.ring;
    if (ring === null) {
      ring = new Int32Array(retention);
      film.ring = ring;
    }
    ring[slotOf(day, retention)]! += 1;
  } else {
    if (film.overflow === null) film.overflow = new Map();
    film.overflow.set(day, (film.overflow.get(day) ?? 0) + 1);
  }
  film.retained += 1;
};

/** Removes one from `day` when it holds any (a day before the floor holds none). */
export const removeFromDay = (film: FilmCell, day: number, floor: number, retention: number): void => {
  if (day < floor || film.retained === 0) return;
  if (day < floor + retention) {
    const ring = film.ring;
    const slot = slotOf(day, retention);
    if (ring !== null && ring[slot]! > 0) {
      ring[slot]! -= 1;
      film.retained -= 1;
    }
  } else if (film.overflow !== null) {
    const count = film.overflow.get(day);
    if (count !== undefined) {
      if (count > 1) film.overflow.set(day, count - 1);
      else film.overflow.delete(day);
      film.retained -= 1;
    }
  }
};

/** Sets a day's count while loading (`day` at or after the floor, `count` > 0). */
export const setDay = (
  film: FilmCell,
  day: number,
  count: number,
  floor: number,
  retention: number,
): void => {
  if (day < floor + retention) {
    if (film.ring === null) film.ring = new Int32Array(retention);
    const slot = slotOf(day, retention);
    film.retained += count - film.ring[slot]!;
    film.ring[slot] = count;
  } else {
    if (film.overflow === null) film.overflow = new Map();
    film.retained += count - (film.overflow.get(day) ?? 0);
    film.overflow.set(day, count);
  }
};

/** The sum of the counts of the retained days at or after `fromDay`. */
export const countFrom = (film: FilmCell, fromDay: number, floor: number, retention: number): number => {
  if (film.retained === 0) return 0;
  let count = 0;
  const ring = film.ring;
  if (ring !== null && floor > -Infinity) {
    const first = Math.max(fromDay, floor);
    let slot = slotOf(first, retention);
    for (let n = floor + retention - first; n > 0; n--) {
      count += ring[slot]!;
      if (++slot === retention) slot = 0;
    }
  }
  if (film.overflow !== null) for (const [day, n] of film.overflow) if (day >= fromDay) count += n;
  return count;
};

/** Calls `visit` for every retained day with a count, in no particular order. */
export const forEachDay = (
  film: FilmCell,
  floor: number,
  retention: number,
  visit: (day: number, count: number) => void,
): void => {
  if (film.retained === 0) return;
  const ring = film.ring;
  if (ring !== null && floor > -Infinity) {
    for (let day = floor; day < floor + retention; day++) {
      const count = ring[slotOf(day, retention)]!;
      if (count > 0) visit(day, count);
    }
  }
  if (film.overflow !== null) for (const [day, count] of film.overflow) visit(day, count);
};

/** Re-buckets a film's days for a new floor: days before it go, overflow days that now fit move in. */
const moveFloor = (film: FilmCell, from: number, to: number, retention: number): void => {
  if (film.retained === 0) return;
  const ring = film.ring;
  if (ring !== null) {
    if (from === -Infinity || to - from >= retention) {
      for (let slot = 0; slot < retention; slot++) film.retained -= ring[slot]!;
      ring.fill(0);
    } else {
      for (let day = from; day < to; day++) {
        const slot = slotOf(day, retention);
        film.retained -= ring[slot]!;
        ring[slot] = 0;
      }
    }
  }
  const overflow = film.overflow;
  if (overflow !== null) {
    overflow.forEach((count, day) => {
      if (day < to + retention) {
        overflow.delete(day);
        film.retained -= count;
        if (day >= to) setDay(film, day, count, to, retention);
      }
    });
    if (overflow.size === 0) film.overflow = null;
  }
};

// ---------------------------------------------------------------------------------------------
// Recent event ids

/** The oldest minute whose event ids still count as recent, for a given watermark. */
export const cutoffMinute = (watermark: number, horizon_ms: number): number =>
  minuteOf(watermark - horizon_ms);
export const dedupCutoff = (state: PartitionState): number =>
  cutoffMinute(state.watermark, state.config.dedup_horizon_ms);

/** Whether the id was remembered with a minute at or after `cutoff`. */
export const isRecent = (state: PartitionState, event_id: string, cutoff: number): boolean => {
  const young = state.recent_young.get(event_id);
  if (young !== undefined && young >= cutoff) return true;
  const old = state.recent_old.get(event_id);
  return old !== undefined && old >= cutoff;
};

/** Remembers that `film` saw event `event_id` (whose `occurred_at` falls in `minute`). */
export const rememberEvent = (
  state: PartitionState,
  film: FilmCell,
  event_id: string,
  minute: number,
  cutoff: number,
): void => {
  state.recent_young.set(event_id, minute);
  if (minute > state.recent_young_newest) state.recent_young_newest = minute;
  if (state.recent_young.size >= state.recent_young_limit) rotateRecent(state, cutoff);
  film.recent_ids.push(event_id);
  film.recent_minutes.push(minute);
  if (minute > film.recent_newest) film.recent_newest = minute;
  if (film.recent_ids.length >= film.recent_limit) compactFilmRecent(film, cutoff);
};

/**
 * The young generation is full: when the old one has expired entirely it is dropped and the young
 * one takes its place (no per-id delete); otherwise the young one may grow until it has.
 */
const rotateRecent = (state: PartitionState, cutoff: number): void => {
  if (state.recent_old_newest < cutoff) {
    state.recent_old = state.recent_young;
    state.recent_old_newest = state.recent_young_newest;
    state.recent_young = new Map();
    state.recent_young_newest = -Infinity;
    state.recent_young_limit = Math.max(MIN_GENERATION, state.recent_old.size);
  } else {
    state.recent_young_limit *= 2;
  }
};

/** Drops a film's expired ids, in place. */
export const compactFilmRecent = (film: FilmCell, cutoff: number): void => {
  const ids = film.recent_ids;
  const minutes = film.recent_minutes;
  if (film.recent_newest < cutoff) {
    ids.length = 0;
    minutes.length = 0;
  } else {
    let kept = 0;
    for (let i = 0; i < ids.length; i++) {
      const minute = minutes[i]!;
      if (minute < cutoff) continue;
      ids[kept] = ids[i]!;
      minutes[kept] = minute;
      kept++;
    }
    ids.length = kept;
    minutes.length = kept;
  }
  film.recent_limit = 2 * ids.length + 16;
};

// ---------------------------------------------------------------------------------------------
// Films and the floor

/** A film with no count and no id to remember is as good as absent: it is dropped. */
export const isEmptyFilm = (film: FilmCell, cutoff: number): boolean =>
  film.all_time === 0 && film.retained === 0 && film.recent_newest < cutoff;

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

/**
 * Moves the floor to the first day of the retention that ends on `now`'s day, dropping older day
 * buckets, and sweeps films that became empty. Runs only when the day changes.
 */
export const advanceFloor = (state: PartitionState, now: number): void => {
  const floor = utcDayOf(now) - state.config.retention_days + 1;
  if (!(floor > state.floor_day)) return;
  const from = state.floor_day;
  state.floor_day = floor;
  const cutoff = dedupCutoff(state);
  const retention = state.config.retention_days;
  for (const film of state.films.values()) {
    moveFloor(film, from, floor, retention);
    if (film.recent_ids.length > 0) compactFilmRecent(film, cutoff);
    if (isEmptyFilm(film, cutoff)) dropFilm(state, film);
  }
};

/** A fresh state for a partition that has applied nothing (or up to `applied_offset`). */
export const emptyPartitionState = (
  partition: number,
  config: TrendConfig = DEFAULT_TREND_CONFIG,
  applied_offset = "-1",
): PartitionTrendState =>
  new PartitionState(partition, config, canonicalOffset(applied_offset), -Infinity, -Infinity);

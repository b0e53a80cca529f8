import { type FilmCell, isEmptyFilm } from "./film-cell.ts";
import { compactFilmRecent, dedupCutoff } from "./recent-ids.ts";
import { dropFilm, type PartitionState, utcDayOf } from "./state.ts";

// A film's count per UTC day of the retained range, and the floor that moves that range on.

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

import type { WatchedEntry } from "../schemas/entry.ts";
import type { UserStats } from "./schema.ts";

// How the stats order films, people and periods, and keep only the best few of each list.

export type StatsFilm = UserStats["top_rated_movies"][number];
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export const RATING_BUCKETS = 20; // 0.5, 1.0, …, 10

/** The bucket (0–19) of a valid rating, or -1 when the rating is absent or not on the 0.5–10 half-step scale. */
export const ratingBucket = (rating: number | undefined): number => {
  if (rating === undefined) return -1;
  const doubled = rating * 2;
  return Number.isInteger(doubled) && doubled >= 1 && doubled <= RATING_BUCKETS ? doubled - 1 : -1;
};

// Text order by UTF-16 code units: the same on every machine and locale (`localeCompare` is not).
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const compareOptionalText = (a: string | undefined, b: string | undefined): number =>
  a === b ? 0 : a === undefined ? -1 : b === undefined ? 1 : compareText(a, b);
const compareOptionalNumber = (a: number | undefined, b: number | undefined): number =>
  a === b ? 0 : a === undefined ? -1 : b === undefined ? 1 : a - b;

/**
 * The last tie-break of every film list: title, then every other field a listed film shows. Two
 * entries it calls equal produce identical list items, so the output never depends on input order.
 */
const compareFilmTail = (a: WatchedEntry, b: WatchedEntry): number =>
  compareText(a.movie.title, b.movie.title) ||
  compareText(a.movie.movie_id, b.movie.movie_id) ||
  a.watched_at - b.watched_at ||
  compareOptionalNumber(a.rating, b.rating) ||
  compareOptionalNumber(a.movie.year, b.movie.year) ||
  compareOptionalText(a.movie.poster_path, b.movie.poster_path) ||
  a.added_at - b.added_at;

/** Top rated: rating descending, then most recently watched, then title. */
export const compareTopRated = (a: WatchedEntry, b: WatchedEntry): number =>
  (b.rating ?? 0) - (a.rating ?? 0) || b.watched_at - a.watched_at || compareFilmTail(a, b);

/** Recent: most recently watched first, then title. */
export const compareRecent = (a: WatchedEntry, b: WatchedEntry): number =>
  b.watched_at - a.watched_at || compareFilmTail(a, b);

/** Chronological (milestones, streaks): watched, then added, then title. */
export const compareChronological = (a: WatchedEntry, b: WatchedEntry): number =>
  a.watched_at - b.watched_at || a.added_at - b.added_at || compareFilmTail(a, b);

/**
 * Keeps `top` the best `limit` items seen so far, best first, under `compare` (negative = better).
 * O(limit) per item at worst and one comparison for most, with no allocation: a partial sort
 * instead of sorting every candidate.
 */
export const offerTop = <T>(top: T[], item: T, limit: number, compare: (a: T, b: T) => number): void => {
  let index = top.length;
  if (index === limit) {
    if (compare(item, top[limit - 1] as T) >= 0) return;
    index = limit - 1;
  } else {
    top.push(item);
  }
  while (index > 0 && compare(item, top[index - 1] as T) < 0) {
    top[index] = top[index - 1] as T;
    index -= 1;
  }
  top[index] = item;
};

export const toStatsFilm = (entry: WatchedEntry): StatsFilm => {
  const film: Mutable<StatsFilm> = {
    movie_id: entry.movie.movie_id,
    title: entry.movie.title,
    watched_at: entry.watched_at,
  };
  if (entry.movie.year !== undefined) film.year = entry.movie.year;
  if (entry.movie.poster_path !== undefined) film.poster_path = entry.movie.poster_path;
  if (ratingBucket(entry.rating) >= 0) film.rating = entry.rating as number;
  return film;
};

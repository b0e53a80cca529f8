import { roundRatio } from "../user-stats/round.ts";
import type { GlobalStatsDocument, TopMovie, TrendingGenre, TrendWindow } from "./schema.ts";
import { countFrom } from "./day-buckets.ts";
import type { FilmCell } from "./film-cell.ts";
import {
  internalOf,
  type PartitionTrendState,
  type PartitionState,
  TREND_WINDOW_DAYS,
  utcDayOf,
} from "./state.ts";

/** How many films and genres the output lists. */
export const TREND_LIST_SIZE = 10;

export interface TrendsOutput {
  /** ≤ 10 films by count desc, then title, then movie id. */
  readonly top_movies: ReadonlyArray<TopMovie>;
  /**
   * ≤ 10 genres by count desc, then name. A genre's count is the sum of the counts of every film of
   * the window that has it (all films, not only the listed ten); its percentage is that count over
   * the sum of all genre counts of the window, to 1 decimal.
   */
  readonly trending_genres: ReadonlyArray<TrendingGenre>;
  /**
   * The number of watchlist entries counted in the window: the sum of every film's count (all
   * films, not only the listed ten). For "all", the entries in watchlists now.
   */
  readonly total_movies_analyzed: number;
}

interface Merged {
  count: number;
  /** The cell whose snapshot is shown: the newest snapshot over the partitions. */
  cell: FilmCell;
}

// Text order by UTF-16 code units: the same on every machine and locale (`localeCompare` is not).
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const rankFilms = (a: Merged, b: Merged): number =>
  b.count - a.count ||
  compareText(a.cell.title, b.cell.title) ||
  compareText(a.cell.movie_id, b.cell.movie_id);

/** Keeps `top` the best `TREND_LIST_SIZE` items seen so far, sorted: an insertion into a short list. */
const offer = <A>(top: Array<A>, item: A, rank: (a: A, b: A) => number): void => {
  if (top.length === TREND_LIST_SIZE && rank(item, top[TREND_LIST_SIZE - 1]!) >= 0) return;
  let i = top.length < TREND_LIST_SIZE ? top.length : TREND_LIST_SIZE - 1;
  top[i] = item;
  while (i > 0 && rank(top[i]!, top[i - 1]!) < 0) {
    const previous = top[i - 1]!;
    top[i - 1] = top[i]!;
    top[i] = previous;
    i--;
  }
};

const windowCount = (state: PartitionState, cell: FilmCell, fromDay: number | null): number =>
  fromDay === null ? cell.all_time : countFrom(cell, fromDay, state.floor_day, state.config.retention_days);

/**
 * Every film's count in the window at `now`, summed over the partition states; films with a zero
 * count are left out. What `trendsOutput` ranks (also handy to compare states).
 */
export const filmCounts = (
  states: ReadonlyArray<PartitionTrendState>,
  window: TrendWindow,
  now: number,
): ReadonlyMap<string, number> => {
  const fromDay = window === "all" ? null : utcDayOf(now) - TREND_WINDOW_DAYS[window] + 1;
  const counts = new Map<string, number>();
  for (const state of states) {
    const s = internalOf(state);
    for (const cell of s.films.values()) {
      const count = windowCount(s, cell, fromDay);
      if (count > 0) counts.set(cell.movie_id, (counts.get(cell.movie_id) ?? 0) + count);
    }
  }
  return counts;
};

/**
 * The trends of a window at `now`, over the SUM of every film's count across the given partition
 * states (a film 11th in every partition can be 1st overall). "7d" counts the entries added on the
 * UTC day of `now` and the 6 days before it (entries dated later count too); "30d" likewise with 30
 * days; "all" every entry still in a watchlist. Does not change the states.
 */
export const trendsOutput = (
  states: ReadonlyArray<PartitionTrendState>,
  window: TrendWindow,
  now: number,
): TrendsOutput => {
  const fromDay = window === "all" ? null : utcDayOf(now) - TREND_WINDOW_DAYS[window] + 1;
  const merged = new Map<string, Merged>();
  for (const state of states) {
    const s = internalOf(state);
    for (const cell of s.films.values()) {
      const count = windowCount(s, cell, fromDay);
      const current = merged.get(cell.movie_id);
      if (current === undefined) merged.set(cell.movie_id, { count, cell });
      else {
        current.count += count;
        if (cell.snapshot_time > current.cell.snapshot_time) current.cell = cell;
      }
    }
  }

  const top: Array<Merged> = [];
  const genreCounts = new Map<string, number>();
  let total = 0;
  let genreTotal = 0;
  for (const film of merged.values()) {
    if (film.count <= 0) continue;
    total += film.count;
    offer(top, film, rankFilms);
    const genres = film.cell.genres;
    for (let i = 0; i < genres.length; i++) {
      const genre = genres[i]!;
      if (genres.indexOf(genre) !== i) continue; // a genre listed twice counts once
      genreCounts.set(genre, (genreCounts.get(genre) ?? 0) + film.count);
      genreTotal += film.count;
    }
  }

  const topGenres: Array<{ genre: string; count: number }> = [];
  const rankGenres = (a: { genre: string; count: number }, b: { genre: string; count: number }) =>
    b.count - a.count || compareText(a.genre, b.genre);
  for (const [genre, count] of genreCounts) offer(topGenres, { genre, count }, rankGenres);

  return {
    top_movies: top.map(({ count, cell }) => ({
      movie_id: cell.movie_id,
      title: cell.title,
      poster_path: cell.poster_path,
      count,
    })),
    trending_genres: topGenres.map(({ genre, count }) => ({
      genre,
      count,
      percentage: roundRatio(count * 100, genreTotal, 1),
    })),
    total_movies_analyzed: total,
  };
};

/** The `global_stats` document of a window, stamped `updated_at = now`. */
export const globalStatsDocument = (
  states: ReadonlyArray<PartitionTrendState>,
  window: TrendWindow,
  now: number,
  source: GlobalStatsDocument["source"],
): GlobalStatsDocument => ({
  type: "global_trends",
  window,
  ...trendsOutput(states, window, now),
  source,
  updated_at: now,
});

import type { Film, TrendWindow } from "@cinematch/domain";

/**
 * The trends computed the plain way, straight from the entries in the watchlists, with none of the
 * runner's code (no reducers, no state, no log): the oracle the tests compare `global_stats` with.
 *
 * A film's count in a window is the number of live entries of it whose `added_at` falls on the UTC
 * day of `now` or one of the `days - 1` days before (or later); "all" counts every live entry.
 * Assumes one snapshot per film (the tests' data): the title, poster and genres of the newest entry.
 */
export interface LiveEntry {
  readonly movie: Film;
  readonly added_at: number;
}

export interface ExpectedTrends {
  readonly top_movies: ReadonlyArray<{
    readonly movie_id: string;
    readonly title: string;
    readonly poster_path: string | null;
    readonly count: number;
  }>;
  readonly trending_genres: ReadonlyArray<{
    readonly genre: string;
    readonly count: number;
    readonly percentage: number;
  }>;
  readonly total_movies_analyzed: number;
}

const DAY = 86_400_000;
const WINDOW_DAYS: Record<TrendWindow, number | null> = { "7d": 7, "30d": 30, all: null };

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** count × 100 / total to one decimal, half up, in integers (exact). */
const percentage = (count: number, total: number) => Math.floor((2000 * count + total) / (2 * total)) / 10;

export const expectedTrends = (
  entries: ReadonlyArray<LiveEntry>,
  window: TrendWindow,
  now: number,
): ExpectedTrends => {
  const days = WINDOW_DAYS[window];
  const firstDay = days === null ? -Infinity : Math.floor(now / DAY) - days + 1;
  const films = new Map<string, { movie: Film; newest: number; count: number }>();
  for (const { movie, added_at } of entries) {
    if (Math.floor(added_at / DAY) < firstDay) continue;
    const film = films.get(movie.movie_id);
    if (film === undefined) films.set(movie.movie_id, { movie, newest: added_at, count: 1 });
    else {
      film.count += 1;
      if (added_at > film.newest) {
        film.newest = added_at;
        film.movie = movie;
      }
    }
  }
  const ranked = [...films.values()].sort(
    (a, b) =>
      b.count - a.count || byText(a.movie.title, b.movie.title) || byText(a.movie.movie_id, b.movie.movie_id),
  );
  const genres = new Map<string, number>();
  let genreTotal = 0;
  let total = 0;
  for (const { movie, count } of ranked) {
    total += count;
    for (const genre of new Set(movie.genres ?? [])) {
      genres.set(genre, (genres.get(genre) ?? 0) + count);
      genreTotal += count;
    }
  }
  return {
    top_movies: ranked.slice(0, 10).map(({ movie, count }) => ({
      movie_id: movie.movie_id,
      title: movie.title,
      poster_path: movie.poster_path ?? null,
      count,
    })),
    trending_genres: [...genres.entries()]
      .sort(([a, x], [b, y]) => y - x || byText(a, b))
      .slice(0, 10)
      .map(([genre, count]) => ({ genre, count, percentage: percentage(count, genreTotal) })),
    total_movies_analyzed: total,
  };
};

/** Just the part of a `global_stats` document the oracle predicts. */
export const comparable = (doc: ExpectedTrends): ExpectedTrends => ({
  top_movies: doc.top_movies.map(({ movie_id, title, poster_path, count }) => ({
    movie_id,
    title,
    poster_path,
    count,
  })),
  trending_genres: doc.trending_genres.map(({ genre, count, percentage }) => ({ genre, count, percentage })),
  total_movies_analyzed: doc.total_movies_analyzed,
});

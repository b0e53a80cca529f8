import type { Film } from "@cinematch/domain";
import type { LineProblem } from "../catalog-import/problems.ts";
import type { MovieLensRating } from "./ratings.ts";

/** One ADD to replay: a user's rated film at its (shifted) time. */
export interface ReplayEvent {
  readonly user_id: string;
  readonly movie: Film;
  /** On our 0.5–10 scale (MovieLens stars × 2). */
  readonly rating: number;
  /** Epoch ms, shifted: used as both `watched_at` and `added_at`. */
  readonly at: number;
}

/** The user id a MovieLens user gets (the catalog import names films `ml-<movieId>` likewise). */
export const replayUserId = (user: number): string => `ml-user-${user}`;

/**
 * The replay, in time order: the `limit` MOST RECENT ratings (all by default), shifted so that the
 * newest falls at `now` with the spacing kept, rating × 2, film snapshot from `movies.csv`. A rating
 * of a film missing from `movies.csv` is a problem of its line. Ties in time keep the file order.
 */
export const replayPlan = (
  ratings: ReadonlyArray<MovieLensRating>,
  films: ReadonlyMap<number, Film>,
  now: number,
  options: { readonly limit?: number; readonly file?: string } = {},
): { readonly events: ReadonlyArray<ReplayEvent>; readonly problems: ReadonlyArray<LineProblem> } => {
  const problems: Array<LineProblem> = [];
  const known: Array<MovieLensRating> = [];
  for (const rating of ratings) {
    if (films.has(rating.movie)) known.push(rating);
    else {
      problems.push({
        file: options.file ?? "ratings.csv",
        line: rating.line,
        message: `"movieId": ${rating.movie} is not in movies.csv`,
      });
    }
  }
  const ordered = known
    .map((rating, index) => ({ rating, index }))
    .sort((a, b) => a.rating.timestamp - b.rating.timestamp || a.index - b.index)
    .map(({ rating }) => rating);
  const limit = options.limit ?? ordered.length;
  const chosen = limit >= ordered.length ? ordered : ordered.slice(ordered.length - limit);
  const newest = chosen.length === 0 ? 0 : chosen[chosen.length - 1]!.timestamp * 1000;
  const shift = now - newest;
  return {
    events: chosen.map((rating) => ({
      user_id: replayUserId(rating.user),
      movie: films.get(rating.movie)!,
      rating: rating.stars * 2,
      at: rating.timestamp * 1000 + shift,
    })),
    problems,
  };
};

/**
 * Paces work at `rate` items per second (0: as fast as possible): item `i` may start at
 * `start + i / rate` seconds. Returns how long to wait before item `i`.
 */
export const paceDelayMs = (rate: number, startedAt: number, index: number, now: number): number =>
  rate <= 0 ? 0 : Math.max(0, startedAt + (index * 1000) / rate - now);

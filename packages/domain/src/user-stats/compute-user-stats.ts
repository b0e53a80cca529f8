import type { WatchedEntry } from "../schemas/entry.ts";
import { WEEKDAY_NAMES } from "./calendar.ts";
import { chronologicalOrder, longestStreak, milestonesOf } from "./chronology.ts";
import { toStatsFilm } from "./film-lists.ts";
import { roundRatio } from "./round.ts";
import { USER_STATS_VERSION, type UserStats } from "./schema.ts";
import { bestRatedDirectors, decadeList, genreList, mostWatchedActors, periods } from "./summaries.ts";
import { tallyEntries } from "./tally.ts";

export { MILESTONES } from "./chronology.ts";
export { MIN_RATED_FILMS_PER_DIRECTOR } from "./summaries.ts";

export interface UserStatsOptions {
  /**
   * The user's fixed offset from UTC in minutes (+60 for UTC+01:00, -300 for UTC-05:00), used for
   * every calendar figure: days, weekdays, months, years, streaks. Default 0 (UTC). A fixed offset,
   * not a time zone: the caller picks the offset; the domain has no time-zone database and no clock.
   * A non-finite value counts as 0; a fractional one is truncated to whole minutes.
   */
  readonly utcOffsetMinutes?: number;
}

/**
 * A user's statistics over their watched list: everything the earlier system's
 * `compute_user_stats` returned, plus years, months, decades, weekdays, the longest streak and
 * milestones. Pure and deterministic: the same entries in any order give a deep-equal result.
 * O(n log n): one aggregation pass with no per-entry allocation, one chronological sort, bounded
 * top-10 selections, and sorts of the (small) distinct genres, periods and decades.
 *
 * A film without runtime, genres, people or year is counted everywhere it can be (total, ratings,
 * periods, weekdays, streak, milestones) and noted in `missing_data`. A rating outside the
 * 0.5–10 half-step scale (which the `Rating` schema already refuses) counts as no rating.
 */
export const computeUserStats = (
  entries: ReadonlyArray<WatchedEntry>,
  options: UserStatsOptions = {},
): UserStats => {
  const rawOffset = options.utcOffsetMinutes ?? 0;
  const utcOffsetMinutes = Number.isFinite(rawOffset) ? Math.trunc(rawOffset) : 0;
  const tally = tallyEntries(entries, utcOffsetMinutes);
  const { ratedCount, doubledRatingSum } = tally;
  const genre_data = genreList(tally);
  const chronological = chronologicalOrder(entries);

  return {
    stats_version: USER_STATS_VERSION,
    total_watched: entries.length,
    rated_count: ratedCount,
    avg_rating: ratedCount === 0 ? null : roundRatio(doubledRatingSum, 2 * ratedCount, 2),
    rating_chart_data: tally.ratingCounts.map((count, bucket) => ({ rating: (bucket + 1) / 2, count })),
    top_rated_movies: tally.topRated.map(toStatsFilm),
    recent_movies: tally.recent.map(toStatsFilm),
    genre_data,
    favorite_genre: genre_data[0]?.genre ?? null,
    watch_time_hours: roundRatio(tally.totalMinutes, 60, 1),
    best_rated_directors: bestRatedDirectors(tally),
    most_watched_actors: mostWatchedActors(tally),
    ...periods(tally),
    decades: decadeList(tally),
    weekdays: tally.weekdayCounts.map((count, index) => ({ weekday: WEEKDAY_NAMES[index] as string, count })),
    longest_streak: longestStreak(chronological, utcOffsetMinutes),
    milestones: milestonesOf(chronological),
    missing_data: {
      without_runtime: tally.withoutRuntime,
      without_genres: tally.withoutGenres,
      without_directors: tally.withoutDirectors,
      without_actors: tally.withoutActors,
      without_year: tally.withoutYear,
    },
  };
};

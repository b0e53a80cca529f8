import { Schema } from "effect";
import { MovieId, Rating, Timestamp, UserId } from "../schemas/primitives.ts";
import { WEEKDAY_NAMES } from "./calendar.ts";

export const USER_STATS_VERSION = 2 as const;

const Count = Schema.Int.pipe(Schema.nonNegative());
const Percentage = Schema.Number.pipe(Schema.between(0, 100));
const Hours = Schema.Number.pipe(Schema.nonNegative());
/** An average of ratings, rounded to 2 decimals: within the rating scale. */
const AverageRating = Schema.Number.pipe(Schema.between(0.5, 10));
/** At most this many items in every ranked list (top rated, recent, directors, actors). */
export const TOP_LIST_SIZE = 10;
/** A local calendar day `YYYY-MM-DD`. */
const CalendarDay = Schema.String.pipe(Schema.pattern(/^-?\d{4}-\d{2}-\d{2}$/));
/** A period: a year `2024` or a month `2024-03`. */
const Period = Schema.String.pipe(Schema.pattern(/^-?\d{4}(?:-(?:0[1-9]|1[0-2]))?$/));
/** A weekday name, `Monday` … `Sunday` (kept as a string type so consumers' fixtures stay simple). */
const WeekdayName = Schema.String.pipe(
  Schema.filter(
    (name) => (WEEKDAY_NAMES as ReadonlyArray<string>).includes(name) || "a weekday name, Monday … Sunday",
  ),
);

/** A film as the statistics list it (top rated, recent, milestones). */
export const StatsFilm = Schema.Struct({
  movie_id: MovieId,
  title: Schema.String,
  year: Schema.optional(Schema.Int),
  poster_path: Schema.optional(Schema.String),
  rating: Schema.optional(Rating),
  watched_at: Timestamp,
});

/** Films and hours for one period (a year `2024` or a month `2024-03`). */
export const PeriodCount = Schema.Struct({ period: Period, films: Count, hours: Hours });

/**
 * Everything the earlier system's `compute_user_stats` returned (same snake_case names), plus what
 * Letterboxd and Trakt users expect: periods, decades, weekdays, streak and milestones.
 */
export const UserStats = Schema.Struct({
  stats_version: Schema.Literal(USER_STATS_VERSION),
  total_watched: Count,
  rated_count: Count,
  avg_rating: Schema.NullOr(AverageRating),
  rating_chart_data: Schema.Array(Schema.Struct({ rating: Rating, count: Count })),
  top_rated_movies: Schema.Array(StatsFilm).pipe(Schema.maxItems(TOP_LIST_SIZE)),
  recent_movies: Schema.Array(StatsFilm).pipe(Schema.maxItems(TOP_LIST_SIZE)),
  genre_data: Schema.Array(Schema.Struct({ genre: Schema.String, count: Count, percentage: Percentage })),
  favorite_genre: Schema.NullOr(Schema.String),
  watch_time_hours: Hours,
  best_rated_directors: Schema.Array(
    Schema.Struct({ director: Schema.String, avg_rating: AverageRating, count: Count }),
  ).pipe(Schema.maxItems(TOP_LIST_SIZE)),
  most_watched_actors: Schema.Array(Schema.Struct({ actor: Schema.String, count: Count })).pipe(
    Schema.maxItems(TOP_LIST_SIZE),
  ),
  films_per_year: Schema.Array(PeriodCount),
  films_per_month: Schema.Array(PeriodCount),
  decades: Schema.Array(Schema.Struct({ decade: Schema.Int, count: Count })),
  weekdays: Schema.Array(Schema.Struct({ weekday: WeekdayName, count: Count })),
  longest_streak: Schema.Struct({
    days: Count,
    start: Schema.NullOr(CalendarDay),
    end: Schema.NullOr(CalendarDay),
  }),
  milestones: Schema.Array(Schema.Struct({ milestone: Schema.Int.pipe(Schema.positive()), film: StatsFilm })),
  /** How many entries lacked the data a figure needs, so the dashboard can say "3 films have no runtime". */
  missing_data: Schema.Struct({
    without_runtime: Count,
    without_genres: Count,
    without_directors: Count,
    without_actors: Count,
    without_year: Count,
  }),
}).annotations({ identifier: "UserStats" });
export type UserStats = typeof UserStats.Type;

/** The `user_stats` document, one per user, as the earlier system stored it. */
export const UserStatsDocument = Schema.Struct({
  user_id: UserId,
  stats: UserStats,
  last_updated: Timestamp,
}).annotations({ identifier: "UserStatsDocument" });
export type UserStatsDocument = typeof UserStatsDocument.Type;

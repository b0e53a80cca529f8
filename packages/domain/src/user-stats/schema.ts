import { Schema } from "effect";
import { MovieId, Rating, Timestamp, UserId } from "../schemas/primitives.ts";

export const USER_STATS_VERSION = 2 as const;

const Count = Schema.Int.pipe(Schema.nonNegative());
const Percentage = Schema.Number.pipe(Schema.between(0, 100));

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
export const PeriodCount = Schema.Struct({ period: Schema.String, films: Count, hours: Schema.Number });

/**
 * Everything the earlier system's `compute_user_stats` returned (same snake_case names), plus what
 * Letterboxd and Trakt users expect: periods, decades, weekdays, streak and milestones.
 */
export const UserStats = Schema.Struct({
  stats_version: Schema.Literal(USER_STATS_VERSION),
  total_watched: Count,
  rated_count: Count,
  avg_rating: Schema.NullOr(Schema.Number),
  rating_chart_data: Schema.Array(Schema.Struct({ rating: Rating, count: Count })),
  top_rated_movies: Schema.Array(StatsFilm),
  recent_movies: Schema.Array(StatsFilm),
  genre_data: Schema.Array(Schema.Struct({ genre: Schema.String, count: Count, percentage: Percentage })),
  favorite_genre: Schema.NullOr(Schema.String),
  watch_time_hours: Schema.Number,
  best_rated_directors: Schema.Array(
    Schema.Struct({ director: Schema.String, avg_rating: Schema.Number, count: Count }),
  ),
  most_watched_actors: Schema.Array(Schema.Struct({ actor: Schema.String, count: Count })),
  films_per_year: Schema.Array(PeriodCount),
  films_per_month: Schema.Array(PeriodCount),
  decades: Schema.Array(Schema.Struct({ decade: Schema.Int, count: Count })),
  weekdays: Schema.Array(Schema.Struct({ weekday: Schema.String, count: Count })),
  longest_streak: Schema.Struct({
    days: Count,
    start: Schema.NullOr(Schema.String),
    end: Schema.NullOr(Schema.String),
  }),
  milestones: Schema.Array(Schema.Struct({ milestone: Schema.Int, film: StatsFilm })),
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

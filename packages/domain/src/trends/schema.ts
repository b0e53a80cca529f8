import { Schema } from "effect";
import { MovieId, Timestamp } from "../schemas/primitives.ts";

/** The windows the trends are computed over; `all` is all-time. */
export const TrendWindow = Schema.Literal("7d", "30d", "all").annotations({ identifier: "TrendWindow" });
export type TrendWindow = typeof TrendWindow.Type;
export const TREND_WINDOWS: ReadonlyArray<TrendWindow> = ["7d", "30d", "all"];
export const DEFAULT_TREND_WINDOW: TrendWindow = "30d";

export const TopMovie = Schema.Struct({
  movie_id: MovieId,
  title: Schema.String,
  poster_path: Schema.NullOr(Schema.String),
  count: Schema.Int.pipe(Schema.positive()),
});
export type TopMovie = typeof TopMovie.Type;

export const TrendingGenre = Schema.Struct({
  genre: Schema.String,
  count: Schema.Int.pipe(Schema.positive()),
  percentage: Schema.Number.pipe(Schema.between(0, 100)),
});
export type TrendingGenre = typeof TrendingGenre.Type;

/** The `global_stats` document the dashboard reads: small and bounded, one per window. */
export const GlobalStatsDocument = Schema.Struct({
  type: Schema.Literal("global_trends"),
  window: TrendWindow,
  top_movies: Schema.Array(TopMovie).pipe(Schema.maxItems(10)),
  trending_genres: Schema.Array(TrendingGenre).pipe(Schema.maxItems(10)),
  total_movies_analyzed: Schema.Int.pipe(Schema.nonNegative()),
  source: Schema.Literal("bootstrap", "streaming_incremental"),
  updated_at: Timestamp,
}).annotations({ identifier: "GlobalStatsDocument" });
export type GlobalStatsDocument = typeof GlobalStatsDocument.Type;

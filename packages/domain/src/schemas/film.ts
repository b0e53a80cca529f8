import { Schema } from "effect";
import { MovieId, NonEmptyText } from "./primitives.ts";

/** The film snapshot's bounds, shared with the event fast path (`fast-decode.ts`). */
export const FilmLimits = {
  titleLength: 300,
  nameLength: 200,
  names: 100,
  yearMin: 1870,
  yearMax: 2100,
  runtimeMin: 1,
  runtimeMax: 1500,
  posterPathLength: 2000,
} as const;

const Names = Schema.Array(NonEmptyText(FilmLimits.nameLength)).pipe(Schema.maxItems(FilmLimits.names));

/**
 * A catalog film, and the snapshot of it that travels inside every watchlist event, so the runners
 * never look the catalog up on the hot path and a poster is never missing later.
 */
export const Film = Schema.Struct({
  movie_id: MovieId,
  title: NonEmptyText(FilmLimits.titleLength),
  year: Schema.optional(Schema.Int.pipe(Schema.between(FilmLimits.yearMin, FilmLimits.yearMax))),
  genres: Schema.optional(Names),
  directors: Schema.optional(Names),
  actors: Schema.optional(Names),
  runtime_minutes: Schema.optional(
    Schema.Int.pipe(Schema.between(FilmLimits.runtimeMin, FilmLimits.runtimeMax)),
  ),
  poster_path: Schema.optional(Schema.String.pipe(Schema.maxLength(FilmLimits.posterPathLength))),
}).annotations({ identifier: "Film" });
export type Film = typeof Film.Type;

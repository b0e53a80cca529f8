import { Schema } from "effect";
import { MovieId, NonEmptyText } from "./primitives.ts";

const Names = Schema.Array(NonEmptyText(200)).pipe(Schema.maxItems(100));

/**
 * A catalog film, and the snapshot of it that travels inside every watchlist event, so the runners
 * never look the catalog up on the hot path and a poster is never missing later.
 */
export const Film = Schema.Struct({
  movie_id: MovieId,
  title: NonEmptyText(300),
  year: Schema.optional(Schema.Int.pipe(Schema.between(1870, 2100))),
  genres: Schema.optional(Names),
  directors: Schema.optional(Names),
  actors: Schema.optional(Names),
  runtime_minutes: Schema.optional(Schema.Int.pipe(Schema.between(1, 1500))),
  poster_path: Schema.optional(Schema.String.pipe(Schema.maxLength(2000))),
}).annotations({ identifier: "Film" });
export type Film = typeof Film.Type;

import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CURRENT_SCHEMA_VERSION, type Film, type MovieAdded } from "@cinematch/domain";
import { readMovieLensMovies } from "../catalog-import/movielens.ts";
import { type MovieLensRating, readMovieLensRatings } from "../replay/ratings.ts";

// What the benchmarks feed the pipeline: the MovieLens folder's films and ratings, and ADD events
// built straight (the benchmarks time the stream, not the API).

/** The films (by MovieLens id) and the ratings of a MovieLens folder; the benchmarks' data is known good. */
export const readMovieLensFolder = (
  dir: string,
): { readonly films: ReadonlyMap<number, Film>; readonly ratings: ReadonlyArray<MovieLensRating> } => {
  const films = new Map<number, Film>();
  for (const film of readMovieLensMovies(readFileSync(join(dir, "movies.csv"), "utf8"), "movies.csv").films) {
    films.set(film.movielens_id, film.entry.film);
  }
  const { ratings } = readMovieLensRatings(readFileSync(join(dir, "ratings.csv"), "utf8"), "ratings.csv");
  return { films, ratings };
};

/** An ADD event with a fresh id, published now, the film watched and added at `at`. */
export const benchAddEvent = (user_id: string, movie: Film, at: number, rating?: number): MovieAdded => ({
  event_type: "ADD",
  schema_version: CURRENT_SCHEMA_VERSION,
  event_id: randomUUID(),
  user_id,
  occurred_at: Date.now(),
  movie,
  added_at: at,
  watched_at: at,
  ...(rating === undefined ? {} : { rating }),
});

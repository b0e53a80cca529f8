import type { Film } from "../schemas/film.ts";
import { parseMovieLensTitle } from "../title/parse-title.ts";
import type { CatalogItem } from "./catalog-index.ts";

/** One row of MovieLens `movies.csv`, fields as written. */
export interface MovieLensMovieRow {
  readonly movieId: string;
  readonly title: string;
  readonly genres: string;
}

/**
 * A MovieLens row as a catalog item: the film under its readable title (`Misérables, Les (1995)`
 * becomes `Les Misérables`, year 1995), with the alternative titles kept as aliases for the matcher.
 * `movieIdPrefix` namespaces the id (e.g. `"ml-"`), so ids from several catalogs never collide.
 */
export const movieLensCatalogItem = (row: MovieLensMovieRow, movieIdPrefix = ""): CatalogItem => {
  const parsed = parseMovieLensTitle(row.title);
  const genres = row.genres
    .split("|")
    .map((g) => g.trim())
    .filter((g) => g !== "" && g !== "(no genres listed)");
  const film: Film = {
    movie_id: `${movieIdPrefix}${row.movieId.trim()}`,
    title: parsed.title,
    ...(parsed.year === undefined ? {} : { year: parsed.year }),
    ...(genres.length === 0 ? {} : { genres }),
  };
  const aliases =
    parsed.full_title === parsed.title ? parsed.aliases : [...parsed.aliases, parsed.full_title];
  return { film, aliases };
};

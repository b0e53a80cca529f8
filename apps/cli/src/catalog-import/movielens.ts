import type { CatalogEntry } from "@cinematch/adapters";
import { csvTable, decoderFor, Film, movieLensCatalogItem, parseCsv } from "@cinematch/domain";
import { Either } from "effect";
import { describeDecodeError, type LineProblem } from "./problems.ts";

/**
 * MovieLens `movies.csv` (`movieId,title,genres`: `Misérables, Les (1995)`, genres joined by `|`)
 * and, optionally, `links.csv` (`movieId,imdbId,tmdbId`). A MovieLens film's id is
 * `ml-<movieId>`, the id the replay tool gives the same film, so replayed ratings and the
 * imported catalog name a film alike.
 */
export const MOVIELENS_PREFIX = "ml-";

export interface MovieLensFilm {
  readonly line: number;
  readonly movielens_id: number;
  readonly entry: CatalogEntry;
}

export interface MovieLensLink {
  readonly line: number;
  /** `tt` and at least seven digits, as IMDB writes its ids. */
  readonly imdb_id: string;
  readonly tmdb_id?: string;
}

export interface MovieLensRead {
  readonly films: ReadonlyArray<MovieLensFilm>;
  readonly problems: ReadonlyArray<LineProblem>;
}

export const MOVIES_COLUMNS = ["movieId", "title", "genres"] as const;
export const LINKS_COLUMNS = ["movieId", "imdbId", "tmdbId"] as const;

const decodeFilm = decoderFor(Film, "film");
const wholeNumber = /^\d+$/;

export const readMovieLensMovies = (text: string, file: string): MovieLensRead => {
  const table = csvTable(parseCsv(text), MOVIES_COLUMNS);
  const problems: LineProblem[] = table.problems.map((p) => ({ file, ...p }));
  const films: MovieLensFilm[] = [];
  const idLine = new Map<number, number>();
  const [idAt, titleAt, genresAt] = MOVIES_COLUMNS.map(table.column);

  for (const { line, fields } of table.rows) {
    const movieIdText = (fields[idAt!] ?? "").trim();
    const title = (fields[titleAt!] ?? "").trim();
    const genres = (fields[genresAt!] ?? "").trim();
    const issues: string[] = [];
    const movieId = Number(movieIdText);
    if (!wholeNumber.test(movieIdText) || movieId < 1) {
      issues.push(`"movieId": a positive whole number, got ${JSON.stringify(movieIdText)}`);
    } else if (idLine.has(movieId)) {
      issues.push(`"movieId": ${movieId} is already on line ${idLine.get(movieId)}`);
    }
    if (title === "") issues.push(`"title": a non-empty text`);
    if (issues.length > 0) {
      problems.push({ file, line, message: issues.join("; ") });
      continue;
    }
    const item = movieLensCatalogItem({ movieId: movieIdText, title, genres }, MOVIELENS_PREFIX);
    const film = decodeFilm(item.film);
    if (Either.isLeft(film)) {
      problems.push({
        file,
        line,
        message: describeDecodeError(film.left, { title: "title", year: "title", genres: "genres" }),
      });
      continue;
    }
    idLine.set(movieId, line);
    const aliases = item.aliases ?? [];
    films.push({
      line,
      movielens_id: movieId,
      entry: aliases.length === 0 ? { film: film.right } : { film: film.right, aliases },
    });
  }
  return { films, problems: problems.sort((a, b) => a.line - b.line) };
};

/** Reads links.csv; every movieId must be one of `known` (the ids of movies.csv). */
export const readMovieLensLinks = (
  text: string,
  file: string,
  known: ReadonlySet<number>,
): { readonly links: ReadonlyMap<number, MovieLensLink>; readonly problems: ReadonlyArray<LineProblem> } => {
  const table = csvTable(parseCsv(text), LINKS_COLUMNS);
  const problems: LineProblem[] = table.problems.map((p) => ({ file, ...p }));
  const links = new Map<number, MovieLensLink>();
  const [idAt, imdbAt, tmdbAt] = LINKS_COLUMNS.map(table.column);
  for (const { line, fields } of table.rows) {
    const movieIdText = (fields[idAt!] ?? "").trim();
    const imdbText = (fields[imdbAt!] ?? "").trim();
    const tmdbText = (fields[tmdbAt!] ?? "").trim();
    const issues: string[] = [];
    const movieId = Number(movieIdText);
    if (!wholeNumber.test(movieIdText))
      issues.push(`"movieId": a whole number, got ${JSON.stringify(movieIdText)}`);
    else if (!known.has(movieId)) issues.push(`"movieId": ${movieId} is not in movies.csv`);
    else if (links.has(movieId))
      issues.push(`"movieId": ${movieId} is already on line ${links.get(movieId)?.line}`);
    if (!/^\d{1,10}$/.test(imdbText)) issues.push(`"imdbId": digits, got ${JSON.stringify(imdbText)}`);
    if (!/^\d{0,12}$/.test(tmdbText))
      issues.push(`"tmdbId": digits or nothing, got ${JSON.stringify(tmdbText)}`);
    if (issues.length > 0) {
      problems.push({ file, line, message: issues.join("; ") });
      continue;
    }
    links.set(movieId, {
      line,
      imdb_id: `tt${imdbText.padStart(7, "0")}`,
      ...(tmdbText === "" ? {} : { tmdb_id: tmdbText }),
    });
  }
  return { links, problems: problems.sort((a, b) => a.line - b.line) };
};

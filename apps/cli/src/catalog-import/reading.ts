import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { readMovieLensRatings } from "../replay/ratings.ts";
import { decodeUtf8 } from "./utf8.ts";
import { type ImdbFilm, readImdbCsv } from "./imdb.ts";
import {
  type MovieLensFilm,
  type MovieLensLink,
  readMovieLensLinks,
  readMovieLensMovies,
} from "./movielens.ts";
import type { LineProblem } from "./problems.ts";

// Step 1 of an import: read and check every file, collecting every bad line.

export interface Reading {
  readonly problems: LineProblem[];
  movielens: ReadonlyArray<MovieLensFilm>;
  links: ReadonlyMap<number, MovieLensLink>;
  /** MovieLens ratings per movieId, when ratings.csv is there. */
  ratingCounts: ReadonlyMap<number, number>;
  imdb: ReadonlyArray<ImdbFilm>;
  imdbDuplicates: number;
}

const readBytes = async (path: string, problems: LineProblem[]): Promise<string | undefined> => {
  try {
    const decoded = decodeUtf8(await readFile(path));
    for (const p of decoded.problems) problems.push({ file: path, ...p });
    return decoded.text;
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    problems.push({
      file: path,
      line: 0,
      message:
        code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a folder, not a file" : String(cause),
    });
    return undefined;
  }
};

/** movies.csv, then links.csv and ratings.csv when they are there. */
const readMovieLensFolder = async (folder: string, reading: Reading, stopHere: () => boolean) => {
  const moviesPath = join(folder, "movies.csv");
  const text = await readBytes(moviesPath, reading.problems);
  if (text === undefined || stopHere()) return;
  const read = readMovieLensMovies(text, moviesPath);
  reading.problems.push(...read.problems);
  reading.movielens = read.films;
  const linksPath = join(folder, "links.csv");
  if (existsSync(linksPath) && !stopHere()) {
    const linksText = await readBytes(linksPath, reading.problems);
    if (linksText !== undefined) {
      const links = readMovieLensLinks(linksText, linksPath, new Set(read.films.map((f) => f.movielens_id)));
      reading.problems.push(...links.problems);
      reading.links = links.links;
    }
  }
  const ratingsPath = join(folder, "ratings.csv");
  if (existsSync(ratingsPath) && !stopHere()) {
    const ratingsText = await readBytes(ratingsPath, reading.problems);
    if (ratingsText !== undefined) {
      const ratings = readMovieLensRatings(ratingsText, ratingsPath);
      reading.problems.push(...ratings.problems);
      const counts = new Map<number, number>();
      for (const r of ratings.ratings) counts.set(r.movie, (counts.get(r.movie) ?? 0) + 1);
      reading.ratingCounts = counts;
    }
  }
};

/** Reads the sources given, stopping at the first bad line when `failFast`. */
export const readSources = async (sources: {
  readonly movielens: string | undefined;
  readonly imdb: string | undefined;
  readonly failFast: boolean;
}): Promise<Reading> => {
  const reading: Reading = {
    problems: [],
    movielens: [],
    links: new Map(),
    ratingCounts: new Map(),
    imdb: [],
    imdbDuplicates: 0,
  };
  const stopHere = () => sources.failFast && reading.problems.length > 0;
  if (sources.movielens !== undefined) await readMovieLensFolder(sources.movielens, reading, stopHere);
  if (sources.imdb !== undefined && !stopHere()) {
    const text = await readBytes(sources.imdb, reading.problems);
    if (text !== undefined) {
      const read = readImdbCsv(text, sources.imdb);
      reading.problems.push(...read.problems);
      reading.imdb = read.films;
      reading.imdbDuplicates = read.duplicates.length;
    }
  }
  return reading;
};

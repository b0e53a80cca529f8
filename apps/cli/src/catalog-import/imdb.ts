import type { CatalogEntry } from "@cinematch/adapters";
import { csvTable, decoderFor, Film, parseCsv } from "@cinematch/domain";
import { Either } from "effect";
import { stableMovieId } from "./ids.ts";
import { describeDecodeError, type LineProblem } from "./problems.ts";

/**
 * The "IMDB data 2006–2016" CSV (IMDB-Movie-Data.csv): `Rank,Title,Genre,Description,Director,
 * Actors,Year,Runtime (Minutes),Rating,Votes,Revenue (Millions),Metascore`, genres and actors
 * comma-separated inside quoted fields. Only the columns a catalog film has are read (and checked).
 */
export interface ImdbFilm {
  readonly line: number;
  readonly rank: number;
  readonly entry: CatalogEntry;
}

export interface ImdbRead {
  readonly films: ReadonlyArray<ImdbFilm>;
  readonly problems: ReadonlyArray<LineProblem>;
  /** Rows that came out as a film already read (same normalized title and year); the first one is kept. */
  readonly duplicates: ReadonlyArray<{
    readonly line: number;
    readonly first_line: number;
    readonly title: string;
  }>;
}

export const IMDB_COLUMNS = [
  "Rank",
  "Title",
  "Genre",
  "Director",
  "Actors",
  "Year",
  "Runtime (Minutes)",
] as const;

/** Which CSV column each Film field comes from, for error messages. */
const columnOf = {
  title: "Title",
  year: "Year",
  genres: "Genre",
  directors: "Director",
  actors: "Actors",
  runtime_minutes: "Runtime (Minutes)",
};

const decodeFilm = decoderFor(Film, "film");
const list = (text: string) =>
  text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
const wholeNumber = /^\d+$/;

export const readImdbCsv = (text: string, file: string): ImdbRead => {
  const table = csvTable(parseCsv(text), IMDB_COLUMNS);
  const problems: LineProblem[] = table.problems.map((p) => ({ file, ...p }));
  const films: ImdbFilm[] = [];
  const duplicates: Array<{ line: number; first_line: number; title: string }> = [];
  const rankLine = new Map<number, number>();
  const idLine = new Map<string, number>();
  const at = (name: (typeof IMDB_COLUMNS)[number]) => table.column(name);

  for (const { line, fields } of table.rows) {
    const get = (name: (typeof IMDB_COLUMNS)[number]) => (fields[at(name)] ?? "").trim();
    const issues: string[] = [];

    const rankText = get("Rank");
    const rank = Number(rankText);
    if (!wholeNumber.test(rankText) || rank < 1)
      issues.push(`"Rank": a positive whole number, got ${JSON.stringify(rankText)}`);
    else if (rankLine.has(rank)) issues.push(`"Rank": ${rank} is already on line ${rankLine.get(rank)}`);
    else rankLine.set(rank, line);

    const yearText = get("Year");
    const year = wholeNumber.test(yearText) ? Number(yearText) : undefined;
    if (year === undefined) issues.push(`"Year": a year, got ${JSON.stringify(yearText)}`);

    const runtimeText = get("Runtime (Minutes)");
    const runtime = wholeNumber.test(runtimeText) ? Number(runtimeText) : undefined;
    // Votes are optional (a popularity prior for search); a column that is there must hold a count.
    const votesAt = table.column("Votes");
    const votesText = votesAt < 0 ? "" : (fields[votesAt] ?? "").trim();
    const votes = wholeNumber.test(votesText) ? Number(votesText) : undefined;
    if (votesText !== "" && votes === undefined) {
      issues.push(`"Votes": a whole number of votes, got ${JSON.stringify(votesText)}`);
    }
    if (runtimeText !== "" && runtime === undefined) {
      issues.push(`"Runtime (Minutes)": a whole number of minutes, got ${JSON.stringify(runtimeText)}`);
    }

    const title = get("Title");
    const genres = list(get("Genre"));
    const directors = list(get("Director"));
    const actors = list(get("Actors"));
    const candidate = {
      movie_id: stableMovieId("imdb-", title, year),
      title,
      ...(year === undefined ? {} : { year }),
      ...(genres.length === 0 ? {} : { genres }),
      ...(directors.length === 0 ? {} : { directors }),
      ...(actors.length === 0 ? {} : { actors }),
      ...(runtime === undefined ? {} : { runtime_minutes: runtime }),
    };
    const film = decodeFilm(candidate);
    if (Either.isLeft(film)) issues.push(describeDecodeError(film.left, columnOf));

    if (issues.length > 0 || Either.isLeft(film)) {
      problems.push({ file, line, message: issues.join("; ") });
      continue;
    }
    const first = idLine.get(film.right.movie_id);
    if (first !== undefined) {
      duplicates.push({ line, first_line: first, title: film.right.title });
      continue;
    }
    idLine.set(film.right.movie_id, line);
    films.push({
      line,
      rank,
      entry: votes === undefined ? { film: film.right } : { film: film.right, votes: { imdb: votes } },
    });
  }
  return { films, problems: problems.sort((a, b) => a.line - b.line), duplicates };
};

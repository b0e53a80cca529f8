import { Data, Either } from "effect";
import { normalizeTitle } from "../title/normalize-title.ts";

/**
 * What a history export says about one film, after every row of every file about it is folded
 * together: the film as the export names it (title, year, the source's ids) and the user's history
 * with it, already on our scales.
 */
export interface ExportFilm {
  /** Rows about one film share it (ids when the source has them, else normalized title and year). */
  readonly key: string;
  readonly title: string;
  readonly year?: number;
  /** `tt0111161`, as the catalog keeps IMDB ids. */
  readonly imdb_id?: string;
  /** Digits, as TMDB numbers films; the catalog keeps it as `tmdb-<digits>`. */
  readonly tmdb_id?: string;
  /** On our 0.5–10 scale. */
  readonly rating?: number;
  /** The latest watch, epoch milliseconds; absent when the export dates no watch of it. */
  readonly watched_at?: number;
  /** How often it was watched (at least once: a rated or logged film was seen). */
  readonly watch_count: number;
}

export interface ExportProblem {
  readonly file: string;
  /** 1-based line of a CSV file; absent for a whole file or a JSON item. */
  readonly line?: number;
  readonly message: string;
}

export interface ParsedExport {
  readonly films: ReadonlyArray<ExportFilm>;
  /** Rows that were skipped or only partly read, each saying why. */
  readonly problems: ReadonlyArray<ExportProblem>;
  /** The files that were read (others in the archive were left alone). */
  readonly files: ReadonlyArray<string>;
}

/** One file of an export as uploaded or unpacked. */
export interface ExportFile {
  /** Its path inside the archive, or the uploaded file's name; may be empty for a bare upload. */
  readonly name: string;
  readonly text: string;
}

/** The upload holds nothing an import can read (no known file, an empty archive, not the format). */
export class ExportUnreadable extends Data.TaggedError("ExportUnreadable")<{ readonly message: string }> {}

/** The key rows without ids are grouped by: a film's title and year as the matcher would compare them. */
export const titleYearKey = (title: string, year: number | undefined): string =>
  `title:${normalizeTitle(title)}|${year ?? ""}`;

/** `tt` and at least seven digits, as IMDB writes ids and the catalog stores them; undefined otherwise. */
export const canonicalImdbId = (text: string): string | undefined => {
  const digits = /^(?:tt)?(\d{1,10})$/u.exec(text.trim())?.[1];
  return digits === undefined || Number(digits) === 0
    ? undefined
    : `tt${String(Number(digits)).padStart(7, "0")}`;
};

/**
 * Folds observations of films into one `ExportFilm` each. A rating from a more authoritative kind of
 * row (a ratings file over a diary line) wins; among equals, the later one. The watch count is the
 * largest any source gives (a diary counts its lines; a watched list says "at least once").
 */
export interface Observation {
  readonly key: string;
  readonly title: string;
  readonly year?: number;
  readonly imdb_id?: string;
  readonly tmdb_id?: string;
  readonly rating?: {
    readonly value: number;
    /** Higher wins: 2 for a ratings file, 1 for a diary line. */
    readonly authority: number;
    readonly at: number | undefined;
  };
  /** A dated watch (a diary's watched date, Trakt's last watch). */
  readonly watched_at?: number;
  /** A date that only says "by then it was seen" (the day it was marked watched or rated). */
  readonly seen_by?: number;
  /** Watches this observation alone accounts for. */
  readonly watches: number;
  /** `true`: add the watches to the film's count (diary lines, history plays); else a lower bound. */
  readonly additive: boolean;
}

interface Accumulator {
  key: string;
  title: string;
  year: number | undefined;
  imdb_id: string | undefined;
  tmdb_id: string | undefined;
  rating: Observation["rating"];
  watched_at: number | undefined;
  seen_by: number | undefined;
  summed: number;
  floor: number;
}

const later = (a: number | undefined, b: number | undefined) =>
  a === undefined ? b : b === undefined ? a : Math.max(a, b);

const wins = (next: NonNullable<Observation["rating"]>, current: Observation["rating"]) =>
  current === undefined ||
  next.authority > current.authority ||
  (next.authority === current.authority && (next.at ?? -Infinity) >= (current.at ?? -Infinity));

export const foldObservations = (observations: Iterable<Observation>): ReadonlyArray<ExportFilm> => {
  const films = new Map<string, Accumulator>();
  for (const seen of observations) {
    let film = films.get(seen.key);
    if (film === undefined) {
      film = {
        key: seen.key,
        title: seen.title,
        year: seen.year,
        imdb_id: undefined,
        tmdb_id: undefined,
        rating: undefined,
        watched_at: undefined,
        seen_by: undefined,
        summed: 0,
        floor: 0,
      };
      films.set(seen.key, film);
    }
    film.year ??= seen.year;
    film.imdb_id ??= seen.imdb_id;
    film.tmdb_id ??= seen.tmdb_id;
    if (seen.rating !== undefined && wins(seen.rating, film.rating)) film.rating = seen.rating;
    film.watched_at = later(film.watched_at, seen.watched_at);
    film.seen_by = later(film.seen_by, seen.seen_by);
    if (seen.additive) film.summed += seen.watches;
    else film.floor = Math.max(film.floor, seen.watches);
  }
  return [...films.values()].map((film) => {
    const watched_at = film.watched_at ?? film.seen_by;
    return {
      key: film.key,
      title: film.title,
      ...(film.year === undefined ? {} : { year: film.year }),
      ...(film.imdb_id === undefined ? {} : { imdb_id: film.imdb_id }),
      ...(film.tmdb_id === undefined ? {} : { tmdb_id: film.tmdb_id }),
      ...(film.rating === undefined ? {} : { rating: film.rating.value }),
      ...(watched_at === undefined ? {} : { watched_at }),
      watch_count: Math.max(1, film.summed, film.floor),
    };
  });
};

/**
 * The parsed export once every file was read: its films, or, when no file was one the source
 * writes, why not (the first problem met, else `nothingRead`).
 */
export const exportOrUnreadable = (
  read: ReadonlyArray<string>,
  observations: Iterable<Observation>,
  problems: ReadonlyArray<ExportProblem>,
  nothingRead: string,
): Either.Either<ParsedExport, ExportUnreadable> =>
  read.length === 0
    ? Either.left(new ExportUnreadable({ message: problems[0]?.message ?? nothingRead }))
    : Either.right({ films: foldObservations(observations), problems, files: read });

/** Epoch milliseconds of a `YYYY-MM-DD` day that exists (no 30 February), else undefined. */
export const parseDay = (text: string): number | undefined => {
  if (!/^\d{4}-\d{2}-\d{2}$/u.test(text)) return undefined;
  const millis = Date.parse(`${text}T00:00:00Z`);
  return Number.isFinite(millis) && new Date(millis).toISOString().startsWith(text) ? millis : undefined;
};

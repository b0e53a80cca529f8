import { Either, ParseResult, Schema } from "effect";
import { parseIsoTimestamp } from "../schemas/primitives.ts";
import {
  canonicalImdbId,
  type ExportFile,
  type ExportProblem,
  type ExportUnreadable,
  exportOrUnreadable,
  type Observation,
  type ParsedExport,
  titleYearKey,
} from "./export-film.ts";

/**
 * Trakt's exports are JSON arrays shaped like its sync API's answers (trakt.docs.apiary.io, "Sync":
 * `GET /sync/watched/movies`, `GET /sync/ratings/movies`, `GET /sync/history/movies`; the same
 * shapes public tools keep, e.g. DAWZayas/ManyMovies for `ids`):
 * - watched-movies.json: `[{ plays, last_watched_at, last_updated_at, movie }]`;
 * - ratings-movies.json: `[{ rated_at, rating (1–10), type: "movie", movie }]`;
 * - a history file: `[{ id, watched_at, action, type: "movie", movie }]`, one item per play;
 * - `movie`: `{ title, year, ids: { trakt, slug, imdb: "tt…", tmdb: 123 } }`; ids may be null.
 * Items about shows, seasons or episodes carry no `movie` and are passed over. Trakt's 1–10 rating
 * is already our scale.
 */

const NullableOptional = <A, I>(schema: Schema.Schema<A, I, never>) => Schema.optional(Schema.NullOr(schema));

const TraktIds = Schema.Struct({
  trakt: NullableOptional(Schema.Union(Schema.Number, Schema.String)),
  imdb: NullableOptional(Schema.String),
  tmdb: NullableOptional(Schema.Union(Schema.Number, Schema.String)),
});

const TraktMovie = Schema.Struct({
  title: Schema.String.pipe(Schema.minLength(1, { message: () => "a non-empty title" })),
  year: NullableOptional(Schema.Number),
  ids: Schema.optional(TraktIds),
});

const Instant = Schema.String.pipe(
  Schema.filter((text) => Number.isFinite(parseIsoTimestamp(text)) || "an ISO 8601 date-time"),
);

const TraktItem = Schema.Struct({
  movie: TraktMovie,
  plays: Schema.optional(Schema.Number.pipe(Schema.int(), Schema.nonNegative())),
  last_watched_at: NullableOptional(Instant),
  rating: Schema.optional(Schema.Number.pipe(Schema.int(), Schema.between(1, 10))),
  rated_at: NullableOptional(Instant),
  watched_at: NullableOptional(Instant),
});
type TraktItem = typeof TraktItem.Type;

const decodeItem = Schema.decodeUnknownEither(TraktItem, { errors: "first" });

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const instant = (text: string | null | undefined) => (text == null ? undefined : parseIsoTimestamp(text));

const observe = (item: TraktItem): Observation => {
  const ids = item.movie.ids;
  const imdb_id = ids?.imdb == null ? undefined : canonicalImdbId(ids.imdb);
  const tmdbText = ids?.tmdb == null ? "" : String(ids.tmdb);
  const tmdb_id = /^\d{1,12}$/u.test(tmdbText) && Number(tmdbText) > 0 ? String(Number(tmdbText)) : undefined;
  const year = item.movie.year == null ? undefined : item.movie.year;
  const key =
    ids?.trakt != null
      ? `trakt:${ids.trakt}`
      : imdb_id !== undefined
        ? `imdb:${imdb_id}`
        : tmdb_id !== undefined
          ? `tmdb:${tmdb_id}`
          : titleYearKey(item.movie.title, year);
  const rated_at = instant(item.rated_at);
  const play = instant(item.watched_at);
  const last = instant(item.last_watched_at);
  const watched_at = later(play, last);
  return {
    key,
    title: item.movie.title,
    ...(year === undefined ? {} : { year }),
    ...(imdb_id === undefined ? {} : { imdb_id }),
    ...(tmdb_id === undefined ? {} : { tmdb_id }),
    ...(item.rating === undefined ? {} : { rating: { value: item.rating, authority: 2, at: rated_at } }),
    ...(watched_at === undefined ? {} : { watched_at }),
    ...(rated_at === undefined ? {} : { seen_by: rated_at }),
    // A history item is one play; a watched item counts them all; a rating says "seen".
    watches: item.plays ?? 1,
    additive: item.plays === undefined && play !== undefined,
  };
};

const later = (a: number | undefined, b: number | undefined) =>
  a === undefined ? b : b === undefined ? a : Math.max(a, b);

/**
 * The films of a Trakt export: its JSON files (from a ZIP or uploaded one by one). Fails when no
 * file is a JSON array of Trakt items about films.
 */
export const parseTraktExport = (
  files: ReadonlyArray<ExportFile>,
): Either.Either<ParsedExport, ExportUnreadable> => {
  const observations: Array<Observation> = [];
  const problems: Array<ExportProblem> = [];
  const read: Array<string> = [];
  const ofHistory: Array<Observation> = [];
  for (const file of files) {
    const label = file.name === "" ? "upload" : file.name;
    if (files.length > 1 && !/\.json$/iu.test(file.name)) continue;
    let value: unknown;
    try {
      value = JSON.parse(file.text);
    } catch (error) {
      problems.push({ file: label, message: `not JSON: ${(error as Error).message}` });
      continue;
    }
    if (!Array.isArray(value)) {
      problems.push({ file: label, message: "not a Trakt export: expected a JSON array of items" });
      continue;
    }
    let films = 0;
    value.forEach((raw, index) => {
      if (!isRecord(raw) || !("movie" in raw)) return;
      const decoded = decodeItem(raw);
      if (Either.isLeft(decoded)) {
        problems.push({
          file: label,
          message: `item ${index + 1}: ${ParseResult.TreeFormatter.formatErrorSync(decoded.left)}`,
        });
        return;
      }
      films++;
      const observation = observe(decoded.right);
      (observation.additive ? ofHistory : observations).push(observation);
    });
    if (films > 0) read.push(file.name);
  }
  // Plays counted by a watched file and again by a history file are the same plays: the history's
  // sum per film is one more lower bound, not an addition.
  const historyPlays = new Map<string, number>();
  for (const play of ofHistory) historyPlays.set(play.key, (historyPlays.get(play.key) ?? 0) + 1);
  for (const play of ofHistory)
    observations.push({ ...play, watches: historyPlays.get(play.key)!, additive: false });
  return exportOrUnreadable(
    read,
    observations,
    problems,
    "no Trakt film items in the export (expected watched-movies.json, ratings-movies.json or a history file)",
  );
};

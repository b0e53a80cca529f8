import { Either } from "effect";
import { type DecodeError, decoderFor, jsonDecoderFrom } from "./decode.ts";
import { CURRENT_SCHEMA_VERSION, WatchlistEvent } from "./events.ts";
import { type Film, FilmLimits } from "./film.ts";
import { isIdText, isRatingValue, isWatchCountValue, parseIsoTimestamp } from "./primitives.ts";

/**
 * The watchlist event read straight off the parsed JSON, for the runners' hot path: the Schema
 * decoder costs 6-8 µs an event, several times `JSON.parse` itself. This checks the same rules
 * (the id, timestamp and rating predicates and the film bounds are the Schema's own) and builds
 * the same value; on anything it is not sure about it returns `undefined` and the caller asks the
 * Schema, which stays the one source of truth and gives the dead-letter reason. It never rejects.
 * `fast-decode.unit.test.ts` checks, by properties, that it agrees with the Schema.
 */
export const fastDecodeWatchlistEvent = (input: unknown): WatchlistEvent | undefined => {
  if (!isPlainRecord(input)) return undefined;
  const eventType = input.event_type;
  if (eventType !== "ADD" && eventType !== "UPDATE" && eventType !== "DELETE") return undefined;
  if (input.schema_version !== CURRENT_SCHEMA_VERSION) return undefined;
  const eventId = input.event_id;
  const userId = input.user_id;
  if (typeof eventId !== "string" || !isIdText(eventId)) return undefined;
  if (typeof userId !== "string" || !isIdText(userId)) return undefined;
  const occurredAt = timestamp(input.occurred_at);
  const addedAt = timestamp(input.added_at);
  if (occurredAt === undefined || addedAt === undefined) return undefined;
  const movie = film(input.movie);
  if (movie === undefined) return undefined;
  const envelope = {
    schema_version: CURRENT_SCHEMA_VERSION,
    event_id: eventId,
    user_id: userId,
    occurred_at: occurredAt,
    movie,
    added_at: addedAt,
  };
  if (eventType === "DELETE") return { event_type: eventType, ...envelope };
  const watchedAt = timestamp(input.watched_at);
  if (watchedAt === undefined) return undefined;
  const watchCount = input.watch_count;
  let counted: { watch_count?: number } = {};
  if (typeof watchCount === "number" && isWatchCountValue(watchCount)) counted = { watch_count: watchCount };
  else if (watchCount !== undefined || hasOwn(input, "watch_count")) return undefined;
  const rating = input.rating;
  if (rating === undefined) {
    return hasOwn(input, "rating")
      ? undefined
      : { event_type: eventType, ...envelope, watched_at: watchedAt, ...counted };
  }
  if (typeof rating !== "number" || !isRatingValue(rating)) return undefined;
  return { event_type: eventType, ...envelope, rating, watched_at: watchedAt, ...counted };
};

const schemaDecode = decoderFor(WatchlistEvent, "watchlist event");

/** Decodes a watchlist event: the fast path when it is sure, the Schema (and its reasons) otherwise. */
export const decodeWatchlistEvent = (input: unknown): Either.Either<WatchlistEvent, DecodeError> => {
  const fast = fastDecodeWatchlistEvent(input);
  return fast === undefined ? schemaDecode(input) : Either.right(fast);
};

/** `decodeWatchlistEvent` over JSON text, as a Kafka record's value carries it. */
export const decodeWatchlistEventJson = jsonDecoderFrom(decodeWatchlistEvent, "watchlist event");

// ---- the pieces ------------------------------------------------------------------------------

type Fields = Record<string, unknown>;
type Writable<T> = { -readonly [K in keyof T]: T[K] };

// Only what `JSON.parse` makes: anything with another prototype (or an array) goes to the Schema.
const isPlainRecord = (value: unknown): value is Fields =>
  typeof value === "object" &&
  value !== null &&
  (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);

const hasOwn = (fields: Fields, key: string): boolean => Object.hasOwn(fields, key);

const timestamp = (value: unknown): number | undefined => {
  if (typeof value !== "string") return undefined;
  const canonical = canonicalMillis(value);
  if (canonical !== undefined) return canonical;
  const millis = parseIsoTimestamp(value);
  return Number.isFinite(millis) ? millis : undefined;
};

/**
 * The `toISOString()` form every producer of ours writes (`2026-11-01T10:00:00.000Z`), read by hand:
 * `Date.parse` alone cost more than the rest of an event. Only unambiguous values are read here
 * (a real calendar day, hours below 24, years from 100 on, where `Date.UTC` and `Date.parse`
 * agree); anything else goes to the Schema's own parser.
 */
const canonicalMillis = (text: string): number | undefined => {
  if (
    text.length !== 24 ||
    text.charCodeAt(4) !== 45 || // -
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 84 || // T
    text.charCodeAt(13) !== 58 || // :
    text.charCodeAt(16) !== 58 ||
    text.charCodeAt(19) !== 46 || // .
    text.charCodeAt(23) !== 90 // Z
  ) {
    return undefined;
  }
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  const milli = digits(text, 20, 3);
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || milli < 0) {
    return undefined;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, milli);
};

/** The decimal number in `text[start, start + count)`, or -1 if a character is not a digit. */
const digits = (text: string, start: number, count: number): number => {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
};

const daysIn = (year: number, month: number): number =>
  month === 2
    ? (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
      ? 29
      : 28
    : month === 4 || month === 6 || month === 9 || month === 11
      ? 30
      : 31;

/** `NonEmptyText(max)`: trimmed, then 1..max UTF-16 units. */
const text = (value: unknown, maxLength: number): string | undefined => {
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  return trimmed.length >= 1 && trimmed.length <= maxLength ? trimmed : undefined;
};

const intBetween = (value: unknown, min: number, max: number): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= min && value <= max;

/** `undefined` when unsure, `null` when the key is absent. */
const names = (fields: Fields, key: string): ReadonlyArray<string> | undefined | null => {
  const value = fields[key];
  if (value === undefined) return hasOwn(fields, key) ? undefined : null;
  if (!Array.isArray(value) || value.length > FilmLimits.names) return undefined;
  const out: Array<string> = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const name = text(value[i], FilmLimits.nameLength);
    if (name === undefined) return undefined;
    out[i] = name;
  }
  return out;
};

const film = (value: unknown): Film | undefined => {
  if (!isPlainRecord(value)) return undefined;
  const movieId = value.movie_id;
  if (typeof movieId !== "string" || !isIdText(movieId)) return undefined;
  const title = text(value.title, FilmLimits.titleLength);
  if (title === undefined) return undefined;
  const out: Writable<Film> = { movie_id: movieId, title };

  const year = value.year;
  if (year !== undefined) {
    if (!intBetween(year, FilmLimits.yearMin, FilmLimits.yearMax)) return undefined;
    out.year = year;
  } else if (hasOwn(value, "year")) return undefined;

  const genres = names(value, "genres");
  if (genres === undefined) return undefined;
  if (genres !== null) out.genres = genres;
  const directors = names(value, "directors");
  if (directors === undefined) return undefined;
  if (directors !== null) out.directors = directors;
  const actors = names(value, "actors");
  if (actors === undefined) return undefined;
  if (actors !== null) out.actors = actors;

  const runtime = value.runtime_minutes;
  if (runtime !== undefined) {
    if (!intBetween(runtime, FilmLimits.runtimeMin, FilmLimits.runtimeMax)) return undefined;
    out.runtime_minutes = runtime;
  } else if (hasOwn(value, "runtime_minutes")) return undefined;

  const poster = value.poster_path;
  if (poster !== undefined) {
    if (typeof poster !== "string" || poster.length > FilmLimits.posterPathLength) return undefined;
    out.poster_path = poster;
  } else if (hasOwn(value, "poster_path")) return undefined;
  return out;
};

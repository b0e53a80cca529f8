import { ParseResult, Schema } from "effect";

/**
 * Identifiers are opaque strings. Dots and `$` are excluded because ids end up as MongoDB `_id`
 * parts and, in a few bounded places, as document keys (FerretDB rejects dotted keys).
 */
const idPattern = /^[A-Za-z0-9][A-Za-z0-9_:-]{0,63}$/;

/** The id rule on its own, for the event fast path (`fast-decode.ts`) to check the same thing. */
export const isIdText = (text: string): boolean => idPattern.test(text);

export const MovieId = Schema.String.pipe(
  Schema.pattern(idPattern, { message: () => "a movie id: 1-64 letters, digits, '_', ':' or '-'" }),
).annotations({ identifier: "MovieId" });

export const UserId = Schema.String.pipe(
  Schema.pattern(idPattern, { message: () => "a user id: 1-64 letters, digits, '_', ':' or '-'" }),
).annotations({ identifier: "UserId" });

export const EventId = Schema.String.pipe(
  Schema.pattern(idPattern, { message: () => "an event id: 1-64 letters, digits, '_', ':' or '-'" }),
).annotations({ identifier: "EventId" });

const isoDateTime = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** Epoch milliseconds of an ISO 8601 text as `Timestamp` reads it, `NaN` when it is not one. */
export const parseIsoTimestamp = (text: string): number =>
  isoDateTime.test(text) ? Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text) : Number.NaN;

/**
 * A point in time. On the wire and in storage: an ISO 8601 string (a bare date means midnight UTC),
 * always written back in the canonical `toISOString()` form so stored values sort as text.
 * In the domain: epoch milliseconds, which keeps the reducers allocation-free.
 */
export const Timestamp = Schema.transformOrFail(Schema.String, Schema.Number, {
  strict: true,
  decode: (text, _options, ast) => {
    const millis = parseIsoTimestamp(text);
    return Number.isFinite(millis)
      ? ParseResult.succeed(millis)
      : ParseResult.fail(
          new ParseResult.Type(ast, text, `an ISO 8601 date-time, got ${JSON.stringify(text)}`),
        );
  },
  encode: (millis, _options, ast) =>
    Number.isFinite(millis) && Math.abs(millis) <= 8.64e15
      ? ParseResult.succeed(new Date(millis).toISOString())
      : ParseResult.fail(new ParseResult.Type(ast, millis, "a finite epoch-milliseconds value")),
}).annotations({
  identifier: "Timestamp",
  jsonSchema: { type: "string", anyOf: [{ format: "date-time" }, { format: "date" }] },
  // Property tests draw instants that encode (years 0-9999, whole milliseconds), not any double.
  arbitrary: () => (fc) => fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }),
});

/** The rating rule on its own, for the event fast path (`fast-decode.ts`) to check the same thing. */
export const isRatingValue = (n: number): boolean => n >= 0.5 && n <= 10 && Number.isInteger(n * 2);

/** A rating on the 0.5–10 scale in steps of 0.5 (MovieLens' 0.5–5 stars doubled). */
export const Rating = Schema.Number.pipe(
  Schema.filter((n) => isRatingValue(n) || "a rating from 0.5 to 10 in steps of 0.5"),
).annotations({
  identifier: "Rating",
  jsonSchema: { type: "number", minimum: 0.5, maximum: 10, multipleOf: 0.5 },
  // Random doubles almost never land on a half step: property tests draw the 20 valid ratings.
  arbitrary: () => (fc) => fc.integer({ min: 1, max: 20 }).map((halves) => halves / 2),
});

/** The watch-count rule on its own, for the event fast path (`fast-decode.ts`). */
export const isWatchCountValue = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= 100_000;

/**
 * How often the user watched a film (rewatches included). Absent on entries and events from before
 * it existed, and on entries watched once: absent means once.
 */
export const WatchCount = Schema.Number.pipe(
  Schema.filter((n) => isWatchCountValue(n) || "a whole number of watches from 1 to 100000"),
).annotations({
  identifier: "WatchCount",
  jsonSchema: { type: "integer", minimum: 1, maximum: 100_000 },
  arbitrary: () => (fc) => fc.integer({ min: 1, max: 100_000 }),
});

export const NonEmptyText = (maxLength: number) =>
  Schema.Trim.pipe(Schema.minLength(1, { message: () => "a non-empty text" }), Schema.maxLength(maxLength));

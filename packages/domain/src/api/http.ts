import { Schema } from "effect";
import { WatchedEntry } from "../schemas/entry.ts";
import { Film } from "../schemas/film.ts";
import { MovieId, Rating, Timestamp, UserId } from "../schemas/primitives.ts";
import { GlobalStatsDocument, TrendWindow } from "../trends/schema.ts";
import { UserStats } from "../user-stats/schema.ts";

/**
 * The HTTP API's request and response bodies, shared by the API (which decodes and encodes with
 * them and builds its OpenAPI document from them) and the dashboard (which imports the types).
 * Field names are snake_case like every other wire format of the project; timestamps are ISO text.
 */

// ---- accounts ----------------------------------------------------------------------------------

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** An email address, trimmed and lowercased on decoding, so `Alice@Example.com` and `alice@example.com` are one account. */
export const Email = Schema.transform(Schema.String, Schema.String, {
  strict: true,
  decode: (text) => text.trim().toLowerCase(),
  encode: (text) => text,
})
  .pipe(
    Schema.filter(
      (text) => (text.length <= 254 && emailPattern.test(text)) || "an email address like name@example.com",
    ),
  )
  .annotations({
    identifier: "Email",
    examples: ["alice@example.com"],
    jsonSchema: { type: "string", format: "email" },
  });

export const Password = Schema.String.pipe(
  // Characters as JSON Schema's minLength/maxLength count them (code points, not UTF-16 units).
  Schema.filter((text) => {
    const characters = [...text].length;
    return (characters >= 8 && characters <= 200) || "a password of 8 to 200 characters";
  }),
).annotations({ identifier: "Password", jsonSchema: { type: "string", minLength: 8, maxLength: 200 } });

export const Credentials = Schema.Struct({ email: Email, password: Password }).annotations({
  identifier: "Credentials",
});
export type Credentials = typeof Credentials.Type;

export const AuthToken = Schema.Struct({
  token: Schema.String,
  token_type: Schema.Literal("Bearer"),
  expires_at: Timestamp,
  user_id: UserId,
  email: Schema.String,
}).annotations({ identifier: "AuthToken" });
export type AuthToken = typeof AuthToken.Type;

// ---- my films ----------------------------------------------------------------------------------

const Year = Schema.Int.pipe(Schema.between(1870, 2100));

/**
 * Add a watched film by `movie_id`, or by `title` (+ optional `year`) resolved with the catalog
 * matcher. Exactly one of the two.
 */
export const AddMovieRequest = Schema.Struct({
  movie_id: Schema.optionalWith(MovieId, { exact: true }),
  // Not trimmed here (the matcher normalizes it), so the OpenAPI document can state its bounds.
  title: Schema.optionalWith(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(300)), { exact: true }),
  year: Schema.optionalWith(Year, { exact: true }),
  rating: Schema.optionalWith(Rating, { exact: true }),
  watched_at: Schema.optionalWith(Timestamp, { exact: true }),
})
  .pipe(
    Schema.filter(
      (body) =>
        (body.movie_id === undefined) !== (body.title === undefined)
          ? true
          : {
              path: ["movie_id"],
              message:
                body.movie_id === undefined
                  ? "give movie_id or title (with an optional year)"
                  : "give movie_id or title, not both",
            },
      // The same rule for the OpenAPI document: exactly one of the two.
      { jsonSchema: { allOf: [{ oneOf: [{ required: ["movie_id"] }, { required: ["title"] }] }] } },
    ),
  )
  .annotations({ identifier: "AddMovieRequest" });
export type AddMovieRequest = typeof AddMovieRequest.Type;

export const AddMovieResponse = Schema.Struct({
  status: Schema.Literal("added", "already_present"),
  entry: WatchedEntry,
}).annotations({ identifier: "AddMovieResponse" });
export type AddMovieResponse = typeof AddMovieResponse.Type;

/** Change the rating (`null` clears it) and/or the day watched. At least one field. */
export const UpdateMovieRequest = Schema.Struct({
  rating: Schema.optionalWith(Schema.NullOr(Rating), { exact: true }),
  watched_at: Schema.optionalWith(Timestamp, { exact: true }),
})
  .pipe(
    Schema.filter(
      (body) =>
        body.rating !== undefined || body.watched_at !== undefined
          ? true
          : { path: [], message: "give rating and/or watched_at" },
      { jsonSchema: { allOf: [{ anyOf: [{ required: ["rating"] }, { required: ["watched_at"] }] }] } },
    ),
  )
  .annotations({ identifier: "UpdateMovieRequest" });
export type UpdateMovieRequest = typeof UpdateMovieRequest.Type;

export const MoviesPage = Schema.Struct({
  items: Schema.Array(WatchedEntry),
  total: Schema.Int,
  offset: Schema.Int,
  limit: Schema.Int,
}).annotations({ identifier: "MoviesPage" });
export type MoviesPage = typeof MoviesPage.Type;

const IntFromText = (min: number, max: number, what: string) =>
  Schema.NumberFromString.pipe(
    Schema.filter(
      (n) => (Number.isInteger(n) && n >= min && n <= max) || `${what}: an integer from ${min} to ${max}`,
    ),
  ).annotations({ jsonSchema: { type: "integer", minimum: min, maximum: max } });

export const MoviesQuery = Schema.Struct({
  offset: Schema.optionalWith(IntFromText(0, 1_000_000, "offset"), { exact: true }),
  limit: Schema.optionalWith(IntFromText(1, 100, "limit"), { exact: true }),
});
export type MoviesQuery = typeof MoviesQuery.Type;

export const MoviePath = Schema.Struct({ movieId: MovieId });

// ---- catalog -----------------------------------------------------------------------------------

export const CatalogMatch = Schema.Struct({
  film: Film,
  /** 0..1; 1 is the exact (normalized) title with the right year. */
  score: Schema.Number,
  /** How it matched, in words. */
  reason: Schema.String,
}).annotations({ identifier: "CatalogMatch" });
export type CatalogMatch = typeof CatalogMatch.Type;

/**
 * Some character that `String.prototype.trim` keeps. Spelled out rather than `\S`, because a
 * regex engine of another language (the OpenAPI document's readers) has another idea of `\s`.
 */
const NOT_ALL_BLANK = /[^\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;

export const CatalogSearchQuery = Schema.Struct({
  // Not trimmed here (the matcher normalizes the text itself), so the OpenAPI document states the
  // same bounds the server checks: 1 to 300 characters, not all blank.
  q: Schema.String.pipe(
    Schema.minLength(1, { message: () => "a search text" }),
    Schema.maxLength(300),
    Schema.pattern(NOT_ALL_BLANK, { message: () => "a search text, not only blanks" }),
  ),
  year: Schema.optionalWith(IntFromText(1870, 2100, "year"), { exact: true }),
  limit: Schema.optionalWith(IntFromText(1, 50, "limit"), { exact: true }),
});
export type CatalogSearchQuery = typeof CatalogSearchQuery.Type;

export const CatalogSearchResponse = Schema.Struct({
  query: Schema.String,
  results: Schema.Array(CatalogMatch),
}).annotations({ identifier: "CatalogSearchResponse" });
export type CatalogSearchResponse = typeof CatalogSearchResponse.Type;

// ---- statistics and trends ---------------------------------------------------------------------

/** Before the runners wrote anything for the caller (or for a window), with status 200. */
export const NotComputedYet = Schema.Struct({
  status: Schema.Literal("not_computed_yet"),
  message: Schema.String,
}).annotations({ identifier: "NotComputedYet" });

/** `GET /stats/me`: the `user_stats` document with `status: "ready"`, or `NotComputedYet`. */
export const MyStatsResponse = Schema.Union(
  Schema.Struct({
    status: Schema.Literal("ready"),
    user_id: UserId,
    stats: UserStats,
    last_updated: Timestamp,
  }).annotations({ identifier: "MyStats" }),
  NotComputedYet,
).annotations({ identifier: "MyStatsResponse" });
export type MyStatsResponse = typeof MyStatsResponse.Type;

export const TrendsQuery = Schema.Struct({ window: Schema.optionalWith(TrendWindow, { exact: true }) });

/** `GET /trends/global`: the earlier system's `global_stats` document, or `NotComputedYet`. */
export const TrendsResponse = Schema.Union(GlobalStatsDocument, NotComputedYet).annotations({
  identifier: "TrendsResponse",
});
export type TrendsResponse = typeof TrendsResponse.Type;

/** The data of the `/live` server-sent events `trends` and `stats`: refetch when it arrives. */
export const LiveUpdate = Schema.Struct({
  updated_at: Timestamp,
  window: Schema.optionalWith(TrendWindow, { exact: true }),
}).annotations({ identifier: "LiveUpdate" });

// ---- errors and health -------------------------------------------------------------------------

export const FieldIssueWire = Schema.Struct({ path: Schema.String, message: Schema.String });

/**
 * Every error answer. `error` is a stable code (`validation_failed`, `not_found`, `ambiguous_title`,
 * …); `issues` names each failing field; `error_id` (500/503 only) is in the server log.
 */
export const ErrorBody = Schema.Struct({
  error: Schema.String,
  message: Schema.String,
  issues: Schema.optionalWith(Schema.Array(FieldIssueWire), { exact: true }),
  candidates: Schema.optionalWith(Schema.Array(CatalogMatch), { exact: true }),
  error_id: Schema.optionalWith(Schema.String, { exact: true }),
}).annotations({ identifier: "ErrorBody" });
export type ErrorBody = typeof ErrorBody.Type;

export const HealthResponse = Schema.Struct({ status: Schema.Literal("ok") }).annotations({
  identifier: "HealthResponse",
});

export const ReadyResponse = Schema.Struct({
  status: Schema.Literal("ready", "not_ready"),
  checks: Schema.Array(
    Schema.Struct({
      name: Schema.String,
      ok: Schema.Boolean,
      message: Schema.optionalWith(Schema.String, { exact: true }),
    }),
  ),
}).annotations({ identifier: "ReadyResponse" });
export type ReadyResponse = typeof ReadyResponse.Type;

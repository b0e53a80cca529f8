import { Schema } from "effect";
import { Rating, Timestamp } from "../schemas/primitives.ts";
import { CatalogMatch } from "./http.ts";

/**
 * The history import's wire formats: the answer to `POST /imports/{source}` and the report
 * `GET /imports/{id}` gives (also what the import job store keeps, so any API process can answer).
 */

export const ImportSource = Schema.Literal("letterboxd", "trakt");
export type ImportSource = typeof ImportSource.Type;

const Count = Schema.Int.pipe(Schema.nonNegative());
const optional = <A, I>(schema: Schema.Schema<A, I, never>) => Schema.optionalWith(schema, { exact: true });

export const ImportId = Schema.String.pipe(
  Schema.pattern(/^imp-[A-Za-z0-9_-]{1,60}$/u, { message: () => "an import id (imp-…)" }),
).annotations({ identifier: "ImportId" });

export const ImportPath = Schema.Struct({ importId: ImportId });

export const UnmatchedImportFilm = Schema.Struct({
  title: Schema.String,
  year: optional(Schema.Int),
  /** `not_in_catalog`: nothing close enough; `ambiguous`: several films fit equally well. */
  reason: Schema.Literal("not_in_catalog", "ambiguous"),
  /** The closest catalog films, best first: add one with `POST /movies` (`movie_id`) to resolve it. */
  candidates: Schema.Array(CatalogMatch),
  rating: optional(Rating),
  watched_at: optional(Timestamp),
  watch_count: Count,
}).annotations({ identifier: "UnmatchedImportFilm" });
export type UnmatchedImportFilm = typeof UnmatchedImportFilm.Type;

export const ImportProblem = Schema.Struct({
  file: Schema.String,
  line: optional(Schema.Int),
  message: Schema.String,
}).annotations({ identifier: "ImportProblem" });

export const ImportReport = Schema.Struct({
  import_id: ImportId,
  source: ImportSource,
  /** `running` until every matched film went through the write path; `failed` says why in `error`. */
  status: Schema.Literal("running", "done", "failed"),
  created_at: Timestamp,
  updated_at: Timestamp,
  /** Films in the export (after rows about one film were folded together). */
  films: Count,
  /** Matched catalog films, and how many of them were written so far. */
  matched: Count,
  processed: Count,
  /** New entries, entries already as the export says, entries whose rating or watch date changed. */
  added: Count,
  already_present: Count,
  updated: Count,
  unmatched_count: Count,
  /** The first unmatched films (at most 500), each with the reason and the closest candidates. */
  unmatched: Schema.Array(UnmatchedImportFilm),
  /** Rows skipped or partly read (at most 200), each saying where and why. */
  problems: Schema.Array(ImportProblem),
  problem_count: Count,
  error: optional(Schema.String),
}).annotations({ identifier: "ImportReport" });
export type ImportReport = typeof ImportReport.Type;

export const ImportAccepted = Schema.Struct({
  import_id: ImportId,
  /** Where the progress and then the report are: `GET` it. */
  report_url: Schema.String,
}).annotations({ identifier: "ImportAccepted" });
export type ImportAccepted = typeof ImportAccepted.Type;

/** Bounds of what a report lists, so a stored report stays a small document. */
export const ImportReportLimits = { unmatched: 500, problems: 200 } as const;

import { IdGenerator, ImportJobsStore, type StoreUnavailable, WatchlistCommands } from "@cinematch/adapters";
import {
  type ExportFile,
  type ImportPlan,
  type ImportReport,
  ImportReportLimits,
  type ImportSource,
  importedChange,
  mergePlans,
  type ParsedExport,
  type PlannedFilm,
  parseLetterboxdExport,
  parseTraktExport,
  planImport,
} from "@cinematch/domain";
import { Clock, Effect, Either, Schedule, type Scope } from "effect";
import { unzipSync } from "fflate";
import { HttpFailure } from "../http/failure.ts";
import { asMatch } from "../routes/shared.ts";
import type { CatalogCache } from "./catalog-cache.ts";

/**
 * A user's Letterboxd or Trakt history, imported in the background: the upload is unpacked and
 * parsed while the request waits (a bad file is a 422 at once), then a job matches it against the
 * catalog and sends every matched film through the ordinary write path (`WatchlistCommands`, the
 * same store, outbox and events as `POST /movies`), saving its progress in `ImportJobsStore` so any
 * API process can report it. Writes of all imports of this process share a few slots, so an import
 * of thousands of films queues behind them instead of crowding out other users' requests.
 */
export interface HistoryImportOptions {
  /** Films written at once by all imports of this process together. */
  readonly writers: number;
  /** Largest total size of the files unpacked from a ZIP. */
  readonly maxUnpackedBytes: number;
  /** How often a running import saves its progress. */
  readonly progressEveryMs: number;
}

export interface HistoryImports {
  /** Parses the export and starts the import; its id is in the report. */
  readonly start: (
    user_id: string,
    source: ImportSource,
    body: Uint8Array,
  ) => Effect.Effect<ImportReport, HttpFailure | StoreUnavailable>;
}

const unreadable = (message: string) =>
  new HttpFailure({
    status: 422,
    code: "unreadable_export",
    message,
    issues: [{ path: "", message }],
  });

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const isZip = (bytes: Uint8Array) => ZIP_MAGIC.every((byte, i) => bytes[i] === byte);

const utf8 = new TextDecoder("utf-8");

/** The files of an upload: a ZIP's CSV and JSON files, or the body itself as one file. */
export const unpackUpload = (
  body: Uint8Array,
  maxUnpackedBytes: number,
): Either.Either<ReadonlyArray<ExportFile>, HttpFailure> => {
  if (body.length === 0) return Either.left(unreadable("the body is empty: send the export file"));
  if (!isZip(body)) return Either.right([{ name: "", text: utf8.decode(body) }]);
  let declared = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(body, {
      // Only what an import reads, and only up to the bound, whatever the archive claims to hold.
      filter: (file) => {
        if (!/\.(csv|json)$/iu.test(file.name)) return false;
        declared += file.originalSize;
        return declared <= maxUnpackedBytes;
      },
    });
  } catch (error) {
    return Either.left(unreadable(`the ZIP archive cannot be read: ${(error as Error).message}`));
  }
  if (declared > maxUnpackedBytes)
    return Either.left(unreadable(`the archive unpacks to more than ${maxUnpackedBytes} bytes`));
  const files = Object.entries(entries)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, bytes]) => ({ name, text: utf8.decode(bytes) }));
  if (files.length === 0) return Either.left(unreadable("the ZIP archive holds no CSV or JSON file"));
  return Either.right(files);
};

/**
 * Trakt's files may also come in one JSON body as `{ "<file name>": [items], ... }`, so a client
 * without a ZIP can send watched and ratings together.
 */
const traktFiles = (files: ReadonlyArray<ExportFile>): ReadonlyArray<ExportFile> => {
  if (files.length !== 1 || files[0]!.name !== "") return files;
  try {
    const value: unknown = JSON.parse(files[0]!.text);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      const named = Object.entries(value as Record<string, unknown>);
      if (named.length > 0 && named.every(([, items]) => Array.isArray(items)))
        return named.map(([name, items]) => ({ name, text: JSON.stringify(items) }));
    }
  } catch {
    // Not JSON: the parser says so.
  }
  return files;
};

export const parseExport = (
  source: ImportSource,
  files: ReadonlyArray<ExportFile>,
): Either.Either<ParsedExport, HttpFailure> =>
  Either.mapLeft(
    source === "letterboxd" ? parseLetterboxdExport(files) : parseTraktExport(traktFiles(files)),
    (error) => unreadable(error.message),
  );

/**
 * Films matched per slice between two yields to the event loop: a title lookup takes about a
 * millisecond here, so other users' requests never wait behind more than a few.
 */
const PLAN_SLICE = 8;

const STORE_RETRY = Schedule.exponential("200 millis").pipe(Schedule.intersect(Schedule.recurs(6)));

export const makeHistoryImports = (
  catalog: CatalogCache,
  options: HistoryImportOptions,
): Effect.Effect<HistoryImports, never, WatchlistCommands | ImportJobsStore | IdGenerator | Scope.Scope> =>
  Effect.gen(function* () {
    const commands = yield* WatchlistCommands;
    const jobs = yield* ImportJobsStore;
    const ids = yield* IdGenerator;
    const scope = yield* Effect.scope;
    const writeSlots = yield* Effect.makeSemaphore(Math.max(1, options.writers));

    const plan = (parsed: ParsedExport, now: number) =>
      Effect.gen(function* () {
        const index = catalog.forImport();
        const slices: Array<ImportPlan> = [];
        for (let from = 0; from < parsed.films.length || from === 0; from += PLAN_SLICE) {
          const films = parsed.films.slice(from, from + PLAN_SLICE);
          slices.push(
            planImport({ ...parsed, films, problems: from === 0 ? parsed.problems : [] }, index, now),
          );
          yield* Effect.yieldNow();
        }
        return mergePlans(slices);
      });

    /** One film through the write path: added, already there as the export says, or brought up to it. */
    const write = (user_id: string, planned: PlannedFilm) =>
      Effect.gen(function* () {
        const result = yield* commands.add(user_id, {
          movie: planned.film,
          ...(planned.rating === undefined ? {} : { rating: planned.rating }),
          ...(planned.watched_at === undefined ? {} : { watched_at: planned.watched_at }),
          // Once is what an entry without a count means.
          ...(planned.watch_count > 1 ? { watch_count: planned.watch_count } : {}),
        });
        if (result.status === "added") return "added" as const;
        const change = importedChange(planned, result.entry);
        if (change === undefined) return "already_present" as const;
        yield* commands.update(user_id, planned.film.movie_id, change);
        return "updated" as const;
      }).pipe(Effect.retry(STORE_RETRY), writeSlots.withPermits(1));

    const run = (user_id: string, parsed: ParsedExport, initial: ImportReport) =>
      Effect.scoped(
        Effect.gen(function* () {
          let report = initial;
          // Uninterruptible: a save cut off by the end of the run could still land after the last one.
          const save = Effect.uninterruptible(
            Effect.gen(function* () {
              report = { ...report, updated_at: yield* Clock.currentTimeMillis };
              yield* jobs.save(user_id, report).pipe(Effect.retry(STORE_RETRY));
            }),
          );
          // The report's one writer while the import runs: its progress, and a sign of life that
          // GET /imports/{id} reads to tell a stopped import (its process gone) from a slow one.
          yield* Effect.forkScoped(
            Effect.forever(Effect.zipRight(Effect.sleep(options.progressEveryMs), save)),
          );
          const planned = yield* plan(parsed, initial.created_at);
          report = {
            ...report,
            matched: planned.films.length,
            unmatched_count: planned.unmatched.length,
            unmatched: planned.unmatched.slice(0, ImportReportLimits.unmatched).map((film) => ({
              title: film.title,
              ...(film.year === undefined ? {} : { year: film.year }),
              reason: film.reason,
              candidates: film.candidates.map(asMatch),
              ...(film.rating === undefined ? {} : { rating: film.rating }),
              ...(film.watched_at === undefined ? {} : { watched_at: film.watched_at }),
              watch_count: film.watch_count,
            })),
            problem_count: planned.problems.length,
            problems: planned.problems.slice(0, ImportReportLimits.problems),
          };
          yield* Effect.forEach(
            planned.films,
            (film) =>
              Effect.map(write(user_id, film), (outcome) => {
                report = { ...report, processed: report.processed + 1, [outcome]: report[outcome] + 1 };
              }),
            { concurrency: Math.max(1, options.writers), discard: true },
          );
          return report;
        }),
      ).pipe(
        // The scope above closed: the progress loop is stopped, so this is the last word.
        Effect.flatMap((report) =>
          Effect.flatMap(Clock.currentTimeMillis, (now) =>
            jobs
              .save(user_id, { ...report, status: "done", updated_at: now })
              .pipe(Effect.retry(STORE_RETRY)),
          ),
        ),
        Effect.catchAllCause((cause) =>
          Effect.gen(function* () {
            yield* Effect.logWarning("history import failed", { import_id: initial.import_id, cause });
            const now = yield* Clock.currentTimeMillis;
            const failed: ImportReport = {
              ...(yield* jobs.get(user_id, initial.import_id).pipe(
                Effect.map((stored) => (stored._tag === "Some" ? stored.value : initial)),
                Effect.orElseSucceed(() => initial),
              )),
              status: "failed",
              updated_at: now,
              error:
                "the import stopped (the database was unavailable); importing the same file again finishes it",
            };
            yield* jobs.save(user_id, failed).pipe(Effect.ignore);
          }),
        ),
      );

    return {
      start: (user_id, source, body) =>
        Effect.gen(function* () {
          const files = yield* unpackUpload(body, options.maxUnpackedBytes);
          const parsed = yield* parseExport(source, files);
          const now = yield* Clock.currentTimeMillis;
          const report: ImportReport = {
            import_id: `imp-${yield* ids.next}`,
            source,
            status: "running",
            created_at: now,
            updated_at: now,
            films: parsed.films.length,
            matched: 0,
            processed: 0,
            added: 0,
            already_present: 0,
            updated: 0,
            unmatched_count: 0,
            unmatched: [],
            problems: [],
            problem_count: parsed.problems.length,
          };
          yield* jobs.save(user_id, report);
          yield* Effect.forkIn(run(user_id, parsed, report), scope);
          return report;
        }),
    };
  });

import type { CatalogStore, WatchlistCommands, WatchlistStore } from "@cinematch/adapters";
import type { SourceRecord } from "@cinematch/domain";
import type { Layer } from "effect";
import { commandOutput, parseCommandLine } from "../command-line/arguments.ts";
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_SERVER, EXIT_USAGE } from "../command-line/exit-codes.ts";
import { type Environment, redactUrl, serverSetting, stackEnvPath } from "../command-line/servers.ts";
import { applyToCatalog, type CatalogApplied } from "./apply.ts";
import { type MergeReport, mergeCatalogs } from "./merge.ts";
import { formatProblem } from "./problems.ts";
import { makeProgress, type ProgressSink } from "./progress.ts";
import { type Reading, readSources } from "./reading.ts";
import { plural, summary } from "./summary.ts";

export const CATALOG_IMPORT_USAGE = `Usage: cinematch catalog import [--imdb FILE] [--movielens DIR] [options]

Imports films into the catalog of the MongoDB named by MONGODB_URL (or, when unset, of the stack
that \`npm run stack:up\` started). Every film is matched against the catalog already stored as well
as across the files (by a source's id, else by the catalog matcher on title and year), so a film
is one entry whatever the sources and their order: MovieLens' id, title and genres, IMDB's
directors, actors, running time and extra genres; every source's id stays on it as an alias.
Running it again changes nothing. Watchlist entries of a film merged into another move to it
through the ordinary event path (that needs Kafka: KAFKA_BOOTSTRAP_SERVERS, or the stack's).

  --imdb FILE          IMDB-1000 CSV (Rank,Title,Genre,Description,Director,Actors,Year,Runtime (Minutes),...)
  --movielens DIR      MovieLens folder with movies.csv (links.csv and ratings.csv used when present:
                       IMDB and TMDB ids, and rating counts for search's popularity prior)
  --mongodb-url URL    MongoDB to write into (default: MONGODB_URL, then the running stack's)
  --dry-run            read, check and merge, write nothing
  --skip-bad           import the good lines even when some lines are bad (exit 0)
  --fail-fast          stop at the first bad line
  --verbose            list the loose matches and the films the matcher hesitated on
  -h, --help           this text

Exit status: 0 done; 1 bad input (every bad line is listed as FILE:LINE: problem, and nothing is
written unless --skip-bad); 2 wrong arguments; 3 the database failed.`;
export interface CatalogImportIO {
  readonly env: Environment;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: ProgressSink;
  /**
   * The catalog to write into, given the MongoDB URL. The CLI's entry passes the adapters' MongoDB
   * layer; tests may pass the in-memory one.
   */
  readonly catalogLayer: (mongoUrl: string) => Layer.Layer<CatalogStore, unknown>;
  /** The watchlists of that database, read only to find entries of films merged away. */
  readonly watchlistLayer?: (mongoUrl: string) => Layer.Layer<WatchlistStore, unknown>;
  /**
   * The write path (entry + outbox, published to Kafka) that moves those entries, or why there is
   * none (no Kafka known). Built only when there is something to move.
   */
  readonly commandsLayer?: (mongoUrl: string) => Layer.Layer<WatchlistCommands, unknown> | string;
}

const OPTIONS = {
  imdb: { type: "string" },
  movielens: { type: "string" },
  "mongodb-url": { type: "string" },
  "dry-run": { type: "boolean" },
  "skip-bad": { type: "boolean" },
  "fail-fast": { type: "boolean" },
  verbose: { type: "boolean" },
} as const;

export const runCatalogImport = async (argv: ReadonlyArray<string>, io: CatalogImportIO): Promise<number> => {
  const out = commandOutput(io);
  const { say, warn } = out;
  const line = parseCommandLine(
    argv,
    { name: "catalog import", usage: CATALOG_IMPORT_USAGE, options: OPTIONS },
    out,
  );
  if (line._tag === "Exit") return line.code;
  const { options } = line;
  if (options.imdb === undefined && options.movielens === undefined) {
    warn(`catalog import: give --imdb FILE, --movielens DIR, or both\n\n${CATALOG_IMPORT_USAGE}`);
    return EXIT_USAGE;
  }
  if (options["skip-bad"] && options["fail-fast"]) {
    warn("catalog import: --skip-bad and --fail-fast contradict each other; choose one");
    return EXIT_USAGE;
  }

  // Where to write, decided before any work, so a missing database is said at once.
  let mongoUrl: string | undefined;
  if (!options["dry-run"]) {
    mongoUrl = serverSetting(options["mongodb-url"], io.env, "MONGODB_URL");
    if (!mongoUrl) {
      warn(
        "catalog import: no database to write into: set MONGODB_URL (or --mongodb-url), or start the stack " +
          `with \`npm run stack:up\` (it records its MongoDB in ${stackEnvPath(io.env)}); --dry-run only checks the files`,
      );
      return EXIT_USAGE;
    }
  }

  const progress = makeProgress(io.stderr);
  // 1. Read and check every file, collecting every bad line (or stopping at the first with --fail-fast).
  const reading = await readSources({
    movielens: options.movielens,
    imdb: options.imdb,
    failFast: options["fail-fast"] === true,
  });

  const problems = options["fail-fast"] ? reading.problems.slice(0, 1) : reading.problems;
  for (const problem of problems) warn(formatProblem(problem));
  if (problems.length > 0 && !options["skip-bad"]) {
    const files = new Set(problems.map((p) => p.file)).size;
    warn(
      options["fail-fast"]
        ? "catalog import: stopped at the first bad line (--fail-fast); nothing was written"
        : `catalog import: ${plural(problems.length, "problem")} in ${plural(files, "file")}; nothing was written ` +
            "(fix them, or import the good lines with --skip-bad)",
    );
    return EXIT_BAD_INPUT;
  }

  // 2. How the two files pair up, for the summary (the catalog itself is merged in step 3).
  let report: MergeReport;
  if (reading.imdb.length > 0 && reading.movielens.length > 0) {
    progress.start("matching IMDB films to MovieLens", reading.imdb.length);
    ({ report } = mergeCatalogs(reading.movielens, reading.links, reading.imdb, progress.update));
    progress.finish();
  } else {
    ({ report } = mergeCatalogs(reading.movielens, reading.links, reading.imdb));
  }

  // 3. Match against the stored catalog, write what changed, move the entries of merged films. The
  // catalog merges each file's own records (not the pairs found above), so importing the files
  // together or one at a time, in either order, gives the same catalog.
  const incoming = sourceRecords(reading);
  let applied: CatalogApplied | undefined;
  if (mongoUrl !== undefined) {
    const outcome = await applyToCatalog(incoming, mongoUrl, io, progress);
    if (outcome._tag === "Failed") {
      warn(`catalog import: ${outcome.message} (${redactUrl(mongoUrl)})`);
      return EXIT_SERVER;
    }
    applied = outcome.applied;
  }

  // 4. The summary.
  say(summary(report, reading, problems.length, applied, report.total, mongoUrl, options.verbose === true));
  return EXIT_OK;
};

/**
 * Each file's films as source records: a MovieLens film with the IMDB (`tt…`) and TMDB ids of
 * links.csv and its rating count, an IMDB film with its votes.
 */
const sourceRecords = (reading: Reading): ReadonlyArray<SourceRecord> => [
  ...reading.movielens.map((m) => {
    const link = reading.links.get(m.movielens_id);
    const ids = [
      ...(m.entry.ids ?? []),
      ...(link === undefined ? [] : [link.imdb_id]),
      ...(link?.tmdb_id === undefined ? [] : [`tmdb-${link.tmdb_id}`]),
    ];
    const ratings = reading.ratingCounts.get(m.movielens_id);
    const votes = { ...m.entry.votes, ...(ratings === undefined ? {} : { movielens: ratings }) };
    return {
      ...m.entry,
      ...(ids.length === 0 ? {} : { ids }),
      ...(Object.keys(votes).length === 0 ? {} : { votes }),
    };
  }),
  ...reading.imdb.map((film) => film.entry),
];

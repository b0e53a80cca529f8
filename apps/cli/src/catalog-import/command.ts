import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { CatalogStore, WatchlistCommands, WatchlistStore } from "@cinematch/adapters";
import type { CatalogRecord } from "@cinematch/domain";
import type { Layer } from "effect";
import { readMovieLensRatings } from "../replay/ratings.ts";
import { applyToCatalog, type CatalogApplied, describeApplied } from "./apply.ts";
import { type ImdbFilm, readImdbCsv } from "./imdb.ts";
import { decodeUtf8 } from "./utf8.ts";
import { type ImportedFilm, type MergeReport, mergeCatalogs } from "./merge.ts";
import {
  type MovieLensFilm,
  type MovieLensLink,
  readMovieLensLinks,
  readMovieLensMovies,
} from "./movielens.ts";
import { formatProblem, type LineProblem } from "./problems.ts";
import { makeProgress, type ProgressSink } from "./progress.ts";

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
  readonly env: Readonly<Record<string, string | undefined>>;
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

export const EXIT_OK = 0;
export const EXIT_BAD_INPUT = 1;
export const EXIT_USAGE = 2;
export const EXIT_DATABASE = 3;

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));

/** The env file `npm run stack:up` writes (`KEY=value` lines), read when MONGODB_URL is unset. */
export const stackEnvPath = (env: CatalogImportIO["env"]): string =>
  join(env.CINEMATCH_CACHE_DIR ?? join(repoRoot, ".cache"), "stack", "env");

export const readStackEnv = (path: string): Record<string, string> => {
  if (!existsSync(path)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) out[match[1]!] = match[2]!;
  }
  return out;
};

interface Reading {
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

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export const runCatalogImport = async (argv: ReadonlyArray<string>, io: CatalogImportIO): Promise<number> => {
  const say = (text: string) => io.stdout.write(`${text}\n`);
  const warn = (text: string) => io.stderr.write(`${text}\n`);

  let options: {
    imdb?: string | undefined;
    movielens?: string | undefined;
    "mongodb-url"?: string | undefined;
    "dry-run"?: boolean | undefined;
    "skip-bad"?: boolean | undefined;
    "fail-fast"?: boolean | undefined;
    verbose?: boolean | undefined;
    help?: boolean | undefined;
  };
  try {
    ({ values: options } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        imdb: { type: "string" },
        movielens: { type: "string" },
        "mongodb-url": { type: "string" },
        "dry-run": { type: "boolean" },
        "skip-bad": { type: "boolean" },
        "fail-fast": { type: "boolean" },
        verbose: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (cause) {
    warn(`catalog import: ${(cause as Error).message}\n\n${CATALOG_IMPORT_USAGE}`);
    return EXIT_USAGE;
  }
  if (options.help) {
    say(CATALOG_IMPORT_USAGE);
    return EXIT_OK;
  }
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
    const stackEnv = stackEnvPath(io.env);
    mongoUrl = options["mongodb-url"] || io.env.MONGODB_URL || readStackEnv(stackEnv).MONGODB_URL;
    if (!mongoUrl) {
      warn(
        "catalog import: no database to write into: set MONGODB_URL (or --mongodb-url), or start the stack " +
          `with \`npm run stack:up\` (it records its MongoDB in ${stackEnv}); --dry-run only checks the files`,
      );
      return EXIT_USAGE;
    }
  }

  const progress = makeProgress(io.stderr);
  const reading: Reading = {
    problems: [],
    movielens: [],
    links: new Map(),
    ratingCounts: new Map(),
    imdb: [],
    imdbDuplicates: 0,
  };
  const stopHere = () => options["fail-fast"] === true && reading.problems.length > 0;

  // 1. Read and check every file, collecting every bad line (or stopping at the first with --fail-fast).
  if (options.movielens !== undefined) {
    const moviesPath = join(options.movielens, "movies.csv");
    const text = await readBytes(moviesPath, reading.problems);
    if (text !== undefined && !stopHere()) {
      const read = readMovieLensMovies(text, moviesPath);
      reading.problems.push(...read.problems);
      reading.movielens = read.films;
      const linksPath = join(options.movielens, "links.csv");
      if (existsSync(linksPath) && !stopHere()) {
        const linksText = await readBytes(linksPath, reading.problems);
        if (linksText !== undefined) {
          const links = readMovieLensLinks(
            linksText,
            linksPath,
            new Set(read.films.map((f) => f.movielens_id)),
          );
          reading.problems.push(...links.problems);
          reading.links = links.links;
        }
      }
      const ratingsPath = join(options.movielens, "ratings.csv");
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
    }
  }
  if (options.imdb !== undefined && !stopHere()) {
    const text = await readBytes(options.imdb, reading.problems);
    if (text !== undefined) {
      const read = readImdbCsv(text, options.imdb);
      reading.problems.push(...read.problems);
      reading.imdb = read.films;
      reading.imdbDuplicates = read.duplicates.length;
    }
  }

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

  // 2. Merge the two sources with the matcher.
  let films: ReadonlyArray<ImportedFilm>;
  let report: MergeReport;
  if (reading.imdb.length > 0 && reading.movielens.length > 0) {
    progress.start("matching IMDB films to MovieLens", reading.imdb.length);
    ({ films, report } = mergeCatalogs(reading.movielens, reading.links, reading.imdb, progress.update));
    progress.finish();
  } else {
    ({ films, report } = mergeCatalogs(reading.movielens, reading.links, reading.imdb));
  }

  // 3. Match against the stored catalog, write what changed, move the entries of merged films.
  const incoming = films.map((f) => withSourceIds(f, reading.ratingCounts));
  let applied: CatalogApplied | undefined;
  if (mongoUrl !== undefined) {
    const outcome = await applyToCatalog(incoming, mongoUrl, io, progress);
    if (outcome._tag === "Failed") {
      warn(`catalog import: ${outcome.message} (${redactUrl(mongoUrl)})`);
      return EXIT_DATABASE;
    }
    applied = outcome.applied;
  }

  // 4. The summary.
  say(summary(report, reading, problems.length, applied, report.total, mongoUrl, options.verbose === true));
  return EXIT_OK;
};

/**
 * An imported film as a catalog record: its other sources' ids as aliases (IMDB's `tt…` and TMDB's
 * from links.csv, the IMDB file's own id when it merged into a MovieLens film) and its popularity.
 */
const withSourceIds = (film: ImportedFilm, ratingCounts: ReadonlyMap<number, number>): CatalogRecord => {
  const link = film.movielens?.link;
  const ids = [
    ...(film.entry.ids ?? []),
    ...(film.imdb?.id !== undefined && film.imdb.id !== film.entry.film.movie_id ? [film.imdb.id] : []),
    ...(link === undefined ? [] : [link.imdb_id]),
    ...(link?.tmdb_id === undefined ? [] : [`tmdb-${link.tmdb_id}`]),
  ];
  const ratings = film.movielens === undefined ? undefined : ratingCounts.get(film.movielens.id);
  const votes = {
    ...film.entry.votes,
    ...(ratings === undefined ? {} : { movielens: ratings }),
  };
  return {
    ...film.entry,
    ...(ids.length === 0 ? {} : { ids }),
    ...(Object.keys(votes).length === 0 ? {} : { votes }),
  };
};

/** A URL without its password, for messages. */
export const redactUrl = (url: string): string => {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(an unparsable URL)";
  }
};

const summary = (
  report: MergeReport,
  reading: Reading,
  skipped: number,
  applied: CatalogApplied | undefined,
  dryEntries: number,
  mongoUrl: string | undefined,
  verbose: boolean,
): string => {
  const lines = ["catalog import summary:"];
  if (reading.movielens.length > 0 || report.movielens_films > 0) {
    lines.push(
      `  MovieLens films read:   ${report.movielens_films} (${reading.links.size} with links.csv ids)`,
    );
  }
  if (reading.imdb.length > 0 || report.imdb_films > 0) {
    lines.push(
      `  IMDB films read:        ${report.imdb_films}${reading.imdbDuplicates > 0 ? ` (${plural(reading.imdbDuplicates, "duplicate row")} folded into the first)` : ""}`,
    );
  }
  if (report.movielens_films > 0 && report.imdb_films > 0) {
    const merged = report.merged_exact + report.merged_fuzzy.length;
    lines.push(
      `  merged (in both):       ${merged} (${report.merged_exact} on exact title and year, ${report.merged_fuzzy.length} on a looser match)`,
      `  IMDB only:              ${report.imdb_only} (${report.ambiguous.length} where the matcher hesitated, ${report.conflicts.length} whose match was taken)`,
      `  MovieLens only:         ${report.movielens_only}`,
    );
  }
  lines.push(`  films in these files:   ${report.total}`);
  if (skipped > 0) lines.push(`  bad lines skipped:      ${skipped}`);
  if (applied === undefined || mongoUrl === undefined) {
    lines.push(
      `  catalog entries:        ${dryEntries} (these files alone)`,
      "  written:                nothing (--dry-run)",
    );
  } else {
    lines.push(...describeApplied(applied, redactUrl(mongoUrl)));
  }
  if (verbose) {
    for (const m of report.merged_fuzzy)
      lines.push(`  loose match: line ${m.imdb_line} "${m.title}" -> ${m.movie_id}: ${m.reason}`);
    for (const a of report.ambiguous)
      lines.push(`  hesitated: line ${a.imdb_line} "${a.title}": ${a.candidates.join(" | ")}`);
    for (const c of report.conflicts)
      lines.push(`  taken: line ${c.imdb_line} "${c.title}" matched the film of line ${c.taken_by_line}`);
  }
  return lines.join("\n");
};

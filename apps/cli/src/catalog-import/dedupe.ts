import { parseArgs } from "node:util";
import { applyToCatalog, describeApplied } from "./apply.ts";
import {
  type CatalogImportIO,
  EXIT_DATABASE,
  EXIT_OK,
  EXIT_USAGE,
  readStackEnv,
  redactUrl,
  stackEnvPath,
} from "./command.ts";
import { makeProgress } from "./progress.ts";

export const CATALOG_DEDUPE_USAGE = `Usage: cinematch catalog dedupe [--dry-run] [--mongodb-url URL]

Repairs a catalog that holds the same film more than once (imported before imports matched the
stored catalog): entries that share a source's id, or whose title and year the catalog matcher
finds to be the same film with no close rival, become one entry under the most trusted source's id
(MovieLens, then IMDB, then the demo catalog), the other ids kept as aliases. Watchlist entries of
a merged-away film move to the surviving film through the ordinary event path (entry + outbox,
then Kafka), keeping rating, watch date and the day it was added, so lists, statistics and trend
counts stay exact. Running it again changes nothing.

  --dry-run            say what would be merged and how many watchlist entries would move; write nothing
  --verbose            list every merged entry
  --mongodb-url URL    MongoDB to repair (default: MONGODB_URL, then the running stack's)
  -h, --help           this text

Moving watchlist entries needs Kafka: KAFKA_BOOTSTRAP_SERVERS, or the running stack's.
Exit status: 0 done; 2 wrong arguments; 3 the database (or Kafka) failed.`;

export const runCatalogDedupe = async (argv: ReadonlyArray<string>, io: CatalogImportIO): Promise<number> => {
  const say = (text: string) => io.stdout.write(`${text}\n`);
  const warn = (text: string) => io.stderr.write(`${text}\n`);
  let options: {
    "dry-run"?: boolean | undefined;
    verbose?: boolean | undefined;
    "mongodb-url"?: string | undefined;
    help?: boolean | undefined;
  };
  try {
    ({ values: options } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        "dry-run": { type: "boolean" },
        verbose: { type: "boolean" },
        "mongodb-url": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (cause) {
    warn(`catalog dedupe: ${(cause as Error).message}\n\n${CATALOG_DEDUPE_USAGE}`);
    return EXIT_USAGE;
  }
  if (options.help) {
    say(CATALOG_DEDUPE_USAGE);
    return EXIT_OK;
  }
  const stackEnv = stackEnvPath(io.env);
  const mongoUrl = options["mongodb-url"] || io.env.MONGODB_URL || readStackEnv(stackEnv).MONGODB_URL;
  if (!mongoUrl) {
    warn(
      "catalog dedupe: no database to repair: set MONGODB_URL (or --mongodb-url), or start the stack " +
        `with \`npm run stack:up\` (it records its MongoDB in ${stackEnv})`,
    );
    return EXIT_USAGE;
  }
  const dryRun = options["dry-run"] === true;
  const outcome = await applyToCatalog([], mongoUrl, io, makeProgress(io.stderr), dryRun);
  if (outcome._tag === "Failed") {
    warn(`catalog dedupe: ${outcome.message} (${redactUrl(mongoUrl)})`);
    return EXIT_DATABASE;
  }
  const lines = ["catalog dedupe summary:", ...describeApplied(outcome.applied, redactUrl(mongoUrl), dryRun)];
  if (outcome.applied.merged_away.length === 0)
    lines.push("  no duplicates: the catalog has one entry per film");
  if (options.verbose) {
    for (const m of outcome.applied.merged_away) lines.push(`  ${m.from} -> ${m.into} "${m.title}"`);
  }
  say(lines.join("\n"));
  return EXIT_OK;
};

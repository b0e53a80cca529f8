import { commandOutput, parseCommandLine } from "../command-line/arguments.ts";
import { EXIT_OK, EXIT_SERVER, EXIT_USAGE } from "../command-line/exit-codes.ts";
import { redactUrl, serverSetting, stackEnvPath } from "../command-line/servers.ts";
import { applyToCatalog, describeApplied } from "./apply.ts";
import type { CatalogImportIO } from "./command.ts";
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
  const out = commandOutput(io);
  const { say, warn } = out;
  const line = parseCommandLine(
    argv,
    {
      name: "catalog dedupe",
      usage: CATALOG_DEDUPE_USAGE,
      options: {
        "dry-run": { type: "boolean" },
        verbose: { type: "boolean" },
        "mongodb-url": { type: "string" },
      },
    },
    out,
  );
  if (line._tag === "Exit") return line.code;
  const { options } = line;
  const mongoUrl = serverSetting(options["mongodb-url"], io.env, "MONGODB_URL");
  if (!mongoUrl) {
    warn(
      "catalog dedupe: no database to repair: set MONGODB_URL (or --mongodb-url), or start the stack " +
        `with \`npm run stack:up\` (it records its MongoDB in ${stackEnvPath(io.env)})`,
    );
    return EXIT_USAGE;
  }
  const dryRun = options["dry-run"] === true;
  const outcome = await applyToCatalog([], mongoUrl, io, makeProgress(io.stderr), dryRun);
  if (outcome._tag === "Failed") {
    warn(`catalog dedupe: ${outcome.message} (${redactUrl(mongoUrl)})`);
    return EXIT_SERVER;
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

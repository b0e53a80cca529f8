#!/usr/bin/env node
/**
 * `npm start`: the whole product in one process for a newcomer. The HTTP API, the user-stats runner,
 * the trends runner and the dashboard share ONE in-memory event log and ONE set of in-memory stores,
 * so the runners see what the API writes. A demo catalog (vega-datasets' movies.json) is loaded;
 * `--demo` adds a few simulated users so the trends move. Nothing is kept when the process ends.
 *
 * With KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL both set this refuses and points to
 * `npm run stack:up`, which runs the same apps as separate processes against those servers
 * (`--embedded` runs in memory anyway). Settings: apps/cinematch/README.md.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import {
  AccountsStoreMemory,
  ImportJobsStoreMemory,
  CatalogStore,
  makeCatalogStoreMemory,
  IdGeneratorRandom,
  EventLogMemory,
  ReadModelsMemory,
  runMain,
  TrendsStateStoreMemory,
  PartitionOwnershipMemory,
  WatchlistStoreMemory,
} from "@cinematch/adapters";
import { ApiLive, ApiServer, apiConfigFromEnv } from "@cinematch/api";
import { TrendsRunnerLive, trendsRunnerConfigFromEnv } from "@cinematch/trends-runner";
import { UserStatsRunnerLive, userStatsRunnerConfigFromEnv } from "@cinematch/user-stats-runner";
import { Context, Effect, Layer, Logger, Option, Redacted } from "effect";
import { describeVegaReport, loadVegaCatalog } from "./demo-catalog/vega.ts";
import { DemoUsersLive } from "./demo-users.ts";
import { embeddedSettingsFromEnv, logLevelFromText, publicUrl } from "./settings.ts";
import { ensureDashboard } from "./web-build.ts";

const USAGE = `Usage: npm start [-- --demo] [-- --embedded]

Runs CineMatch in one process, in memory: the API, both stream runners and the dashboard, with a
demo catalog of 3,199 films (vega-datasets). Open the URL it prints.

  --demo       simulate a few users adding, rating and removing films, so the trends move
  --embedded   run in memory even when KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL are set
  -h, --help   this text

Settings come from the environment (PORT, HOST, CINEMATCH_DEMO_*, ...): apps/cinematch/README.md.`;

const say = (text: string) => process.stdout.write(`${text}\n`);
const complain = (text: string) => process.stderr.write(`${text}\n`);

let flags: { demo?: boolean | undefined; embedded?: boolean | undefined; help?: boolean | undefined };
try {
  ({ values: flags } = parseArgs({
    args: process.argv.slice(2),
    options: {
      demo: { type: "boolean" },
      embedded: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  }));
} catch (cause) {
  complain(`cinematch: ${(cause as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (flags.help) {
  say(USAGE);
  process.exit(0);
}

const kafka = process.env.KAFKA_BOOTSTRAP_SERVERS ?? "";
const mongo = process.env.MONGODB_URL ?? "";
if (kafka !== "" && mongo !== "" && !flags.embedded) {
  complain(
    "cinematch: KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL are set, so you have real servers.\n" +
      "  npm run stack:up     runs the API and both runners as separate processes against them\n" +
      "                       (logs and pids in .cache/stack/, stop with npm run stack:down)\n" +
      "  npm start -- --embedded   runs everything in this process, in memory, ignoring them",
  );
  process.exit(1);
}
if (kafka !== "" || mongo !== "") {
  complain(
    `cinematch: ${kafka !== "" ? "KAFKA_BOOTSTRAP_SERVERS" : "MONGODB_URL"} is set but not the other one; ` +
      "running in memory (set both and use npm run stack:up for the real stack)",
  );
}

const program = Effect.gen(function* () {
  const settings = yield* embeddedSettingsFromEnv;
  const demo = flags.demo === true || settings.demo;
  const fromEnv = yield* apiConfigFromEnv;
  // Tokens cannot outlive this process's in-memory accounts anyway: a random key, without the
  // API's warning about a missing CINEMATCH_TOKEN_SECRET.
  const apiConfig = Option.isSome(fromEnv.tokenSecret)
    ? fromEnv
    : { ...fromEnv, tokenSecret: Option.some(Redacted.make(randomBytes(32).toString("base64url"))) };
  const userStatsConfig = yield* userStatsRunnerConfigFromEnv;
  const trendsConfig = yield* trendsRunnerConfigFromEnv;

  const dashboard = yield* ensureDashboard(apiConfig.webDist, settings.webBuild);
  const catalog = yield* Effect.promise(() => loadVegaCatalog());
  yield* Effect.logInfo(`demo catalog: ${describeVegaReport(catalog.report)}`);

  // One instance of every port, shared by the API and both runners.
  const shared = yield* Layer.build(
    Layer.mergeAll(
      EventLogMemory(),
      WatchlistStoreMemory,
      AccountsStoreMemory,
      Layer.sync(CatalogStore, () => makeCatalogStoreMemory(catalog.entries)),
      ReadModelsMemory,
      TrendsStateStoreMemory,
      PartitionOwnershipMemory,
      ImportJobsStoreMemory,
      IdGeneratorRandom,
    ),
  );
  // The runners first (the trends runner bootstraps from the empty store), then the API, then the
  // simulated users; the scope closes them in the reverse order.
  yield* Layer.build(Layer.merge(UserStatsRunnerLive(userStatsConfig), TrendsRunnerLive(trendsConfig))).pipe(
    Effect.provide(shared),
  );
  const api = yield* Layer.build(ApiLive({ config: apiConfig })).pipe(Effect.provide(shared));
  if (demo) {
    yield* Layer.build(DemoUsersLive(catalog.entries, settings.demoOptions)).pipe(Effect.provide(api));
  }

  const server = Context.get(api, ApiServer);
  const url = publicUrl(apiConfig.host, server.port);
  say("");
  say(`  CineMatch is running: ${url}`);
  say(`  ${dashboard ? "dashboard at /" : "no dashboard build (see above)"}, API docs at ${url}/docs`);
  say(
    `  ${catalog.entries.length} demo films${demo ? `, ${settings.demoOptions.users} simulated users` : " (npm start -- --demo adds simulated users)"}`,
  );
  say("  everything is in memory and gone when you stop it (Ctrl-C)");
  say("");
  return yield* Effect.never;
}).pipe(Effect.scoped);

// SIGINT/SIGTERM interrupt the program: the scope closes the simulated users, the API (server,
// relay), then the runners (batch in flight finished or abandoned). A second signal exits at once.
runMain(
  "cinematch",
  program.pipe(Effect.provide(Logger.minimumLogLevel(logLevelFromText(process.env.CINEMATCH_LOG_LEVEL)))),
  { forceAfterMs: 15_000 },
);

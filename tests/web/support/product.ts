/**
 * Starts the product the browser tests look at, on a free loopback port:
 * - the embedded default (`apps/cinematch`: API, both runners and the dashboard in one process on
 *   the in-memory layers, demo catalog), with `KAFKA_BOOTSTRAP_SERVERS`/`MONGODB_URL` removed from
 *   its environment;
 * - the real stack: the API and both runners as separate processes against the Kafka broker and
 *   MongoDB-wire server named by those variables (the test fails loudly when they are unset).
 * Either way the dashboard must be served by the API at `/`; it is built first when missing or stale.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { type CatalogEntry, CatalogStore } from "@cinematch/adapters";
import { CatalogStoreMongo, MongoDatabaseLive, MongoDatabase } from "@cinematch/adapters/mongo";
import type { Film } from "@cinematch/domain";
import { Effect, Layer } from "effect";
import { childEnv, freePort, repoRoot, type Started, startProcess, waitForHttp } from "./processes.ts";

export interface Product {
  readonly baseURL: string;
  readonly processes: ReadonlyArray<Started>;
  /** The real stack's database of this run (absent for the embedded default). */
  readonly mongoUrl?: string;
  readonly stop: () => Promise<void>;
}

const webDir = join(repoRoot, "apps", "web");

const newestMtime = (path: string): number => {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
};

/** Builds apps/web (vite build) unless dist/ is newer than every source file. */
export const ensureDashboardBuilt = (): void => {
  const built = join(webDir, "dist", "index.html");
  const sources = ["src", "public", "index.html", "vite.config.ts", "package.json"].map((p) =>
    join(webDir, p),
  );
  if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources.map(newestMtime))) return;
  execFileSync(
    process.execPath,
    [join(repoRoot, "node_modules", "vite", "bin", "vite.js"), "build", "--logLevel", "warn"],
    {
      cwd: webDir,
      stdio: ["ignore", "inherit", "inherit"],
      timeout: 180_000,
    },
  );
};

const stopAll = (processes: ReadonlyArray<Started>) => async () => {
  await Promise.all([...processes].reverse().map((p) => p.stop()));
};

/** Polls until `/` serves the dashboard, not a 404 or the API's own page. */
const waitForDashboard = (started: Started, baseURL: string) =>
  waitForHttp(started, `${baseURL}/`, 30_000, (response) => response.ok).then(async () => {
    const html = await (await fetch(`${baseURL}/`)).text();
    if (!html.includes('<div id="app">')) {
      throw new Error(
        `${baseURL}/ answers, but not with the dashboard (apps/web/dist):\n${html.slice(0, 300)}`,
      );
    }
  });

export const startEmbeddedDefault = async (env: Record<string, string> = {}): Promise<Product> => {
  ensureDashboardBuilt();
  const port = await freePort();
  const entry = join(repoRoot, "apps", "cinematch", "src", "main.ts");
  if (!existsSync(entry)) throw new Error(`the embedded default is missing: ${entry}`);
  const started = startProcess(
    "embedded-default",
    [entry],
    childEnv({ PORT: String(port), HOST: "127.0.0.1", NODE_ENV: "test", ...env }, [
      "KAFKA_BOOTSTRAP_SERVERS",
      "MONGODB_URL",
    ]),
  );
  const baseURL = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(started, `${baseURL}/health`);
    await waitForDashboard(started, baseURL);
  } catch (cause) {
    await started.stop();
    throw cause;
  }
  return { baseURL, processes: [started], stop: stopAll([started]) };
};

export const realServers = (): { readonly kafka: string; readonly mongo: string } => {
  const kafka = process.env.KAFKA_BOOTSTRAP_SERVERS;
  const mongo = process.env.MONGODB_URL;
  if (!kafka || !mongo) {
    throw new Error(
      "KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL must name the real servers for the real-stack browser test " +
        '(run `eval "$(bash scripts/infra/up.sh)"` first, or `npm test`, which does).',
    );
  }
  return { kafka, mongo };
};

/** The same MongoDB server, with a database of this run's own (so the trends start empty). */
export const isolatedMongoUrl = (mongo: string, database: string): string => {
  const url = new URL(mongo);
  url.pathname = `/${database}`;
  return url.toString();
};

/**
 * The catalog the real-stack test imports into its own database before the API starts (the
 * embedded default brings its demo catalog; a real deployment imports one with the CLI).
 */
export const FIXTURE_CATALOG: ReadonlyArray<Film> = [
  {
    movie_id: "web-e2e-leon",
    title: "Léon",
    year: 1994,
    genres: ["Crime", "Drama", "Thriller"],
    directors: ["Luc Besson"],
    actors: ["Jean Reno", "Natalie Portman", "Gary Oldman"],
    runtime_minutes: 110,
  },
  {
    movie_id: "web-e2e-amelie",
    title: "Amélie",
    year: 2001,
    genres: ["Comedy", "Romance"],
    directors: ["Jean-Pierre Jeunet"],
    actors: ["Audrey Tautou"],
    runtime_minutes: 122,
  },
  {
    movie_id: "web-e2e-matrix",
    title: "The Matrix",
    year: 1999,
    genres: ["Action", "Sci-Fi"],
    directors: ["Lana Wachowski", "Lilly Wachowski"],
    actors: ["Keanu Reeves"],
    runtime_minutes: 136,
  },
  {
    movie_id: "web-e2e-napoleon",
    title: "Napoleon Dynamite",
    year: 2004,
    genres: ["Comedy"],
    runtime_minutes: 96,
  },
];

const withDatabase = <A, E>(url: string, body: Effect.Effect<A, E, CatalogStore | MongoDatabase>) =>
  Effect.runPromise(
    body.pipe(Effect.provide(Layer.provideMerge(CatalogStoreMongo, MongoDatabaseLive(url))), Effect.scoped),
  );

export interface RealStackOptions {
  /** Extra environment for all three processes. */
  readonly env?: Record<string, string>;
  /** The catalog written before the processes start (default: `FIXTURE_CATALOG`, films without other ids). */
  readonly catalog?: ReadonlyArray<CatalogEntry>;
}

export const startRealStack = async (options: RealStackOptions = {}): Promise<Product> => {
  const { kafka, mongo } = realServers();
  ensureDashboardBuilt();
  const port = await freePort();
  // A database, a topic and consumer groups of this run's own: earlier runs cannot move its trends.
  const run = `web_e2e_${Date.now().toString(36)}_${process.pid}`;
  const mongoUrl = isolatedMongoUrl(mongo, run);
  await withDatabase(
    mongoUrl,
    Effect.flatMap(CatalogStore, (catalog) =>
      catalog.upsertMany(options.catalog ?? FIXTURE_CATALOG.map((film) => ({ film }))),
    ),
  );
  const env = childEnv({
    KAFKA_BOOTSTRAP_SERVERS: kafka,
    MONGODB_URL: mongoUrl,
    CINEMATCH_EVENTS_TOPIC: `${run}.user-movie-events`,
    TRENDS_GROUP_ID: `${run}.trends`,
    USER_STATS_GROUP_ID: `${run}.user-stats`,
    PORT: String(port),
    HOST: "127.0.0.1",
    // Cheaper password hashing: the test signs up several users on a shared 2-core machine.
    CINEMATCH_SCRYPT_N: "16384",
    // Scrapes here wait for a fresh count of the outbox backlog (in production they never wait).
    CINEMATCH_METRICS_BACKLOG_MAX_AGE_MS: "0",
    CINEMATCH_METRICS_SCRAPE_WAIT_MS: "20000",
    ...options.env,
  });
  const entries = {
    api: join(repoRoot, "apps", "api", "src", "main.ts"),
    "trends-runner": join(repoRoot, "apps", "trends-runner", "src", "main.ts"),
    "user-stats-runner": join(repoRoot, "apps", "user-stats-runner", "src", "main.ts"),
  };
  for (const [name, entry] of Object.entries(entries)) {
    if (!existsSync(entry)) throw new Error(`the real stack's ${name} is missing: ${entry}`);
  }
  const processes: Started[] = [];
  const baseURL = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopAll(processes)();
    await withDatabase(
      mongoUrl,
      Effect.flatMap(MongoDatabase, ({ db }) => Effect.promise(() => db.dropDatabase().catch(() => false))),
    ).catch(() => undefined);
  };
  try {
    // The API first (it creates the topic and the indexes), then the runners.
    const api = startProcess("api", [entries.api], env);
    processes.push(api);
    await waitForHttp(api, `${baseURL}/ready`, 120_000);
    await waitForDashboard(api, baseURL);
    for (const name of ["trends-runner", "user-stats-runner"] as const) {
      processes.push(startProcess(name, [entries[name]], env));
    }
  } catch (cause) {
    await stop();
    throw cause;
  }
  return { baseURL, processes, mongoUrl, stop };
};

/** Runs `body`; when it fails, the error carries the last lines of every process's log. */
export const withProductLogs = async <A>(product: Product, body: () => Promise<A>): Promise<A> => {
  try {
    return await body();
  } catch (cause) {
    const logs = product.processes
      .map((p) => `--- ${p.name}${p.exited() ? " (exited)" : ""}: ${p.logFile}\n${p.tail(25)}`)
      .join("\n");
    if (cause instanceof Error) cause.message = `${cause.message}\n${logs}`;
    throw cause;
  }
};

// The product's processes (API, both runners) on a private Kafka + FerretDB pair (see support.ts).
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { CatalogStore } from "@cinematch/adapters";
import { CatalogStoreMongo, MongoDatabaseLive } from "@cinematch/adapters/mongo";
import type { Film } from "@cinematch/domain";
import { Effect, Layer } from "effect";
import {
  childEnv,
  freePort,
  repoRoot,
  type Started,
  startProcess,
  waitForHttp,
  waitForLog,
} from "../web/support/processes.ts";
import { type StopList, stopList } from "./stop-list.ts";
import { infraDown, infraUp, type PrivateInfra, privateInfraEnv } from "./support.ts";

export type StackApp = "api" | "trends-runner" | "user-stats-runner";

export interface PrivateStack {
  readonly base: Omit<PrivateInfra, "kafka" | "mongo">;
  readonly infra: PrivateInfra;
  readonly baseURL: string;
  /** The events topic of this run. */
  readonly topic: string;
  /** Every process started so far (a restarted app adds one). */
  readonly processes: Started[];
  /** The latest process of each app. */
  readonly current: Map<StackApp, Started>;
  /** Starts (or starts again) one app with the stack's environment. */
  readonly start: (app: StackApp) => Started;
  /** Stops every process, then the private servers (everything in `stops`). */
  readonly stop: () => Promise<void>;
}

/**
 * Private Kafka + FerretDB (up.sh in a cache folder and on ports of this run's own), `films` in a
 * database of this run's own, then the API (ready) and both runners (consuming), each its own
 * process. `env` is added to every process's environment.
 */
/** Stacks being started or running: what `stopPrivateStacks` stops (a start-up cut off by a timeout too). */
const stacks = new Set<() => Promise<void>>();

/** Stops every private stack this process started and has not stopped yet: for `afterAll`. */
export const stopPrivateStacks = async (): Promise<void> => {
  for (const stop of [...stacks]) await stop();
};

export const startPrivateStack = async (options: {
  readonly name: string;
  readonly films: ReadonlyArray<Film>;
  readonly env?: Record<string, string>;
  /**
   * Where the stack puts what it starts, each thing as soon as it is started (a caller's signal
   * handler can then stop a stack cut off mid start-up); a list of its own by default.
   */
  readonly stops?: StopList;
}): Promise<PrivateStack> => {
  const stops = options.stops ?? stopList();
  const base = await privateInfraEnv();
  const processes: Started[] = [];
  const current = new Map<StackApp, Started>();
  const stop = async () => {
    stacks.delete(stop);
    await stops.stopAll();
  };
  stacks.add(stop);
  // Before up.sh, which may be cut off after starting a server; stopped last, after the processes using it.
  stops.add({
    name: `private Kafka + FerretDB in ${base.cacheDir}`,
    stop: () => infraDown(base),
    byHand: `CINEMATCH_CACHE_DIR=${base.cacheDir} bash ${join(repoRoot, "scripts", "infra", "down.sh")} --wipe && rm -rf ${base.cacheDir}`,
  });
  try {
    const infra = await infraUp(base);
    const run = `${options.name}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
    const mongoUrl = new URL(infra.mongo);
    mongoUrl.pathname = `/${run}`;
    await Effect.runPromise(
      Effect.flatMap(CatalogStore, (catalog) =>
        catalog.upsertMany(options.films.map((film) => ({ film }))),
      ).pipe(
        Effect.provide(Layer.provideMerge(CatalogStoreMongo, MongoDatabaseLive(mongoUrl.toString()))),
        Effect.scoped,
      ),
    );
    const port = await freePort();
    const baseURL = `http://127.0.0.1:${port}`;
    const env = childEnv({
      KAFKA_BOOTSTRAP_SERVERS: infra.kafka,
      MONGODB_URL: mongoUrl.toString(),
      CINEMATCH_EVENTS_TOPIC: `${run}.user-movie-events`,
      TRENDS_GROUP_ID: `${run}.trends`,
      USER_STATS_GROUP_ID: `${run}.user-stats`,
      PORT: String(port),
      HOST: "127.0.0.1",
      CINEMATCH_TOKEN_SECRET: randomBytes(32).toString("hex"),
      CINEMATCH_SCRYPT_N: "16384",
      ...options.env,
    });
    const start = (app: StackApp) => {
      const started = startProcess(
        `${options.name}-${app}`,
        [join(repoRoot, "apps", app, "src", "main.ts")],
        env,
      );
      processes.push(started);
      current.set(app, started);
      stops.add({
        name: `${started.name} (pid ${started.child.pid})`,
        stop: async () => {
          const pid = started.child.pid;
          // A process left stopped (SIGSTOP) by a failed test must be able to take its SIGTERM.
          if (pid !== undefined && !started.exited()) process.kill(pid, "SIGCONT");
          await started.stop();
        },
        now: () => {
          if (!started.exited()) started.child.kill("SIGKILL");
        },
      });
      return started;
    };
    // The API first (it creates the topic and the indexes), then the runners.
    await waitForHttp(start("api"), `${baseURL}/ready`, 120_000);
    const trends = start("trends-runner");
    const userStats = start("user-stats-runner");
    await waitForLog(trends, "trends runner consuming");
    await waitForLog(userStats, "user-stats runner consuming");
    return { base, infra, baseURL, topic: `${run}.user-movie-events`, processes, current, start, stop };
  } catch (cause) {
    await stop().catch(() => undefined);
    throw cause;
  }
};

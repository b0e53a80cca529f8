/**
 * Support for the runners' integration tests: each test file gets a database, a topic and consumer
 * groups of its own on the real servers (KAFKA_BOOTSTRAP_SERVERS / MONGODB_URL, required: fails
 * loudly when unset), spawns the runners as their own processes (`node apps/<runner>/src/main.ts`),
 * writes through the one real write path (WatchlistCommands: store + outbox + publish), and checks
 * the runners' output against a plain recomputation from the stored entries.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import {
  EventLog,
  GlobalStatsStore,
  IdGeneratorRandom,
  OutboxPublisher,
  OutboxPublisherLive,
  UserStatsStore,
  WatchlistCommands,
  WatchlistCommandsLive,
  WatchlistStore,
} from "@cinematch/adapters";
import { EventLogKafka } from "@cinematch/adapters/kafka";
import {
  MongoDatabaseLive,
  PartitionOwnershipMongo,
  ReadModelsMongo,
  TrendsStateStoreMongo,
  WatchlistStoreMongo,
} from "@cinematch/adapters/mongo";
import { requireEnv, uniqueName } from "@cinematch/adapters/testing";
import { type TrendWindow, TREND_WINDOWS, type UserStats, type WatchedEntry } from "@cinematch/domain";
import { comparable, expectedTrends } from "@cinematch/trends-runner/testing";
import { Effect, Layer, Option } from "effect";
import { expect } from "vitest";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const sharedDir = process.env.CINEMATCH_SHARED_DIR ?? `${repoRoot}../shared`;
export const movielensDir = `${sharedDir}/data/movielens-small`;

export interface World {
  readonly name: string;
  readonly topic: string;
  readonly partitions: number;
  readonly mongoUrl: string;
  readonly brokers: ReadonlyArray<string>;
  readonly trendsGroup: string;
  readonly userStatsGroup: string;
  /** The environment a runner process of this world gets. */
  readonly env: Readonly<Record<string, string>>;
}

/** A world of its own on the real servers (database, topic, groups named after `prefix`). */
export const makeWorld = (prefix: string, partitions = 3): World => {
  const kafka = requireEnv("KAFKA_BOOTSTRAP_SERVERS");
  const mongo = new URL(requireEnv("MONGODB_URL"));
  const name = uniqueName(prefix);
  mongo.pathname = `/${name.replaceAll("-", "_")}`;
  const topic = `${name}-events`;
  const trendsGroup = `${name}-trends`;
  const userStatsGroup = `${name}-user-stats`;
  const env = {
    KAFKA_BOOTSTRAP_SERVERS: kafka,
    MONGODB_URL: mongo.toString(),
    CINEMATCH_EVENTS_TOPIC: topic,
    CINEMATCH_EVENTS_PARTITIONS: String(partitions),
    TRENDS_GROUP_ID: trendsGroup,
    USER_STATS_GROUP_ID: userStatsGroup,
    TRENDS_OUTPUT_DEBOUNCE_MS: "100",
    TRENDS_BOOTSTRAP_PENDING_WAIT_MS: "2000",
  };
  return {
    name,
    topic,
    partitions,
    mongoUrl: mongo.toString(),
    brokers: kafka.split(",").map((b) => b.trim()),
    trendsGroup,
    userStatsGroup,
    env,
  };
};

/** The test's own connections: the write path, the stores to check, the log to watch. */
export const worldLayer = (world: World) => {
  const database = MongoDatabaseLive(world.mongoUrl, { appName: "runners-int-test" });
  const base = Layer.mergeAll(
    Layer.mergeAll(WatchlistStoreMongo, ReadModelsMongo, TrendsStateStoreMongo, PartitionOwnershipMongo).pipe(
      Layer.provideMerge(database),
    ),
    EventLogKafka({ brokers: world.brokers, clientId: `${world.name}-test` }),
    IdGeneratorRandom,
  );
  return WatchlistCommandsLive({ publish: "await" }).pipe(
    Layer.provideMerge(OutboxPublisherLive({ topic: world.topic, partitions: world.partitions })),
    Layer.provideMerge(base),
  );
};
export type WorldServices = Layer.Layer.Success<ReturnType<typeof worldLayer>>;

// ---- runner processes --------------------------------------------------------------------------

export type RunnerName = "trends-runner" | "user-stats-runner";

export interface RunnerProcess {
  readonly name: RunnerName;
  readonly child: ChildProcess;
  /** Everything it printed so far. */
  readonly output: () => string;
  /** Resolves with the first output line matching `pattern` (from the start), or rejects after `timeoutMs`. */
  readonly waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<string>;
  readonly exited: Promise<number | null>;
  readonly kill: (signal: NodeJS.Signals) => Promise<number | null>;
}

export const spawnRunner = (
  name: RunnerName,
  world: World,
  extraEnv: Record<string, string> = {},
): RunnerProcess => {
  const child = spawn(process.execPath, [`${repoRoot}apps/${name}/src/main.ts`], {
    cwd: repoRoot,
    env: { ...process.env, ...world.env, ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  const waiters: Array<() => void> = [];
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const waiter of waiters.splice(0)) waiter();
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const waitFor = (pattern: RegExp, timeoutMs = 60_000) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`${name}: no line matching ${pattern} within ${timeoutMs} ms; output:\n${text}`)),
        timeoutMs,
      );
      const check = () => {
        const line = text.split("\n").find((l) => pattern.test(l));
        if (line !== undefined) {
          clearTimeout(timer);
          resolve(line);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(timer);
          reject(
            new Error(
              `${name} exited (${child.exitCode ?? child.signalCode}) before ${pattern}; output:\n${text}`,
            ),
          );
        } else waiters.push(check);
      };
      check();
    });
  return {
    name,
    child,
    output: () => text,
    waitFor,
    exited,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
};

// ---- expectations ------------------------------------------------------------------------------

/** The consumer group has committed everything the topic holds. */
export const groupDrained = (world: World, groupId: string) =>
  Effect.gen(function* () {
    const log = yield* EventLog;
    const ends = yield* log.endOffsets(world.topic);
    const committed = new Map(
      (yield* log.committedOffsets(groupId, world.topic)).map((p) => [p.partition, p.offset]),
    );
    for (const end of ends) {
      expect(committed.get(end.partition) ?? "0", `${groupId} partition ${end.partition}`).toBe(end.offset);
    }
  });

/** Every accepted change is on the topic (the outbox is empty). */
export const outboxEmpty = Effect.gen(function* () {
  const publisher = yield* OutboxPublisher;
  expect(yield* publisher.countBacklog).toBe(0);
});

export const liveEntries = Effect.gen(function* () {
  const stored = yield* (yield* WatchlistStore).entriesAddedSince(0);
  return stored.filter((s) => !s.removed).map((s) => s.entry);
});

/** Everything published and consumed by both runners, and `global_stats` equal to the recomputation. */
export const drainedWithMatchingTrends = (world: World) =>
  Effect.gen(function* () {
    yield* outboxEmpty;
    yield* groupDrained(world, world.trendsGroup);
    yield* groupDrained(world, world.userStatsGroup);
    yield* trendsMatch;
  });

/** `global_stats` equals the plain recomputation from the stored entries, for every window. */
export const trendsMatch = Effect.gen(function* () {
  const entries = yield* liveEntries;
  const global = yield* GlobalStatsStore;
  for (const window of TREND_WINDOWS) {
    const doc = yield* global.get(window);
    expect(Option.isSome(doc), `global_stats ${window} written`).toBe(true);
    const value = Option.getOrThrow(doc);
    expect(comparable(value), `window ${window}`).toEqual(
      expectedTrends(
        entries.map((e) => ({ movie: e.movie, added_at: e.added_at })),
        window as TrendWindow,
        value.updated_at,
      ),
    );
  }
});

/** The figures of a user's statistics computed the plain way from their entries. */
export const plainUserFigures = (entries: ReadonlyArray<WatchedEntry>) => {
  const rated = entries.filter((e) => e.rating !== undefined);
  const sum = rated.reduce((total, e) => total + (e.rating ?? 0), 0);
  const byRating = new Map<number, number>();
  for (const e of rated) byRating.set(e.rating!, (byRating.get(e.rating!) ?? 0) + 1);
  const genres = new Map<string, number>();
  for (const e of entries)
    for (const g of new Set(e.movie.genres ?? [])) genres.set(g, (genres.get(g) ?? 0) + 1);
  return {
    total_watched: entries.length,
    rated_count: rated.length,
    // Two decimals, half up, from the exact fraction (ratings are multiples of 0.5).
    avg_rating:
      rated.length === 0 ? null : Math.floor((2 * sum * 100 + rated.length) / (2 * rated.length)) / 100,
    rating_counts: [...byRating.entries()].sort(([a], [b]) => a - b),
    genre_counts: [...genres.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
  };
};

const figuresOf = (stats: UserStats) => ({
  total_watched: stats.total_watched,
  rated_count: stats.rated_count,
  avg_rating: stats.avg_rating,
  rating_counts: stats.rating_chart_data
    .filter((bucket) => bucket.count > 0)
    .map((bucket) => [bucket.rating, bucket.count] as [number, number]),
  genre_counts: stats.genre_data
    .map((g) => [g.genre, g.count] as [string, number])
    .sort(([a], [b]) => (a < b ? -1 : 1)),
});

/** Every user with entries has `user_stats` whose figures equal the plain recomputation. */
export const userStatsMatch = (users: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const byUser = yield* (yield* WatchlistStore).entriesOfUsers(users);
    const store = yield* UserStatsStore;
    for (const user of users) {
      const doc = yield* store.get(user);
      expect(Option.isSome(doc), `user_stats of ${user}`).toBe(true);
      expect(figuresOf(Option.getOrThrow(doc).stats), `user ${user}`).toEqual(
        plainUserFigures(byUser.get(user) ?? []),
      );
    }
  });

export { WatchlistCommands };

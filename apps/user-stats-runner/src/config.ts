import { boundedIntConfig } from "@cinematch/adapters";
import { USER_MOVIE_EVENTS_TOPIC } from "@cinematch/domain";
import { Config, type ConfigError, Effect } from "effect";

export interface UserStatsRunnerConfig {
  readonly topic: string;
  /** Partition count used if the runner has to create the topic. */
  readonly partitions: number;
  readonly groupId: string;
  /** Longest a micro-batch gathers before it is written (from its first partition batch). */
  readonly batchMs: number;
  /** A micro-batch is closed when no partition batch arrived for this long. */
  readonly lingerMs: number;
  /** A micro-batch is closed at this many users. */
  readonly maxUsers: number;
  /** Partitions consumed at once (kafkajs `partitionsConsumedConcurrently`). */
  readonly partitionsConcurrency: number;
  /** Consumer group session timeout: how soon a killed instance's partitions go to the others. */
  readonly sessionTimeoutMs: number;
  /**
   * Watched entries kept in memory between micro-batches (see `library-cache.ts`), so a batch
   * re-reads only the entries its events touched; 0 reads every touched user's whole list each time.
   */
  readonly cacheEntries: number;
  /** This process's name in the partition ownership claims and the logs (unique per instance). */
  readonly instanceId: string;
}

export const defaultUserStatsRunnerConfig: UserStatsRunnerConfig = {
  topic: USER_MOVIE_EVENTS_TOPIC,
  partitions: 6,
  groupId: "cinematch-user-stats",
  batchMs: 1000,
  lingerMs: 5,
  maxUsers: 2000,
  partitionsConcurrency: 3,
  sessionTimeoutMs: 10_000,
  cacheEntries: 100_000,
  instanceId: "user-stats",
};

const int = boundedIntConfig;

/** The runner's settings from the environment (README lists them). */
export const userStatsRunnerConfigFromEnv: Effect.Effect<UserStatsRunnerConfig, ConfigError.ConfigError> =
  Effect.gen(function* () {
    const d = defaultUserStatsRunnerConfig;
    return {
      topic: yield* Config.string("CINEMATCH_EVENTS_TOPIC").pipe(Config.withDefault(d.topic)),
      partitions: yield* int("CINEMATCH_EVENTS_PARTITIONS", d.partitions, 1, 1000),
      groupId: yield* Config.string("USER_STATS_GROUP_ID").pipe(Config.withDefault(d.groupId)),
      batchMs: yield* int("USER_STATS_BATCH_MS", d.batchMs, 1, 60_000),
      lingerMs: yield* int("USER_STATS_LINGER_MS", d.lingerMs, 0, 60_000),
      maxUsers: yield* int("USER_STATS_MAX_USERS", d.maxUsers, 1, 100_000),
      partitionsConcurrency: yield* int(
        "USER_STATS_PARTITIONS_CONCURRENCY",
        d.partitionsConcurrency,
        1,
        1000,
      ),
      sessionTimeoutMs: yield* int("USER_STATS_SESSION_TIMEOUT_MS", d.sessionTimeoutMs, 6_000, 300_000),
      cacheEntries: yield* int("USER_STATS_CACHE_ENTRIES", d.cacheEntries, 0, 100_000_000),
      instanceId: yield* Config.string("CINEMATCH_INSTANCE_ID").pipe(Config.withDefault(d.instanceId)),
    };
  });

import { boundedIntConfig } from "@cinematch/adapters";
import { DEFAULT_TREND_CONFIG, USER_MOVIE_EVENTS_TOPIC } from "@cinematch/domain";
import { Config, type ConfigError, Effect } from "effect";

export interface TrendsRunnerConfig {
  readonly topic: string;
  /** Partition count used if the runner has to create the topic. */
  readonly partitions: number;
  readonly groupId: string;
  /** Days of day buckets kept (the longest finite window; 30 for "30d"). */
  readonly retentionDays: number;
  /** How long (event time) applied event ids are remembered to drop a republished copy. */
  readonly dedupHorizonMs: number;
  /** After a batch is applied, the output waits this long for more before writing `global_stats`. */
  readonly outputDebounceMs: number;
  /** How often the runner looks whether the UTC day (and so the windows) moved with no event. */
  readonly slideCheckMs: number;
  /** Bootstrap: longest wait for in-flight publications to get their log positions recorded. */
  readonly bootstrapPendingWaitMs: number;
  /** Partitions consumed at once (kafkajs `partitionsConsumedConcurrently`). */
  readonly partitionsConcurrency: number;
  /** Consumer group session timeout: how soon a killed instance's partitions go to the others. */
  readonly sessionTimeoutMs: number;
  /**
   * Longest an instance's output waits to take in what other instances saved (their partitions'
   * pieces are read at most this often: on FerretDB each read scans the whole state collection).
   */
  readonly foreignRefreshMs: number;
  /** This process's name in the partition ownership claims and the logs (unique per instance). */
  readonly instanceId: string;
}

export const defaultTrendsRunnerConfig: TrendsRunnerConfig = {
  topic: USER_MOVIE_EVENTS_TOPIC,
  partitions: 6,
  groupId: "cinematch-trends",
  retentionDays: DEFAULT_TREND_CONFIG.retention_days,
  dedupHorizonMs: DEFAULT_TREND_CONFIG.dedup_horizon_ms,
  outputDebounceMs: 200,
  slideCheckMs: 60_000,
  bootstrapPendingWaitMs: 5_000,
  partitionsConcurrency: 3,
  sessionTimeoutMs: 10_000,
  foreignRefreshMs: 2_000,
  instanceId: "trends",
};

const int = boundedIntConfig;

/** The runner's settings from the environment (README lists them). */
export const trendsRunnerConfigFromEnv: Effect.Effect<TrendsRunnerConfig, ConfigError.ConfigError> =
  Effect.gen(function* () {
    const d = defaultTrendsRunnerConfig;
    return {
      topic: yield* Config.string("CINEMATCH_EVENTS_TOPIC").pipe(Config.withDefault(d.topic)),
      partitions: yield* int("CINEMATCH_EVENTS_PARTITIONS", d.partitions, 1, 1000),
      groupId: yield* Config.string("TRENDS_GROUP_ID").pipe(Config.withDefault(d.groupId)),
      retentionDays: yield* int("TRENDS_RETENTION_DAYS", d.retentionDays, 7, 3660),
      dedupHorizonMs: yield* int("TRENDS_DEDUP_HORIZON_MS", d.dedupHorizonMs, 0),
      outputDebounceMs: yield* int("TRENDS_OUTPUT_DEBOUNCE_MS", d.outputDebounceMs, 0, 60_000),
      slideCheckMs: yield* int("TRENDS_SLIDE_CHECK_MS", d.slideCheckMs, 10, 3_600_000),
      bootstrapPendingWaitMs: yield* int(
        "TRENDS_BOOTSTRAP_PENDING_WAIT_MS",
        d.bootstrapPendingWaitMs,
        0,
        600_000,
      ),
      partitionsConcurrency: yield* int("TRENDS_PARTITIONS_CONCURRENCY", d.partitionsConcurrency, 1, 1000),
      sessionTimeoutMs: yield* int("TRENDS_SESSION_TIMEOUT_MS", d.sessionTimeoutMs, 6_000, 300_000),
      foreignRefreshMs: yield* int("TRENDS_FOREIGN_REFRESH_MS", d.foreignRefreshMs, 0, 600_000),
      instanceId: yield* Config.string("CINEMATCH_INSTANCE_ID").pipe(Config.withDefault(d.instanceId)),
    };
  });

/** `CINEMATCH_CLOCK_OFFSET_MS` (default 0): shifts the runner's clock, for demos and tests of sliding windows. */
export const clockOffsetFromEnv: Effect.Effect<number, ConfigError.ConfigError> = Config.integer(
  "CINEMATCH_CLOCK_OFFSET_MS",
).pipe(Config.withDefault(0));

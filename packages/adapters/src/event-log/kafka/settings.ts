import { Duration } from "effect";
import type { KafkaConnection } from "../../config/env.ts";

/**
 * Tuning of the Kafka layer. Every call is bounded twice: by kafkajs' own connection and request
 * timeouts and retry limits, and by `operationTimeoutMs` around each call, so a broker that is
 * down gives an `EventLogError` in bounded time and never a hang.
 */
export interface KafkaEventLogConfig extends KafkaConnection {
  /** TCP connect timeout per attempt. Default 3000 ms. */
  readonly connectionTimeoutMs?: number;
  /** Timeout of one request. Default 10 000 ms. */
  readonly requestTimeoutMs?: number;
  /** kafkajs retries per call (also the idempotent producer's, which kafkajs would leave unbounded). Default 3. */
  readonly retries?: number;
  /** First retry delay, doubled each time up to `maxRetryTimeMs`. Defaults 100 and 1000 ms. */
  readonly initialRetryTimeMs?: number;
  readonly maxRetryTimeMs?: number;
  /** Hard bound on any single call of the port (connect included). Default 30 000 ms. */
  readonly operationTimeoutMs?: number;
  /** Idempotent producer (no duplicates from kafkajs' own retries). Default true. */
  readonly idempotent?: boolean;
  /** Consumer group session timeout. Default 30 000 ms. */
  readonly sessionTimeoutMs?: number;
  /** How long the group waits for members to rejoin during a rebalance. Default 60 000 ms. */
  readonly rebalanceTimeoutMs?: number;
  /** Heartbeat period, also while a long batch runs. Default 3000 ms. */
  readonly heartbeatIntervalMs?: number;
  /** Longest fetch long-poll; it also bounds how long closing a consumer waits. Default 1000 ms. */
  readonly maxWaitTimeMs?: number;
  /** How long `consume` waits for its first group join. Default 60 000 ms. */
  readonly joinTimeoutMs?: number;
  /** Backoff after a handler failure, doubled per consecutive failure of a partition. Defaults 200 and 5000 ms. */
  readonly retryBackoffMs?: number;
  readonly maxRetryBackoffMs?: number;
  /** Partitions one consumer handles at once. Default 1 (batches of one consumer run one after another). */
  readonly partitionsConsumedConcurrently?: number;
  /** Most bytes fetched per partition per request (bounds batch size). Default 1 MiB (kafkajs' default). */
  readonly maxBytesPerPartition?: number;
  /** Lowest kafkajs log level passed on to Effect's logger. Default "warn". */
  readonly logLevel?: "error" | "warn" | "info" | "debug";
}

/** kafkajs' own retry settings, shared by every client. */
export interface KafkaRetry {
  readonly retries: number;
  readonly initialRetryTime: number;
  readonly maxRetryTime: number;
}

/** The configuration with every default filled in, so the parts of the layer read one value each. */
export interface KafkaSettings {
  readonly connectionTimeout: number;
  readonly requestTimeout: number;
  readonly operationTimeout: Duration.Duration;
  readonly retry: KafkaRetry;
  readonly idempotent: boolean;
  readonly sessionTimeout: number;
  readonly rebalanceTimeout: number;
  readonly heartbeatInterval: number;
  readonly maxWaitTime: number;
  readonly joinTimeout: Duration.Duration;
  readonly baseBackoff: number;
  readonly maxBackoff: number;
  readonly partitionsConsumedConcurrently: number;
  readonly maxBytesPerPartition: number | undefined;
  readonly logLevel: NonNullable<KafkaEventLogConfig["logLevel"]>;
}

export const resolveKafkaSettings = (config: KafkaEventLogConfig): KafkaSettings => ({
  connectionTimeout: config.connectionTimeoutMs ?? 3_000,
  requestTimeout: config.requestTimeoutMs ?? 10_000,
  operationTimeout: Duration.millis(config.operationTimeoutMs ?? 30_000),
  retry: {
    retries: config.retries ?? 3,
    initialRetryTime: config.initialRetryTimeMs ?? 100,
    maxRetryTime: config.maxRetryTimeMs ?? 1_000,
  },
  idempotent: config.idempotent ?? true,
  sessionTimeout: config.sessionTimeoutMs ?? 30_000,
  rebalanceTimeout: config.rebalanceTimeoutMs ?? 60_000,
  heartbeatInterval: config.heartbeatIntervalMs ?? 3_000,
  maxWaitTime: config.maxWaitTimeMs ?? 1_000,
  joinTimeout: Duration.millis(config.joinTimeoutMs ?? 60_000),
  baseBackoff: config.retryBackoffMs ?? 200,
  maxBackoff: config.maxRetryBackoffMs ?? 5_000,
  partitionsConsumedConcurrently: config.partitionsConsumedConcurrently ?? 1,
  maxBytesPerPartition: config.maxBytesPerPartition,
  logLevel: config.logLevel ?? "warn",
});

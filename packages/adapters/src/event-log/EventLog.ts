import { compareOffsets } from "@cinematch/domain";
import { Context, Data, type Effect, type Scope } from "effect";

/** A broker call failed or did not answer within its bound; never a hang. */
export class EventLogError extends Data.TaggedError("EventLogError")<{
  readonly operation: string;
  readonly message: string;
  readonly cause?: unknown;
}> {}

export interface OutgoingMessage {
  /** Partitioning key: all messages with one key stay ordered in one partition (we key by user id). */
  readonly key: string;
  readonly value: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface LogRecord {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offsets are 64-bit; kept as decimal text like kafkajs does. Compare with `compareOffsets` (`@cinematch/domain`). */
  readonly offset: string;
  readonly key: string | null;
  readonly value: string;
  /** Broker append time, epoch ms. */
  readonly timestamp: number;
  readonly headers: Readonly<Record<string, string>>;
}

export interface LogPosition {
  readonly partition: number;
  readonly offset: string;
}

/** Consecutive records of one partition, in offset order. */
export interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: ReadonlyArray<LogRecord>;
}

export interface ConsumeOptions<E, R> {
  readonly groupId: string;
  readonly topic: string;
  /** Where a group with no committed offset starts. Default true. */
  readonly fromBeginning?: boolean;
  /**
   * Handles one partition's batch. Offsets up to its last record are committed only after the
   * returned effect succeeds; on failure nothing is committed and the batch is delivered again
   * (after a backoff), so the handler must be idempotent or remember what it applied.
   */
  readonly handleBatch: (batch: PartitionBatch) => Effect.Effect<void, E, R>;
}

export interface EventLogService {
  /** Creates the topic with that many partitions if it does not exist; idempotent. */
  readonly ensureTopic: (topic: string, partitions: number) => Effect.Effect<void, EventLogError>;
  /**
   * Appends the messages, acknowledged by all in-sync replicas, in order per key, and returns where
   * each one landed (same order as the input). The outbox records these positions so the trends
   * bootstrap can tell which stored entries the log already holds before its starting point.
   */
  readonly publish: (
    topic: string,
    messages: ReadonlyArray<OutgoingMessage>,
  ) => Effect.Effect<ReadonlyArray<LogPosition>, EventLogError>;
  /** The next offset to be written in every partition of the topic (where a consumer starting "now" begins). */
  readonly endOffsets: (topic: string) => Effect.Effect<ReadonlyArray<LogPosition>, EventLogError>;
  /**
   * Joins the consumer group and feeds batches to the handler until the surrounding scope closes;
   * closing it lets the batch in flight finish (or abandons it uncommitted) and leaves the group.
   */
  readonly consume: <E, R>(
    options: ConsumeOptions<E, R>,
  ) => Effect.Effect<void, EventLogError, R | Scope.Scope>;
  /**
   * The group's committed offsets for the topic (the next offset it will read), only for partitions
   * where the group has committed something. Added after the port was fixed (additive): tests and
   * lag monitoring use it to see what a consumer group has really committed.
   */
  readonly committedOffsets: (
    groupId: string,
    topic: string,
  ) => Effect.Effect<ReadonlyArray<LogPosition>, EventLogError>;
  /** Whether the broker answers, within a bound (for readiness checks). */
  readonly ping: Effect.Effect<void, EventLogError>;
}

export class EventLog extends Context.Tag("@cinematch/adapters/EventLog")<EventLog, EventLogService>() {}

/**
 * The later of two positions of the same event (a duplicate publication keeps the last one); a
 * position on another partition replaces the current one.
 */
export const laterPosition = (current: LogPosition | null | undefined, next: LogPosition): LogPosition =>
  current === null ||
  current === undefined ||
  current.partition !== next.partition ||
  compareOffsets(next.offset, current.offset) > 0
    ? next
    : current;

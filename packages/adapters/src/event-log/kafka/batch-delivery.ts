import { Cause, Duration, Effect, Exit } from "effect";
import type { EachBatchPayload } from "kafkajs";
import type { LogRecord, PartitionBatch } from "../EventLog.ts";
import { describeCause, toLogRecord } from "./records.ts";
import type { KafkaSettings } from "./settings.ts";

/** What one consumer session lends its batch delivery. */
export interface DeliveryContext<E, R> {
  readonly handleBatch: (batch: PartitionBatch) => Effect.Effect<void, E, R>;
  /** Runs an effect in the session's fiber set and waits for its exit (interrupted once the session closes). */
  readonly runToExit: <A, X>(effect: Effect.Effect<A, X, R>) => Promise<Exit.Exit<A, X>>;
  /** Writes one log line at once, annotated with the session's topic and group. */
  readonly log: (line: Effect.Effect<void>) => void;
  readonly isClosing: () => boolean;
}

type EachBatch = (payload: EachBatchPayload) => Promise<void>;

/** Heartbeats keep the membership alive while a long batch runs; they stop with the handler. */
const withHeartbeats = <A, E, R>(
  handling: Effect.Effect<A, E, R>,
  payload: EachBatchPayload,
  intervalMs: number,
): Effect.Effect<A, E, R> =>
  Effect.raceFirst(
    handling,
    Effect.sleep(Duration.millis(intervalMs)).pipe(
      Effect.zipRight(Effect.tryPromise(() => payload.heartbeat())),
      Effect.ignore,
      Effect.forever,
    ),
  );

/** Commits the offset after the batch's last record, and only then moves the fetch position on. */
const commitHandled = async (payload: EachBatchPayload, last: LogRecord): Promise<void> => {
  const { batch } = payload;
  const next = (BigInt(last.offset) + 1n).toString();
  await payload.commitOffsetsIfNecessary({
    topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }],
  });
  // Before this point a failure refetches the same batch.
  payload.resolveOffset(last.offset);
};

/**
 * The kafkajs `eachBatch` of one consumer: hands each partition's batch to the handler, commits it
 * when the handler succeeds, and otherwise leaves it uncommitted and backs off (doubling per
 * consecutive failure of that partition) so kafkajs delivers it again.
 */
export const makeEachBatch = <E, R>(settings: KafkaSettings, context: DeliveryContext<E, R>): EachBatch => {
  const { heartbeatInterval, baseBackoff, maxBackoff } = settings;
  const failures = new Map<number, number>();

  const backOffAfterFailure = async (batch: PartitionBatch, cause: Cause.Cause<E>): Promise<void> => {
    const attempt = (failures.get(batch.partition) ?? 0) + 1;
    failures.set(batch.partition, attempt);
    const backoff = Math.min(maxBackoff, baseBackoff * 2 ** (attempt - 1));
    context.log(
      Effect.logWarning(
        "event-log handler failed; the batch stays uncommitted and is delivered again",
        cause,
      ).pipe(
        Effect.annotateLogs({
          partition: batch.partition,
          firstOffset: batch.records[0]!.offset,
          attempt,
          backoffMs: backoff,
        }),
      ),
    );
    // Not resolving the offset makes kafkajs fetch this batch again after we return.
    await context.runToExit(Effect.sleep(Duration.millis(backoff)));
  };

  return async (payload) => {
    const { batch } = payload;
    if (context.isClosing() || batch.isEmpty()) return;
    const records = batch.messages.map((message) => toLogRecord(batch.topic, batch.partition, message));
    const partitionBatch: PartitionBatch = { topic: batch.topic, partition: batch.partition, records };
    const exit = await context.runToExit(
      withHeartbeats(context.handleBatch(partitionBatch), payload, heartbeatInterval),
    );
    if (Exit.isFailure(exit)) {
      if (context.isClosing() || Cause.isInterruptedOnly(exit.cause)) return;
      return backOffAfterFailure(partitionBatch, exit.cause);
    }
    try {
      await commitHandled(payload, records[records.length - 1]!);
      failures.delete(batch.partition);
    } catch (cause) {
      // A failed commit (a rebalance, the broker away): nothing resolved, so the batch comes
      // again (here or at the partition's next owner); the handler is idempotent by contract.
      context.log(
        Effect.logWarning("committing a handled batch failed; it will be delivered again").pipe(
          Effect.annotateLogs({ partition: batch.partition, error: describeCause(cause) }),
        ),
      );
    }
  };
};

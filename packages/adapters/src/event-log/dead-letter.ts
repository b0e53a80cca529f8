import type { DecodeError } from "@cinematch/domain";
import { Effect, Either, type Scope } from "effect";
import type { EventLogError, EventLogService, LogRecord, OutgoingMessage } from "./EventLog.ts";

/** Where records of `topic` that cannot be decoded go. */
export const deadLetterTopic = (topic: string): string => `${topic}.dead-letter`;

/** Headers on every dead-lettered record (the value is the original text, unchanged). */
export const DeadLetterHeaders = {
  /** The `DecodeError` message: every failing field with its problem. */
  reason: "x-dead-letter-reason",
  originTopic: "x-origin-topic",
  originPartition: "x-origin-partition",
  originOffset: "x-origin-offset",
} as const;

export interface DecodedRecord<A> {
  readonly record: LogRecord;
  readonly value: A;
}

export interface DecodedBatch<A> {
  readonly topic: string;
  readonly partition: number;
  /** The batch's records that decoded, in offset order; may be empty when all were dead-lettered. */
  readonly records: ReadonlyArray<DecodedRecord<A>>;
  /** Offset of the batch's first record, decoded or not (where the consumer's position was). */
  readonly firstOffset: string;
  /** Offset of the batch's last record, decoded or not: the position this batch brings the partition to. */
  readonly lastOffset: string;
  /** How many records of this batch went to the dead-letter topic. */
  readonly deadLettered: number;
}

export interface ConsumeDecodedOptions<A, E, R> {
  readonly log: EventLogService;
  readonly groupId: string;
  readonly topic: string;
  /** Default true, as in `ConsumeOptions`. */
  readonly fromBeginning?: boolean;
  readonly decode: (value: string) => Either.Either<A, DecodeError>;
  /**
   * Called once per batch, even when every record was dead-lettered (then `records` is empty), so
   * a handler that records positions still learns `lastOffset`. Its failure redelivers the batch.
   */
  readonly handleBatch: (batch: DecodedBatch<A>) => Effect.Effect<void, E, R>;
  /** Partitions of the dead-letter topic when it has to be created. Default 1. */
  readonly deadLetterPartitions?: number;
}

const toDeadLetter = (record: LogRecord, error: DecodeError): OutgoingMessage => ({
  key: record.key ?? `${record.topic}/${record.partition}`,
  value: record.value,
  headers: {
    ...record.headers,
    [DeadLetterHeaders.reason]: error.message,
    [DeadLetterHeaders.originTopic]: record.topic,
    [DeadLetterHeaders.originPartition]: String(record.partition),
    [DeadLetterHeaders.originOffset]: record.offset,
  },
});

/**
 * Consumes `topic` as `groupId`, decoding every record. Records that fail to decode are published
 * to `<topic>.dead-letter` BEFORE the batch is handed on (and so before its offsets are committed);
 * the handler then gets the good ones. If publishing the dead letters or the handler fails, nothing
 * is committed and the whole batch comes again, so a poison record can be dead-lettered more than
 * once (at-least-once, like everything else here); it never blocks the partition.
 */
export const consumeDecoded = <A, E, R>(
  options: ConsumeDecodedOptions<A, E, R>,
): Effect.Effect<void, EventLogError, R | Scope.Scope> =>
  Effect.gen(function* () {
    const { log, topic, decode, handleBatch } = options;
    const dlt = deadLetterTopic(topic);
    yield* log.ensureTopic(dlt, options.deadLetterPartitions ?? 1);
    yield* log.consume<E | EventLogError, R>({
      groupId: options.groupId,
      topic,
      ...(options.fromBeginning === undefined ? {} : { fromBeginning: options.fromBeginning }),
      handleBatch: (batch) =>
        Effect.gen(function* () {
          const good: Array<DecodedRecord<A>> = [];
          const bad: Array<OutgoingMessage> = [];
          for (const record of batch.records) {
            const decoded = decode(record.value);
            if (Either.isRight(decoded)) good.push({ record, value: decoded.right });
            else bad.push(toDeadLetter(record, decoded.left));
          }
          if (bad.length > 0) {
            yield* log.publish(dlt, bad);
            yield* Effect.logWarning("records failed to decode and went to the dead-letter topic").pipe(
              Effect.annotateLogs({
                topic,
                partition: batch.partition,
                deadLetterTopic: dlt,
                count: bad.length,
              }),
            );
          }
          const last = batch.records[batch.records.length - 1];
          if (last === undefined) return;
          yield* handleBatch({
            topic: batch.topic,
            partition: batch.partition,
            records: good,
            firstOffset: batch.records[0]!.offset,
            lastOffset: last.offset,
            deadLettered: bad.length,
          });
        }),
    });
  });

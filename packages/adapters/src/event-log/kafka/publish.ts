import { Effect } from "effect";
import type { Producer, RecordMetadata } from "kafkajs";
import { EventLogError, type LogPosition, type OutgoingMessage } from "../EventLog.ts";
import { partitionForKey } from "../partitioner.ts";
import type { KafkaCalls, LazyClient } from "./calls.ts";
import type { KafkaSettings } from "./settings.ts";
import type { KafkaTopics } from "./topics.ts";

/**
 * Where each message landed. kafkajs appends each partition's messages as one batch in input order
 * and reports the batch's base offset: message n of partition p lands at base(p) + n.
 */
const positionsOf = (
  topic: string,
  assigned: ReadonlyArray<number>,
  metadata: ReadonlyArray<RecordMetadata>,
): Effect.Effect<ReadonlyArray<LogPosition>, EventLogError> => {
  const bases = new Map<number, bigint>();
  for (const entry of metadata) {
    if (entry.topicName === topic && entry.baseOffset !== undefined) {
      bases.set(entry.partition, BigInt(entry.baseOffset));
    }
  }
  const seen = new Map<number, bigint>();
  const positions: Array<LogPosition> = [];
  for (const partition of assigned) {
    const base = bases.get(partition);
    if (base === undefined) {
      return Effect.fail(
        new EventLogError({
          operation: "publish",
          message: `the broker acknowledged no offset for partition ${partition} of ${topic}`,
        }),
      );
    }
    const index = seen.get(partition) ?? 0n;
    seen.set(partition, index + 1n);
    positions.push({ partition, offset: (base + index).toString() });
  }
  return Effect.succeed(positions);
};

export const makeKafkaPublish =
  (
    { requestTimeout }: KafkaSettings,
    { call }: KafkaCalls,
    producer: LazyClient<Producer>,
    topics: KafkaTopics,
  ) =>
  (
    topic: string,
    messages: ReadonlyArray<OutgoingMessage>,
  ): Effect.Effect<ReadonlyArray<LogPosition>, EventLogError> =>
    Effect.gen(function* () {
      if (messages.length === 0) return [];
      const count = yield* topics.partitionCount(topic);
      // Partitions are chosen here (the same hash as kafkajs' default) so the offsets map back to messages.
      const assigned = messages.map((message) => partitionForKey(message.key, count));
      yield* producer.ensure;
      const metadata = yield* call("publish", () =>
        producer.client.send({
          topic,
          acks: -1,
          timeout: requestTimeout,
          messages: messages.map((message, i) => ({
            key: message.key,
            value: message.value,
            partition: assigned[i]!,
            ...(message.headers === undefined ? {} : { headers: { ...message.headers } }),
          })),
        }),
      ).pipe(
        // The topic may have been deleted or recreated: read its partition count again next time.
        Effect.tapError(() => Effect.sync(() => topics.forgetPartitionCount(topic))),
      );
      return yield* positionsOf(topic, assigned, metadata);
    });

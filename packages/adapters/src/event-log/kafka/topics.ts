import { Duration, Effect, Schedule } from "effect";
import type { Admin } from "kafkajs";
import { EventLogError, type LogPosition } from "../EventLog.ts";
import type { KafkaCalls, LazyClient } from "./calls.ts";
import type { KafkaSettings } from "./settings.ts";

/** What the layer asks the admin client: topics, their partitions and offsets, and whether the broker answers. */
export interface KafkaTopics {
  readonly ensureTopic: (topic: string, partitions: number) => Effect.Effect<void, EventLogError>;
  /** The topic's partition count, cached after the first metadata request. */
  readonly partitionCount: (topic: string) => Effect.Effect<number, EventLogError>;
  /** Drops the cached count: the topic may have been deleted or recreated. */
  readonly forgetPartitionCount: (topic: string) => void;
  readonly endOffsets: (topic: string) => Effect.Effect<ReadonlyArray<LogPosition>, EventLogError>;
  readonly committedOffsets: (
    groupId: string,
    topic: string,
  ) => Effect.Effect<ReadonlyArray<LogPosition>, EventLogError>;
  readonly ping: Effect.Effect<void, EventLogError>;
}

type PartitionMetadata = { readonly leader: number };

const byPartition = (a: LogPosition, b: LogPosition) => a.partition - b.partition;

export const makeKafkaTopics = (
  settings: KafkaSettings,
  calls: KafkaCalls,
  admin: LazyClient<Admin>,
): KafkaTopics => {
  const { operationTimeout, requestTimeout } = settings;
  const partitionCounts = new Map<string, number>();

  const withAdmin = <A>(operation: string, f: (client: Admin) => Promise<A>) =>
    admin.ensure.pipe(Effect.zipRight(calls.callRetrying(operation, () => f(admin.client))));

  const topicPartitions = (operation: string, topic: string) =>
    withAdmin(operation, (client) => client.fetchTopicMetadata({ topics: [topic] })).pipe(
      Effect.map((metadata) => metadata.topics.find((t) => t.name === topic)?.partitions ?? []),
    );

  const partitionCount = (topic: string) =>
    Effect.suspend(() => {
      const known = partitionCounts.get(topic);
      if (known !== undefined) return Effect.succeed(known);
      return topicPartitions("publish.metadata", topic).pipe(
        Effect.flatMap((partitions) =>
          partitions.length === 0
            ? Effect.fail(new EventLogError({ operation: "publish", message: `unknown topic ${topic}` }))
            : Effect.sync(() => {
                partitionCounts.set(topic, partitions.length);
                return partitions.length;
              }),
        ),
      );
    });

  /** Whether the creating call made the topic (false when another process got there first). */
  const createTopic = (topic: string, partitions: number) =>
    withAdmin("ensureTopic.create", (client) =>
      client.createTopics({
        // Record timestamps are the broker's append time, as the port promises (not producers' clocks).
        topics: [
          {
            topic,
            numPartitions: partitions,
            configEntries: [{ name: "message.timestamp.type", value: "LogAppendTime" }],
          },
        ],
        waitForLeaders: true,
        timeout: requestTimeout,
      }),
    ).pipe(
      // Another process may have created it between our check and our request.
      Effect.catchIf(
        (error) => (error.cause as { type?: unknown } | undefined)?.type === "TOPIC_ALREADY_EXISTS",
        () => Effect.succeed(false),
      ),
    );

  const checkReady = (
    topic: string,
    partitions: number,
    created: boolean,
    found: ReadonlyArray<PartitionMetadata>,
  ) => {
    if (!created && found.length > 0 && found.length !== partitions) {
      return Effect.fail(
        new EventLogError({
          operation: "ensureTopic",
          message: `topic ${topic} exists with ${found.length} partitions, not ${partitions}`,
        }),
      );
    }
    const ready = found.length === partitions && found.every((p) => p.leader >= 0);
    return ready
      ? Effect.void
      : Effect.fail(
          new EventLogError({
            operation: "ensureTopic",
            message: `topic ${topic} not ready yet (${found.length}/${partitions} partitions with a leader)`,
            cause: "not-ready",
          }),
        );
  };

  /** Waits until the metadata shows every partition with a leader (bounded by the operation timeout). */
  const awaitLeaders = (topic: string, partitions: number, created: boolean) =>
    topicPartitions("ensureTopic.metadata", topic).pipe(
      Effect.flatMap((found) => checkReady(topic, partitions, created, found)),
      Effect.retry({
        schedule: Schedule.spaced(Duration.millis(50)),
        while: (error) => error.cause === "not-ready",
      }),
      Effect.timeoutFail({
        duration: operationTimeout,
        onTimeout: () =>
          new EventLogError({
            operation: "ensureTopic",
            message: `topic ${topic} did not become ready in time`,
          }),
      }),
    );

  const ensureTopic = (topic: string, partitions: number) =>
    Effect.gen(function* () {
      if (!Number.isInteger(partitions) || partitions < 1) {
        return yield* new EventLogError({
          operation: "ensureTopic",
          message: `partition count must be a positive integer, got ${partitions}`,
        });
      }
      const created = yield* createTopic(topic, partitions);
      yield* awaitLeaders(topic, partitions, created);
      partitionCounts.set(topic, partitions);
    });

  const endOffsets = (topic: string) =>
    withAdmin("endOffsets", (client) => client.fetchTopicOffsets(topic)).pipe(
      Effect.map((offsets) =>
        offsets.map(({ partition, high }) => ({ partition, offset: high })).sort(byPartition),
      ),
    );

  const committedOffsets = (groupId: string, topic: string) =>
    withAdmin("committedOffsets", (client) => client.fetchOffsets({ groupId, topics: [topic] })).pipe(
      Effect.map((topics) =>
        (topics.find((t) => t.topic === topic)?.partitions ?? [])
          .filter(({ offset }) => BigInt(offset) >= 0n)
          .map(({ partition, offset }) => ({ partition, offset }))
          .sort(byPartition),
      ),
    );

  const ping = withAdmin("ping", (client) => client.describeCluster()).pipe(Effect.asVoid);

  return {
    ensureTopic,
    partitionCount,
    forgetPartitionCount: (topic) => {
      partitionCounts.delete(topic);
    },
    endOffsets,
    committedOffsets,
    ping,
  };
};

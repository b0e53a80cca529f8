import {
  Cause,
  type ConfigError,
  Deferred,
  Duration,
  Effect,
  Exit,
  type Fiber,
  FiberSet,
  Layer,
  Runtime,
  Schedule,
  type Scope,
} from "effect";
import type { Admin, Consumer, EachBatchPayload, Producer } from "kafkajs";
import kafkajs from "kafkajs";
import { type KafkaConnection, kafkaConnectionConfig } from "../config/env.ts";
import {
  type ConsumeOptions,
  EventLog,
  EventLogError,
  type EventLogService,
  type LogPosition,
  type OutgoingMessage,
  type PartitionBatch,
} from "./EventLog.ts";
import { patchKafkajsRequestQueue } from "./kafkajs-patch.ts";
import { makeLogCreator } from "./kafka-logging.ts";
import { describeCause, isRetriable, toLogRecord } from "./kafka-records.ts";
import { partitionForKey } from "./partitioner.ts";

const { Kafka, Partitioners, logLevel: KafkaLogLevel } = kafkajs;
patchKafkajsRequestQueue();

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

export const makeEventLogKafka = (config: KafkaEventLogConfig) =>
  Effect.gen(function* () {
    const connectionTimeout = config.connectionTimeoutMs ?? 3_000;
    const requestTimeout = config.requestTimeoutMs ?? 10_000;
    const operationTimeout = Duration.millis(config.operationTimeoutMs ?? 30_000);
    const retry = {
      retries: config.retries ?? 3,
      initialRetryTime: config.initialRetryTimeMs ?? 100,
      maxRetryTime: config.maxRetryTimeMs ?? 1_000,
    };
    const idempotent = config.idempotent ?? true;
    const heartbeatInterval = config.heartbeatIntervalMs ?? 3_000;
    const baseBackoff = config.retryBackoffMs ?? 200;
    const maxBackoff = config.maxRetryBackoffMs ?? 5_000;
    const runtime = yield* Effect.runtime<never>();

    const kafka = new Kafka({
      brokers: [...config.brokers],
      clientId: config.clientId,
      connectionTimeout,
      requestTimeout,
      enforceRequestTimeout: true,
      retry,
      logLevel: KafkaLogLevel.DEBUG,
      logCreator: makeLogCreator(runtime, config.logLevel ?? "warn"),
    });

    /** One kafkajs call as an Effect: errors and timeouts become EventLogError. */
    const call = <A>(operation: string, f: () => Promise<A>): Effect.Effect<A, EventLogError> =>
      Effect.tryPromise({
        try: f,
        catch: (cause) => new EventLogError({ operation, message: describeCause(cause), cause }),
      }).pipe(
        Effect.timeoutFail({
          duration: operationTimeout,
          onTimeout: () =>
            new EventLogError({
              operation,
              message: `no answer within ${Duration.format(operationTimeout)}`,
            }),
        }),
      );

    /** Like `call`, retrying errors kafkajs marks retriable (e.g. the group coordinator still loading). */
    const callRetrying = <A>(operation: string, f: () => Promise<A>) =>
      call(operation, f).pipe(
        Effect.retry({
          schedule: Schedule.exponential(Duration.millis(retry.initialRetryTime)).pipe(
            Schedule.either(Schedule.spaced(Duration.millis(retry.maxRetryTime))),
          ),
          times: retry.retries,
          while: (error) => isRetriable(error.cause),
        }),
      );

    /** Connects a client on first use (and again after a failed connect); concurrent callers share one attempt. */
    const lazilyConnected = <C extends Admin | Producer>(name: string, client: C) => {
      let connected = false;
      const lock = Effect.unsafeMakeSemaphore(1);
      const ensure = lock.withPermits(1)(
        Effect.suspend(() =>
          connected
            ? Effect.void
            : call(`${name}.connect`, () => client.connect()).pipe(
                Effect.tap(() =>
                  Effect.sync(() => {
                    connected = true;
                  }),
                ),
              ),
        ),
      );
      const close = Effect.suspend(() =>
        connected ? call(`${name}.disconnect`, () => client.disconnect()).pipe(Effect.ignore) : Effect.void,
      );
      return { client, ensure, close };
    };

    const admin = lazilyConnected("admin", kafka.admin({ retry }));
    const producer = lazilyConnected(
      "producer",
      kafka.producer({
        idempotent,
        ...(idempotent ? { maxInFlightRequests: 1 } : {}),
        allowAutoTopicCreation: false,
        // Partitions are chosen by us (same hash as this default) so publish can map offsets back.
        createPartitioner: Partitioners.DefaultPartitioner,
        retry,
      }),
    );
    yield* Effect.addFinalizer(() => Effect.zip(producer.close, admin.close, { concurrent: true }));

    const withAdmin = <A>(operation: string, f: (client: Admin) => Promise<A>) =>
      admin.ensure.pipe(Effect.zipRight(callRetrying(operation, () => f(admin.client))));

    const partitionCounts = new Map<string, number>();

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

    const ensureTopic = (topic: string, partitions: number) =>
      Effect.gen(function* () {
        if (!Number.isInteger(partitions) || partitions < 1) {
          return yield* new EventLogError({
            operation: "ensureTopic",
            message: `partition count must be a positive integer, got ${partitions}`,
          });
        }
        const created = yield* withAdmin("ensureTopic.create", (client) =>
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
        // Wait until the metadata shows every partition with a leader (bounded by the timeout).
        yield* topicPartitions("ensureTopic.metadata", topic).pipe(
          Effect.flatMap((found) => {
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
          }),
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
        partitionCounts.set(topic, partitions);
      });

    const publish = (topic: string, messages: ReadonlyArray<OutgoingMessage>) =>
      Effect.gen(function* () {
        if (messages.length === 0) return [];
        const count = yield* partitionCount(topic);
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
          Effect.tapError(() => Effect.sync(() => partitionCounts.delete(topic))),
        );
        // kafkajs appends each partition's messages as one batch in input order and reports the
        // batch's base offset: message n of partition p lands at base(p) + n.
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
            return yield* new EventLogError({
              operation: "publish",
              message: `the broker acknowledged no offset for partition ${partition} of ${topic}`,
            });
          }
          const index = seen.get(partition) ?? 0n;
          seen.set(partition, index + 1n);
          positions.push({ partition, offset: (base + index).toString() });
        }
        return positions;
      });

    const endOffsets = (topic: string) =>
      withAdmin("endOffsets", (client) => client.fetchTopicOffsets(topic)).pipe(
        Effect.map((offsets) =>
          offsets
            .map(({ partition, high }) => ({ partition, offset: high }))
            .sort((a, b) => a.partition - b.partition),
        ),
      );

    const committedOffsets = (groupId: string, topic: string) =>
      withAdmin("committedOffsets", (client) => client.fetchOffsets({ groupId, topics: [topic] })).pipe(
        Effect.map((topics) =>
          (topics.find((t) => t.topic === topic)?.partitions ?? [])
            .filter(({ offset }) => BigInt(offset) >= 0n)
            .map(({ partition, offset }) => ({ partition, offset }))
            .sort((a, b) => a.partition - b.partition),
        ),
      );

    const ping = withAdmin("ping", (client) => client.describeCluster()).pipe(Effect.asVoid);

    const consume = <E, R>(
      options: ConsumeOptions<E, R>,
    ): Effect.Effect<void, EventLogError, R | Scope.Scope> =>
      Effect.gen(function* () {
        const { groupId, topic, handleBatch } = options;
        const consumer: Consumer = kafka.consumer({
          groupId,
          sessionTimeout: config.sessionTimeoutMs ?? 30_000,
          rebalanceTimeout: config.rebalanceTimeoutMs ?? 60_000,
          heartbeatInterval,
          maxWaitTimeInMs: config.maxWaitTimeMs ?? 1_000,
          ...(config.maxBytesPerPartition === undefined
            ? {}
            : { maxBytesPerPartition: config.maxBytesPerPartition }),
          allowAutoTopicCreation: false,
          // Retriable crashes restart inside kafkajs; others are restarted by us below.
          retry: { ...retry, restartOnFailure: async () => true },
        });
        const annotate = Effect.annotateLogs({ topic, groupId });
        let closing = false;

        // Scope finalizers run in reverse: first mark closing, then interrupt the handlers in flight
        // (their batches stay uncommitted), then disconnect (kafkajs waits for the in-flight eachBatch
        // to return, stops fetching and leaves the group).
        yield* Effect.addFinalizer(() =>
          call("consume.disconnect", () => consumer.disconnect()).pipe(
            Effect.catchAll((error) => Effect.logWarning("consumer did not disconnect cleanly", error)),
            annotate,
          ),
        );
        const runFork = yield* FiberSet.makeRuntime<R, unknown, unknown>();
        yield* Effect.addFinalizer(() =>
          Effect.sync(() => {
            closing = true;
          }),
        );

        /** Runs an effect in the consumer's fiber set and waits for its exit (interrupted once the scope closes). */
        const runToExit = <A, X>(effect: Effect.Effect<A, X, R>): Promise<Exit.Exit<A, X>> =>
          new Promise((resolve) => {
            const fiber: Fiber.RuntimeFiber<A, X> = runFork(effect);
            fiber.addObserver(resolve);
          });

        const failures = new Map<number, number>();

        const eachBatch = async (payload: EachBatchPayload): Promise<void> => {
          const { batch } = payload;
          if (closing || batch.isEmpty()) return;
          const records = batch.messages.map((message) => toLogRecord(batch.topic, batch.partition, message));
          const partitionBatch: PartitionBatch = { topic: batch.topic, partition: batch.partition, records };
          const last = records[records.length - 1]!;
          try {
            const heartbeats = Effect.sleep(Duration.millis(heartbeatInterval)).pipe(
              Effect.zipRight(Effect.tryPromise(() => payload.heartbeat())),
              Effect.ignore,
              Effect.forever,
            );
            // Heartbeats keep the membership alive while a long batch runs; they stop with the handler.
            const exit = await runToExit(Effect.raceFirst(handleBatch(partitionBatch), heartbeats));
            if (Exit.isSuccess(exit)) {
              const next = (BigInt(last.offset) + 1n).toString();
              await payload.commitOffsetsIfNecessary({
                topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }],
              });
              // Only now move the fetch position on; before, a failure refetches the same batch.
              payload.resolveOffset(last.offset);
              failures.delete(batch.partition);
              return;
            }
            if (closing || Cause.isInterruptedOnly(exit.cause)) return;
            const attempt = (failures.get(batch.partition) ?? 0) + 1;
            failures.set(batch.partition, attempt);
            const backoff = Math.min(maxBackoff, baseBackoff * 2 ** (attempt - 1));
            Runtime.runSync(runtime)(
              Effect.logWarning(
                "event-log handler failed; the batch stays uncommitted and is delivered again",
                exit.cause,
              ).pipe(
                Effect.annotateLogs({
                  partition: batch.partition,
                  firstOffset: records[0]!.offset,
                  attempt,
                  backoffMs: backoff,
                }),
                annotate,
              ),
            );
            // Not resolving the offset makes kafkajs fetch this batch again after we return.
            await runToExit(Effect.sleep(Duration.millis(backoff)));
          } catch (cause) {
            // A failed commit (a rebalance, the broker away): nothing resolved, so the batch comes
            // again (here or at the partition's next owner); the handler is idempotent by contract.
            Runtime.runSync(runtime)(
              Effect.logWarning("committing a handled batch failed; it will be delivered again").pipe(
                Effect.annotateLogs({ partition: batch.partition, error: describeCause(cause) }),
                annotate,
              ),
            );
          }
        };

        const joined = yield* Deferred.make<void>();
        consumer.on(consumer.events.GROUP_JOIN, () => {
          Deferred.unsafeDone(joined, Exit.void);
        });

        const start = Effect.gen(function* () {
          yield* call("consume.connect", () => consumer.connect());
          yield* callRetrying("consume.subscribe", () =>
            consumer.subscribe({ topic, fromBeginning: options.fromBeginning ?? true }),
          );
          yield* call("consume.run", () =>
            consumer.run({
              autoCommit: false,
              eachBatchAutoResolve: false,
              partitionsConsumedConcurrently: config.partitionsConsumedConcurrently ?? 1,
              eachBatch,
            }),
          );
        });

        // kafkajs restarts after retriable crashes by itself; after any other crash it stays stopped,
        // so we start it again (with a backoff) until the scope closes.
        consumer.on(consumer.events.CRASH, (event) => {
          const { error, restart } = event.payload;
          if (closing || restart) return;
          runFork(
            Effect.logError("consumer crashed; starting it again", Cause.fail(describeCause(error))).pipe(
              Effect.zipRight(Effect.sleep(Duration.millis(maxBackoff))),
              Effect.zipRight(start),
              Effect.retry(Schedule.spaced(Duration.millis(maxBackoff))),
              Effect.ignore,
              annotate,
            ),
          );
        });

        yield* start;
        yield* Deferred.await(joined).pipe(
          Effect.timeoutFail({
            duration: Duration.millis(config.joinTimeoutMs ?? 60_000),
            onTimeout: () =>
              new EventLogError({ operation: "consume", message: `did not join group ${groupId} in time` }),
          }),
        );
      });

    const service: EventLogService = { ensureTopic, publish, endOffsets, committedOffsets, consume, ping };
    return service;
  });

/** The event log on Kafka (kafkajs). Clients connect on first use and disconnect when the layer's scope closes. */
export const EventLogKafka = (config: KafkaEventLogConfig): Layer.Layer<EventLog> =>
  Layer.scoped(EventLog, makeEventLogKafka(config));

/** The Kafka layer with brokers and client id from `KAFKA_BOOTSTRAP_SERVERS` / `KAFKA_CLIENT_ID`. */
export const EventLogKafkaFromEnv = (
  tuning: Omit<KafkaEventLogConfig, keyof KafkaConnection> = {},
): Layer.Layer<EventLog, ConfigError.ConfigError> =>
  Layer.unwrapEffect(
    Effect.map(kafkaConnectionConfig, (connection) => EventLogKafka({ ...tuning, ...connection })),
  );

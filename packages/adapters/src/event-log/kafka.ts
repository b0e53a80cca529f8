import { type ConfigError, Effect, Layer } from "effect";
import kafkajs from "kafkajs";
import { type KafkaConnection, kafkaConnectionConfig } from "../config/env.ts";
import { EventLog, type EventLogService } from "./EventLog.ts";
import { lazilyConnected, makeKafkaCalls } from "./kafka/calls.ts";
import { consumerSession } from "./kafka/consumer-session.ts";
import { patchKafkajsRequestQueue } from "./kafka/kafkajs-patch.ts";
import { makeLogCreator } from "./kafka/logging.ts";
import { makeKafkaPublish } from "./kafka/publish.ts";
import { type KafkaEventLogConfig, resolveKafkaSettings } from "./kafka/settings.ts";
import { makeKafkaTopics } from "./kafka/topics.ts";

export type { KafkaEventLogConfig } from "./kafka/settings.ts";

const { Kafka, Partitioners, logLevel: KafkaLogLevel } = kafkajs;
patchKafkajsRequestQueue();

// The parts live in ./kafka/: settings (defaults), calls (bounded kafkajs calls, lazy clients),
// topics (admin), publish (producer), consumer-session and batch-delivery (consume).
export const makeEventLogKafka = (config: KafkaEventLogConfig) =>
  Effect.gen(function* () {
    const settings = resolveKafkaSettings(config);
    const { retry, idempotent } = settings;
    const runtime = yield* Effect.runtime<never>();

    const kafka = new Kafka({
      brokers: [...config.brokers],
      clientId: config.clientId,
      connectionTimeout: settings.connectionTimeout,
      requestTimeout: settings.requestTimeout,
      enforceRequestTimeout: true,
      retry,
      logLevel: KafkaLogLevel.DEBUG,
      logCreator: makeLogCreator(runtime, settings.logLevel),
    });
    const calls = makeKafkaCalls(settings);

    const admin = lazilyConnected(calls, "admin", kafka.admin({ retry }));
    const producer = lazilyConnected(
      calls,
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

    const topics = makeKafkaTopics(settings, calls, admin);
    const service: EventLogService = {
      ensureTopic: topics.ensureTopic,
      publish: makeKafkaPublish(settings, calls, producer, topics),
      endOffsets: topics.endOffsets,
      committedOffsets: topics.committedOffsets,
      consume: consumerSession(kafka, settings, calls, runtime),
      ping: topics.ping,
    };
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

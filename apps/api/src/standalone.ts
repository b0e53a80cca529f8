import {
  AccountsStoreMemory,
  ImportJobsStoreMemory,
  CatalogStoreMemory,
  EventLog,
  IdGeneratorRandom,
  EventLogMemory,
  PosterEnrichmentLive,
  posterSettingsFromEnv,
  ReadModelsMemory,
  WatchlistStoreMemory,
} from "@cinematch/adapters";
import { EventLogKafkaFromEnv } from "@cinematch/adapters/kafka";
import {
  AccountsStoreMongo,
  ImportJobsStoreMongo,
  CatalogStoreMongo,
  MongoDatabaseLiveFromEnv,
  MongoDatabase,
  ReadModelsMongo,
  tryMongo,
  WatchlistStoreMongo,
} from "@cinematch/adapters/mongo";
import { Effect, Layer, Option } from "effect";
import { type ApiDependencies, ApiLive, type ApiServer } from "./app.ts";
import type { ApiConfig } from "./config.ts";
import type { ReadinessCheck } from "./routes/routes.ts";

export interface StandaloneChoice {
  /** `KAFKA_BOOTSTRAP_SERVERS` is set: the event log is Kafka; else in memory. */
  readonly kafka: boolean;
  /** `MONGODB_URL` is set: the stores are MongoDB; else in memory. */
  readonly mongo: boolean;
}

export const standaloneChoiceFromEnv = (env: NodeJS.ProcessEnv = process.env): StandaloneChoice => ({
  kafka: (env.KAFKA_BOOTSTRAP_SERVERS ?? "") !== "",
  mongo: (env.MONGODB_URL ?? "") !== "",
});

/**
 * The API as its own process: Kafka and MongoDB layers when their variables are set, in-memory
 * layers otherwise; `/ready` pings whichever real servers are in use.
 */
export const ApiStandaloneLive = (
  config: ApiConfig,
  choice: StandaloneChoice,
): Layer.Layer<ApiServer, unknown> => {
  const eventLog: Layer.Layer<EventLog, unknown> = choice.kafka ? EventLogKafkaFromEnv() : EventLogMemory();
  const api = <R>(
    stores: Layer.Layer<Exclude<ApiDependencies, EventLog>, unknown, R>,
    readiness: ReadonlyArray<ReadinessCheck>,
  ) =>
    Layer.unwrapEffect(
      Effect.map(EventLog, (log) =>
        ApiLive({
          config,
          readiness: [
            { name: choice.kafka ? "kafka" : "event_log_in_memory", check: log.ping },
            ...readiness,
          ],
        }),
      ),
    ).pipe(Layer.provide(Layer.mergeAll(stores, eventLog)));

  if (!choice.mongo) {
    return api(
      Layer.mergeAll(
        WatchlistStoreMemory,
        AccountsStoreMemory,
        CatalogStoreMemory,
        ReadModelsMemory,
        ImportJobsStoreMemory,
        IdGeneratorRandom,
      ),
      [],
    );
  }
  const stores = Layer.mergeAll(
    WatchlistStoreMongo,
    AccountsStoreMongo,
    CatalogStoreMongo,
    ReadModelsMongo,
    ImportJobsStoreMongo,
    IdGeneratorRandom,
  );
  // With TMDB_API_KEY, posters for the catalog's films in a background fiber of this process.
  const posters = Layer.unwrapEffect(
    Effect.map(posterSettingsFromEnv, (settings) =>
      Option.match(settings, { onNone: () => Layer.empty, onSome: PosterEnrichmentLive }),
    ),
  ).pipe(Layer.provide(CatalogStoreMongo));
  return Layer.unwrapEffect(
    Effect.map(MongoDatabase, ({ db }) =>
      Layer.merge(
        api(stores, [{ name: "mongodb", check: tryMongo("ping", () => db.command({ ping: 1 })) }]),
        posters,
      ),
    ),
  ).pipe(
    Layer.provide(
      MongoDatabaseLiveFromEnv({
        // Fail fast while the server is away (the request answers 503 and the client retries)
        // and notice its return within a second, without a restart.
        serverSelectionTimeoutMs: config.storeSelectionTimeoutMs,
        // A saturated pool fails an operation (503) instead of queueing it without bound: handlers
        // cut off by their deadline hold their admission slots until their store calls end, and
        // in the soak's overload they waited minutes for a connection, so that no slot came free.
        ...(config.storeCheckoutTimeoutMs > 0 ? { waitQueueTimeoutMs: config.storeCheckoutTimeoutMs } : {}),
        heartbeatFrequencyMs: 1_000,
        appName: "cinematch-api",
      }),
    ),
  );
};

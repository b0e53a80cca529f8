import { type ConfigError, Duration, Effect, Layer } from "effect";
import { MongoClient } from "mongodb";
import { mongoUrlConfig } from "../config/env.ts";
import { MongoDatabase, type MongoDatabaseService } from "./MongoDatabase.ts";
import { StoreUnavailable } from "../store-errors.ts";
import { tryMongo } from "./errors.ts";

export interface MongoDatabaseOptions {
  /** Overrides the database named in the URL's path (tests use a unique one per file). */
  readonly databaseName?: string;
  /** How long to look for a usable server before an operation fails. Default 5000 ms. */
  readonly serverSelectionTimeoutMs?: number;
  /** TCP connect timeout. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** Longest wait on a socket for a reply before the operation fails. Default 30 000 ms. */
  readonly socketTimeoutMs?: number;
  /** How often the driver checks a server it knows (and so how soon it sees it back). Default 10 000 ms. */
  readonly heartbeatFrequencyMs?: number;
  /** Connection pool size. Default 20. */
  readonly maxPoolSize?: number;
  /** Longest an operation waits for one of the pool's connections before it fails. Default: no bound. */
  readonly waitQueueTimeoutMs?: number;
  readonly appName?: string;
}

/** The URL's path as the database name (`mongodb://host/cinematch?x=y` → `cinematch`); `cinematch` when it has none. */
export const databaseNameFromUrl = (url: string): string => {
  const match = /^mongodb(?:\+srv)?:\/\/[^/?#]*\/([^?#]*)/.exec(url);
  const name = match?.[1] === undefined ? "" : decodeURIComponent(match[1]);
  return name === "" ? "cinematch" : name;
};

/**
 * Connects one client with bounded timeouts, checks the server answers (`ping`), and closes the
 * client when the scope ends. A server that is down fails the acquisition with `StoreUnavailable` after
 * about `serverSelectionTimeoutMs`.
 */
export const makeMongoDatabase = (url: string, options: MongoDatabaseOptions = {}) =>
  Effect.acquireRelease(
    Effect.gen(function* () {
      const serverSelectionTimeoutMS = options.serverSelectionTimeoutMs ?? 5_000;
      const client = yield* Effect.try({
        try: () =>
          new MongoClient(url, {
            serverSelectionTimeoutMS,
            connectTimeoutMS: options.connectTimeoutMs ?? 5_000,
            socketTimeoutMS: options.socketTimeoutMs ?? 30_000,
            maxPoolSize: options.maxPoolSize ?? 20,
            ...(options.waitQueueTimeoutMs === undefined
              ? {}
              : { waitQueueTimeoutMS: options.waitQueueTimeoutMs }),
            heartbeatFrequencyMS: options.heartbeatFrequencyMs ?? 10_000,
            appName: options.appName ?? "cinematch",
          }),
        catch: (cause) =>
          new StoreUnavailable({
            operation: "connect",
            message: `invalid MongoDB URL: ${String(cause)}`,
            cause,
          }),
      });
      const db = client.db(options.databaseName ?? databaseNameFromUrl(url));
      const bound = Duration.millis(serverSelectionTimeoutMS + 5_000);
      yield* tryMongo("connect", () => client.connect()).pipe(
        Effect.zipRight(tryMongo("ping", () => db.command({ ping: 1 }))),
        // The driver's own timeouts should fire first; this is the backstop against a hang.
        Effect.timeoutFail({
          duration: bound,
          onTimeout: () =>
            new StoreUnavailable({
              operation: "connect",
              message: `no answer within ${Duration.format(bound)}`,
            }),
        }),
        Effect.tapError(() => Effect.promise(() => client.close(true).catch(() => undefined))),
      );
      const service: MongoDatabaseService = { client, db };
      return service;
    }),
    ({ client }) => Effect.promise(() => client.close().catch(() => undefined)),
  );

/** The shared `MongoDatabase`, connected to `url`. */
export const MongoDatabaseLive = (
  url: string,
  options: MongoDatabaseOptions = {},
): Layer.Layer<MongoDatabase, StoreUnavailable> =>
  Layer.scoped(MongoDatabase, makeMongoDatabase(url, options));

/** The shared `MongoDatabase` from `MONGODB_URL` (default `mongodb://127.0.0.1:27017/cinematch`). */
export const MongoDatabaseLiveFromEnv = (
  options: MongoDatabaseOptions = {},
): Layer.Layer<MongoDatabase, StoreUnavailable | ConfigError.ConfigError> =>
  Layer.unwrapEffect(Effect.map(mongoUrlConfig, (url) => MongoDatabaseLive(url, options)));

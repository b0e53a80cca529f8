import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type AccountsStore,
  type CatalogStore,
  EventLog,
  type GlobalStatsStore,
  type IdGenerator,
  type ImportJobsStore,
  OutboxPublisher,
  OutboxPublisherLive,
  OutboxRelayLive,
  type UserStatsStore,
  type WatchlistCommands,
  WatchlistCommandsLive,
  type WatchlistStore,
} from "@cinematch/adapters";
import { Context, Data, Effect, Layer, type Scope } from "effect";
import { makeAuth } from "./auth/service.ts";
import type { ApiConfig } from "./config.ts";
import { docsPage } from "./http/docs-page.ts";
import { answerUnparsableRequests } from "./http/hardening.ts";
import { makeHttpMetrics } from "./http/metrics.ts";
import { makeOpenApiDocument } from "./http/openapi.ts";
import type { Route } from "./http/route.ts";
import { makeRequestListener } from "./http/server.ts";
import { makeAdmission } from "./http/admission.ts";
import { makeStaticFiles } from "./http/static.ts";
import { makeRoutes, type ReadinessCheck } from "./routes/routes.ts";
import { makeBacklogGauge } from "./services/backlog-gauge.ts";
import { makeCatalogCache } from "./services/catalog-cache.ts";
import { makeHistoryImports } from "./services/history-import.ts";
import { makeLiveHub } from "./services/live-hub.ts";
import { makeTrendsCache } from "./services/trends-cache.ts";

/** The ports the API needs; a composition root provides them (in memory, or Kafka + MongoDB). */
export type ApiDependencies =
  | WatchlistStore
  | EventLog
  | IdGenerator
  | AccountsStore
  | CatalogStore
  | UserStatsStore
  | GlobalStatsStore
  | ImportJobsStore;

export interface ApiServerService {
  /** Where it listens, e.g. `http://127.0.0.1:8000` (port 0 in the config picks a free one). */
  readonly url: string;
  readonly port: number;
}

export class ApiServer extends Context.Tag("@cinematch/api/ApiServer")<ApiServer, ApiServerService>() {}

export class ApiStartError extends Data.TaggedError("ApiStartError")<{
  readonly message: string;
  readonly cause?: unknown;
}> {}

export interface ApiOptions {
  readonly config: ApiConfig;
  /** Checks behind `GET /ready`; default: the event log's ping. Add the MongoDB ping when on MongoDB. */
  readonly readiness?: ReadonlyArray<ReadinessCheck>;
}

/**
 * The write side shared by the API and any tool in the same process: the outbox publisher, its relay
 * (a scoped background fiber) and `WatchlistCommands`.
 */
export const WatchlistCommandsAndOutboxLive = (
  config: ApiConfig,
): Layer.Layer<WatchlistCommands | OutboxPublisher, never, WatchlistStore | EventLog | IdGenerator> =>
  Layer.mergeAll(
    WatchlistCommandsLive({ publish: config.publishMode }),
    OutboxRelayLive({
      intervalMs: config.relayIntervalMs,
      idleIntervalMs: config.relayIdleIntervalMs,
      batchSize: config.relayBatchSize,
    }),
  ).pipe(
    Layer.provideMerge(
      OutboxPublisherLive({
        topic: config.eventsTopic,
        partitions: config.eventsPartitions,
        // Below the request deadline: a write waits this long at most for Kafka, then answers
        // (the relay publishes it later).
        publishTimeoutMs: config.publishTimeoutMs,
        // In `relay` mode nobody else publishes, so nothing is too young for the relay.
        relayMinAgeMs: config.publishMode === "relay" ? 0 : Math.max(1000, config.relayIntervalMs * 4),
      }),
    ),
  );

/**
 * The request listener with everything behind it (caches, live hub, auth), without a socket:
 * `ApiHttpLive` listens with it; a composition root may mount it in its own server.
 */
export const makeApiListener = (
  options: ApiOptions,
): Effect.Effect<
  (req: IncomingMessage, res: ServerResponse) => void,
  never,
  ApiDependencies | WatchlistCommands | OutboxPublisher | Scope.Scope
> =>
  Effect.gen(function* () {
    const { config } = options;
    const auth = yield* makeAuth(config);
    const trends = yield* makeTrendsCache(config.trendsRefreshMs);
    const catalog = yield* makeCatalogCache(config.catalogRefreshMs);
    const live = yield* makeLiveHub({
      trends,
      pollMs: config.livePollMs,
      keepAliveMs: config.liveKeepAliveMs,
    });
    const metrics = makeHttpMetrics();
    const backlog = yield* makeBacklogGauge({
      maxAgeMs: config.metricsBacklogMaxAgeMs,
      waitMs: config.metricsScrapeWaitMs,
    });
    const eventLog = yield* EventLog;
    // The topic exists before /ready says so (the runners subscribe to it); if the broker is away,
    // the API starts anyway and the publisher creates the topic before its first publication.
    yield* (yield* OutboxPublisher).ensureTopic.pipe(
      Effect.timeout("10 seconds"),
      Effect.catchAll((error) =>
        Effect.logWarning(
          "could not create the events topic yet; will retry before publishing",
          String(error),
        ),
      ),
    );
    const readiness = options.readiness ?? [{ name: "event_log", check: eventLog.ping }];
    const imports = yield* makeHistoryImports(catalog, {
      writers: config.importWriters,
      maxUnpackedBytes: config.importMaxUnpackedBytes,
      progressEveryMs: config.importProgressMs,
    });

    const admission =
      config.maxConcurrentRequests > 0
        ? makeAdmission({
            slots: config.maxConcurrentRequests,
            // Past the driver's own socket timeout (30 s) a handler is on a hung connection. A
            // shorter cap (5 s, first tried) let cut-off handlers outnumber the slots whenever the
            // database queue grew past it, which fed the queue: successes fell from 4,090 to 663
            // per minute over the soak's 10 minutes.
            holdAtMostMs: Math.max(35_000, 4 * config.requestDeadlineMs),
            maxWaiting: config.maxWaitingRequests,
          })
        : undefined;
    let openapiText: string | undefined;
    let routes: ReadonlyArray<Route<unknown>> = [];
    const info = {
      title: "CineMatch API",
      version: "1.0.0",
      description:
        "Your watched films, their statistics and the community's trends. Sign up or log in for a bearer token; every change is published as an event and the statistics follow within seconds.",
    };
    const page = docsPage(info.title);
    const typedRoutes = makeRoutes({
      auth,
      trends,
      catalog,
      live,
      metrics,
      metricsToken: config.metricsToken,
      backlog,
      ...(admission === undefined ? {} : { admissionLoad: admission.load }),
      readiness,
      openapi: () => {
        openapiText ??= JSON.stringify(makeOpenApiDocument(routes, info));
        return openapiText;
      },
      docsPage: () => page,
      imports,
      importMaxBytes: config.importMaxBytes,
      importStallMs: config.importStallMs,
    });
    routes = typedRoutes as ReadonlyArray<Route<unknown>>;

    const runtime = yield* Effect.runtime<ApiDependencies | WatchlistCommands | OutboxPublisher>();
    return makeRequestListener<ApiDependencies | WatchlistCommands | OutboxPublisher>({
      routes: typedRoutes,
      runtime,
      maxBodyBytes: config.maxBodyBytes,
      trustProxy: config.trustProxy,
      deadlineMs: config.requestDeadlineMs,
      ...(admission === undefined ? {} : { admission }),
      authenticate: auth.authenticate,
      metrics,
      staticFiles: makeStaticFiles(config.webDist, { sourceMaps: config.serveSourceMaps }),
    });
  });

/** Listens on `config.host:config.port` until the layer's scope closes (then closes every connection). */
export const ApiHttpLive = (
  options: ApiOptions,
): Layer.Layer<ApiServer, ApiStartError, ApiDependencies | WatchlistCommands | OutboxPublisher> =>
  Layer.scoped(
    ApiServer,
    Effect.gen(function* () {
      const listener = yield* makeApiListener(options);
      const server = createServer({ keepAliveTimeout: 5_000 }, listener);
      answerUnparsableRequests(server);
      yield* Effect.async<void, ApiStartError>((resume) => {
        const onError = (cause: Error) =>
          resume(
            Effect.fail(
              new ApiStartError({
                message: `cannot listen on ${options.config.host}:${options.config.port}: ${cause.message}`,
                cause,
              }),
            ),
          );
        server.once("error", onError);
        server.listen(options.config.port, options.config.host, () => {
          server.off("error", onError);
          resume(Effect.void);
        });
      });
      yield* Effect.addFinalizer(() =>
        Effect.async<void>((resume) => {
          server.close(() => resume(Effect.void));
          server.closeAllConnections();
        }),
      );
      const { port } = server.address() as AddressInfo;
      const host =
        options.config.host === "0.0.0.0" || options.config.host === "::" ? "127.0.0.1" : options.config.host;
      const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
      yield* Effect.logInfo(`CineMatch API listening on ${url} (docs: ${url}/docs)`);
      return { url, port };
    }),
  );

/** The API with its outbox: what `main.ts` and the embedded default run. */
export const ApiLive = (
  options: ApiOptions,
): Layer.Layer<ApiServer | WatchlistCommands | OutboxPublisher, ApiStartError, ApiDependencies> =>
  ApiHttpLive(options).pipe(Layer.provideMerge(WatchlistCommandsAndOutboxLive(options.config)));

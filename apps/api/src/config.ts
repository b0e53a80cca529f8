import { fileURLToPath } from "node:url";
import { boundedIntConfig } from "@cinematch/adapters";
import { USER_MOVIE_EVENTS_TOPIC } from "@cinematch/domain";
import { Config, type ConfigError, Effect, Option, Redacted } from "effect";

/**
 * Every setting of the API, from the environment with a default (the list, with meanings, is in
 * apps/api/README.md). Tests and the embedded composition root build one with `apiConfig({...})`.
 */
export interface ApiConfig {
  readonly port: number;
  readonly host: string;
  /** HMAC key of the bearer tokens; `None`: a random one per process (tokens die with it). */
  readonly tokenSecret: Option.Option<Redacted.Redacted<string>>;
  readonly tokenTtlSeconds: number;
  readonly scrypt: { readonly N: number; readonly r: number; readonly p: number };
  /** Wrong passwords per account and address before the backoff starts. */
  readonly loginFreeFailures: number;
  readonly loginMaxBackoffSeconds: number;
  /** Wrong passwords per account per hour from all addresses together (known addresses exempt). */
  readonly loginAccountFailuresPerHour: number;
  readonly loginMaxPerIp: number;
  readonly loginWindowSeconds: number;
  readonly maxBodyBytes: number;
  /** The dashboard's build output, served at `/`. */
  readonly webDist: string;
  /** Serve the dashboard's `*.map` files (they expose its source; for debugging only). */
  readonly serveSourceMaps: boolean;
  readonly trendsRefreshMs: number;
  readonly livePollMs: number;
  readonly liveKeepAliveMs: number;
  readonly catalogRefreshMs: number;
  readonly relayIntervalMs: number;
  readonly relayIdleIntervalMs: number;
  readonly relayBatchSize: number;
  readonly publishMode: "await" | "background" | "relay";
  readonly eventsTopic: string;
  readonly eventsPartitions: number;
  /** Bearer token `/metrics` asks for; `None`: scrapes only from this machine. */
  readonly metricsToken: Option.Option<Redacted.Redacted<string>>;
  /** A scrape older than this starts a new (background) count of the outbox backlog. */
  readonly metricsBacklogMaxAgeMs: number;
  /** How long a scrape waits for that count before answering with the previous one. */
  readonly metricsScrapeWaitMs: number;
  /** Longest a request may take before it is answered 503 with Retry-After (0: no bound). */
  readonly requestDeadlineMs: number;
  /** Requests in their handlers at once; the rest wait for a slot until their deadline (0: no bound). */
  readonly maxConcurrentRequests: number;
  /** Requests waiting for a slot at once; one more is answered 503 at once. */
  readonly maxWaitingRequests: number;
  /** Longest a write waits for its immediate publication (then the relay takes over). */
  readonly publishTimeoutMs: number;
  /** How long a MongoDB operation looks for a reachable server before it fails. */
  readonly storeSelectionTimeoutMs: number;
  /** How long a MongoDB operation waits for a free connection of the pool before it fails. */
  readonly storeCheckoutTimeoutMs: number;
  /** Take the client address for rate limits from `X-Forwarded-For` (behind a trusted proxy only). */
  readonly trustProxy: boolean;
  /** Largest history export (ZIP, CSV or JSON) `POST /imports/{source}` accepts. */
  readonly importMaxBytes: number;
  /** Largest total of the files unpacked from an export's ZIP. */
  readonly importMaxUnpackedBytes: number;
  /** Films written at once by all running imports of a process together. */
  readonly importWriters: number;
  /** How often a running import saves its progress for `GET /imports/{id}`. */
  readonly importProgressMs: number;
  /** A running import whose report was not saved for this long is reported as stopped. */
  readonly importStallMs: number;
}

export const DEFAULT_WEB_DIST = fileURLToPath(new URL("../../web/dist", import.meta.url));

export const defaultApiConfig: ApiConfig = {
  port: 8000,
  host: "127.0.0.1",
  tokenSecret: Option.none(),
  tokenTtlSeconds: 24 * 3600,
  // OWASP's scrypt recommendation: N=2^17, r=8, p=1 (128 MiB, ~0.3 s on our machines).
  scrypt: { N: 2 ** 17, r: 8, p: 1 },
  loginFreeFailures: 5,
  loginMaxBackoffSeconds: 15 * 60,
  loginAccountFailuresPerHour: 100,
  loginMaxPerIp: 100,
  loginWindowSeconds: 15 * 60,
  maxBodyBytes: 64 * 1024,
  webDist: DEFAULT_WEB_DIST,
  serveSourceMaps: false,
  trendsRefreshMs: 300,
  livePollMs: 500,
  liveKeepAliveMs: 15_000,
  catalogRefreshMs: 5_000,
  relayIntervalMs: 250,
  relayIdleIntervalMs: 5_000,
  relayBatchSize: 500,
  publishMode: "background",
  eventsTopic: USER_MOVIE_EVENTS_TOPIC,
  eventsPartitions: 6,
  trustProxy: false,
  requestDeadlineMs: 1_500,
  maxConcurrentRequests: 64,
  maxWaitingRequests: 256,
  publishTimeoutMs: 1_000,
  storeSelectionTimeoutMs: 1_000,
  storeCheckoutTimeoutMs: 1_000,
  metricsToken: Option.none(),
  metricsBacklogMaxAgeMs: 15_000,
  metricsScrapeWaitMs: 5,
  importMaxBytes: 16 * 1024 * 1024,
  importMaxUnpackedBytes: 64 * 1024 * 1024,
  importWriters: 4,
  importProgressMs: 500,
  importStallMs: 60_000,
};

export const apiConfig = (overrides: Partial<ApiConfig> = {}): ApiConfig => ({
  ...defaultApiConfig,
  ...overrides,
});

const int = boundedIntConfig;

/** The configuration from the environment. */
export const apiConfigFromEnv: Effect.Effect<ApiConfig, ConfigError.ConfigError> = Effect.gen(function* () {
  const d = defaultApiConfig;
  const N = yield* int("CINEMATCH_SCRYPT_N", d.scrypt.N, 2 ** 10, 2 ** 20).pipe(
    Config.validate({
      message: "CINEMATCH_SCRYPT_N must be a power of 2",
      validation: (n) => (n & (n - 1)) === 0,
    }),
  );
  return {
    port: yield* int("PORT", d.port, 0, 65535),
    host: yield* Config.string("HOST").pipe(Config.withDefault(d.host)),
    tokenSecret: yield* Config.option(Config.redacted("CINEMATCH_TOKEN_SECRET")).pipe(
      Config.map(Option.filter((secret) => Redacted.value(secret).length > 0)),
    ),
    tokenTtlSeconds: yield* int("CINEMATCH_TOKEN_TTL_SECONDS", d.tokenTtlSeconds, 1),
    scrypt: {
      N,
      r: yield* int("CINEMATCH_SCRYPT_R", d.scrypt.r, 1, 32),
      p: yield* int("CINEMATCH_SCRYPT_P", d.scrypt.p, 1, 16),
    },
    loginFreeFailures: yield* int("CINEMATCH_LOGIN_FREE_FAILURES", d.loginFreeFailures, 1, 1000),
    loginMaxBackoffSeconds: yield* int("CINEMATCH_LOGIN_MAX_BACKOFF_SECONDS", d.loginMaxBackoffSeconds, 1),
    loginAccountFailuresPerHour: yield* int(
      "CINEMATCH_LOGIN_ACCOUNT_FAILURES_PER_HOUR",
      d.loginAccountFailuresPerHour,
      1,
    ),
    loginMaxPerIp: yield* int("CINEMATCH_LOGIN_MAX_PER_IP", d.loginMaxPerIp, 1),
    loginWindowSeconds: yield* int("CINEMATCH_LOGIN_WINDOW_SECONDS", d.loginWindowSeconds, 1),
    maxBodyBytes: yield* int("CINEMATCH_MAX_BODY_BYTES", d.maxBodyBytes, 256),
    webDist: yield* Config.string("CINEMATCH_WEB_DIST").pipe(Config.withDefault(d.webDist)),
    serveSourceMaps: yield* Config.boolean("CINEMATCH_SOURCE_MAPS").pipe(
      Config.withDefault(d.serveSourceMaps),
    ),
    trendsRefreshMs: yield* int("CINEMATCH_TRENDS_REFRESH_MS", d.trendsRefreshMs, 10),
    livePollMs: yield* int("CINEMATCH_LIVE_POLL_MS", d.livePollMs, 10),
    liveKeepAliveMs: yield* int("CINEMATCH_LIVE_KEEPALIVE_MS", d.liveKeepAliveMs, 100),
    catalogRefreshMs: yield* int("CINEMATCH_CATALOG_REFRESH_MS", d.catalogRefreshMs, 100),
    relayIntervalMs: yield* int("CINEMATCH_OUTBOX_RELAY_INTERVAL_MS", d.relayIntervalMs, 5),
    relayIdleIntervalMs: yield* int("CINEMATCH_OUTBOX_RELAY_IDLE_MS", d.relayIdleIntervalMs, 5),
    relayBatchSize: yield* int("CINEMATCH_OUTBOX_BATCH_SIZE", d.relayBatchSize, 1, 10_000),
    publishMode: yield* Config.literal(
      "await",
      "background",
      "relay",
    )("CINEMATCH_PUBLISH_MODE").pipe(Config.withDefault(d.publishMode)),
    eventsTopic: yield* Config.string("CINEMATCH_EVENTS_TOPIC").pipe(Config.withDefault(d.eventsTopic)),
    eventsPartitions: yield* int("CINEMATCH_EVENTS_PARTITIONS", d.eventsPartitions, 1, 1000),
    trustProxy: yield* Config.boolean("CINEMATCH_TRUST_PROXY").pipe(Config.withDefault(d.trustProxy)),
    requestDeadlineMs: yield* int("CINEMATCH_REQUEST_DEADLINE_MS", d.requestDeadlineMs, 0),
    maxConcurrentRequests: yield* int("CINEMATCH_MAX_CONCURRENT_REQUESTS", d.maxConcurrentRequests, 0),
    maxWaitingRequests: yield* int("CINEMATCH_MAX_WAITING_REQUESTS", d.maxWaitingRequests, 0),
    publishTimeoutMs: yield* int("CINEMATCH_PUBLISH_TIMEOUT_MS", d.publishTimeoutMs, 1),
    storeSelectionTimeoutMs: yield* int(
      "CINEMATCH_STORE_SELECTION_TIMEOUT_MS",
      d.storeSelectionTimeoutMs,
      100,
    ),
    storeCheckoutTimeoutMs: yield* int("CINEMATCH_STORE_CHECKOUT_TIMEOUT_MS", d.storeCheckoutTimeoutMs, 0),
    metricsToken: yield* Config.option(Config.redacted("CINEMATCH_METRICS_TOKEN")).pipe(
      Config.map(Option.filter((token) => Redacted.value(token).length > 0)),
    ),
    metricsBacklogMaxAgeMs: yield* int("CINEMATCH_METRICS_BACKLOG_MAX_AGE_MS", d.metricsBacklogMaxAgeMs, 0),
    metricsScrapeWaitMs: yield* int("CINEMATCH_METRICS_SCRAPE_WAIT_MS", d.metricsScrapeWaitMs, 0, 60_000),
    importMaxBytes: yield* int("CINEMATCH_IMPORT_MAX_BYTES", d.importMaxBytes, 1024),
    importMaxUnpackedBytes: yield* int("CINEMATCH_IMPORT_MAX_UNPACKED_BYTES", d.importMaxUnpackedBytes, 1024),
    importWriters: yield* int("CINEMATCH_IMPORT_WRITERS", d.importWriters, 1, 64),
    importProgressMs: yield* int("CINEMATCH_IMPORT_PROGRESS_MS", d.importProgressMs, 10),
    importStallMs: yield* int("CINEMATCH_IMPORT_STALL_MS", d.importStallMs, 1000),
  };
});

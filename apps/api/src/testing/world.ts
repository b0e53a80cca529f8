import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AccountsStoreMemory,
  ImportJobsStoreMemory,
  CatalogStore,
  type CatalogEntry,
  type CatalogStoreService,
  EventLogMemoryControl,
  GlobalStatsStore,
  IdGeneratorSequential,
  EventLogMemory,
  makeCatalogStoreMemory,
  UserStatsStore,
  WatchlistStore,
  WatchlistStoreMemory,
  type WatchlistStoreService,
} from "@cinematch/adapters";
import type { GlobalStatsDocument, TrendWindow, UserStatsDocument } from "@cinematch/domain";
import { Context, Effect, Exit, Layer, Logger, LogLevel, Option, Redacted, Scope } from "effect";
import { ApiLive, ApiServer } from "../app.ts";
import { type ApiConfig, apiConfig } from "../config.ts";

/** Films of the unit tier: two "Solaris" make a title ambiguous without a year. */
export const testCatalog: ReadonlyArray<CatalogEntry> = [
  {
    film: {
      movie_id: "ml-1",
      title: "Toy Story",
      year: 1995,
      genres: ["Animation", "Comedy"],
      runtime_minutes: 81,
    },
  },
  { film: { movie_id: "ml-2", title: "Jumanji", year: 1995, genres: ["Adventure"] } },
  { film: { movie_id: "ml-3", title: "Solaris", year: 1972, genres: ["Drama", "Sci-Fi"] } },
  { film: { movie_id: "ml-4", title: "Solaris", year: 2002, genres: ["Drama", "Sci-Fi"] } },
  {
    film: { movie_id: "ml-5", title: "Heat", year: 1995, genres: ["Crime"] },
    ids: ["tt0113277", "tmdb-949"],
  },
  { film: { movie_id: "ml-6", title: "Léon: The Professional", year: 1994, genres: ["Crime", "Drama"] } },
];

/** Read models in maps, with `put` for tests that play the runners' part. */
export const makeReadModels = () => {
  const users = new Map<string, UserStatsDocument>();
  const windows = new Map<TrendWindow, GlobalStatsDocument>();
  const layer = Layer.mergeAll(
    Layer.succeed(UserStatsStore, {
      get: (user_id) => Effect.sync(() => Option.fromNullable(users.get(user_id))),
      putMany: (documents) =>
        Effect.sync(() => {
          for (const d of documents) users.set(d.user_id, d);
        }),
    }),
    Layer.succeed(GlobalStatsStore, {
      get: (window) => Effect.sync(() => Option.fromNullable(windows.get(window))),
      putMany: (documents) =>
        Effect.sync(() => {
          for (const d of documents) windows.set(d.window, d);
        }),
    }),
  );
  return { layer, users, windows };
};

export const TEST_SECRET = "unit-test-secret";

/** The API on port 0 over in-memory layers; fast scrypt so signups take milliseconds. */
export const testConfig = (overrides: Partial<ApiConfig> = {}): ApiConfig =>
  apiConfig({
    port: 0,
    host: "127.0.0.1",
    tokenSecret: Option.some(Redacted.make(TEST_SECRET)),
    scrypt: { N: 1024, r: 8, p: 1 },
    trendsRefreshMs: 20,
    livePollMs: 20,
    relayIntervalMs: 10,
    catalogRefreshMs: 50,
    // The in-memory store counts in microseconds: every scrape may count afresh.
    metricsBacklogMaxAgeMs: 0,
    metricsScrapeWaitMs: 2_000,
    webDist: mkdtempSync(join(tmpdir(), "cinematch-web-missing-")),
    ...overrides,
  });

export interface World {
  readonly url: string;
  readonly readModels: ReturnType<typeof makeReadModels>;
  readonly control: Context.Tag.Service<typeof EventLogMemoryControl>;
  readonly run: <A, E>(effect: Effect.Effect<A, E, never>) => Promise<A>;
  readonly close: () => Promise<void>;
  readonly call: (
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
    // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely and assert on them.
  ) => Promise<{ status: number; headers: Headers; text: string; json: () => any }>;
}

export const startWorld = async (
  options: {
    config?: Partial<ApiConfig>;
    catalog?: (memory: CatalogStoreService) => CatalogStoreService;
    /** Wraps the in-memory watchlist store (a slow or failing count, say). */
    watchlist?: (memory: WatchlistStoreService) => WatchlistStoreService;
    logLevel?: LogLevel.LogLevel;
  } = {},
): Promise<World> => {
  const readModels = makeReadModels();
  const catalog = makeCatalogStoreMemory(testCatalog);
  const wrap = options.watchlist;
  const watchlist =
    wrap === undefined
      ? WatchlistStoreMemory
      : Layer.effect(WatchlistStore, Effect.map(WatchlistStore, wrap)).pipe(
          Layer.provide(WatchlistStoreMemory),
        );
  const dependencies = Layer.mergeAll(
    watchlist,
    EventLogMemory(),
    IdGeneratorSequential("id"),
    AccountsStoreMemory,
    ImportJobsStoreMemory,
    Layer.succeed(CatalogStore, options.catalog ? options.catalog(catalog) : catalog),
    readModels.layer,
  );
  const layer = ApiLive({ config: testConfig(options.config) }).pipe(
    Layer.provideMerge(dependencies),
    Layer.provide(Logger.minimumLogLevel(options.logLevel ?? LogLevel.Warning)),
  );
  const scope = Effect.runSync(Scope.make());
  const context = await Effect.runPromise(Layer.buildWithScope(layer, scope));
  const { url } = Context.get(context, ApiServer);
  const call: World["call"] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { accept: "application/json", ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined = opts.rawBody;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers["content-type"] ??= "application/json";
    }
    const response = await fetch(url + path, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
  };
  return {
    url,
    readModels,
    control: Context.get(context, EventLogMemoryControl),
    run: (effect) => Effect.runPromise(effect),
    close: () => Effect.runPromise(Scope.close(scope, Exit.void)),
    call,
  };
};

/** Signs up and returns the token and user id. */
export const signUp = async (world: World, email: string, password = "correct horse battery") => {
  const response = await world.call("POST", "/auth/signup", { body: { email, password } });
  if (response.status !== 201) throw new Error(`signup failed: ${response.status} ${response.text}`);
  const body = response.json();
  return { token: body.token as string, user_id: body.user_id as string };
};

/** How long the unit tier waits for the in-process runners and relay (polled, never slept). */
export const POLL = { timeoutMs: 5000, intervalMs: 10 } as const;

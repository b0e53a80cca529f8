// What the routes are built from: the services made at start (caches, hub, metrics) and the ports
// the handlers ask for.
import type {
  AccountsStore,
  IdGenerator,
  ImportJobsStore,
  OutboxPublisher,
  UserStatsStore,
  WatchlistCommands,
  WatchlistStore,
} from "@cinematch/adapters";
import type { Effect, Option, Redacted } from "effect";
import type { Auth } from "../auth/service.ts";
import type { HttpMetrics } from "../http/metrics.ts";
import type { BacklogGauge } from "../services/backlog-gauge.ts";
import type { CatalogCache } from "../services/catalog-cache.ts";
import type { HistoryImports } from "../services/history-import.ts";
import type { LiveHub } from "../services/live-hub.ts";
import type { TrendsCache } from "../services/trends-cache.ts";

/** A named check behind `GET /ready` (Kafka ping, MongoDB ping); each is bounded by the route. */
export interface ReadinessCheck {
  readonly name: string;
  readonly check: Effect.Effect<void, unknown>;
}

export interface RouteDependencies {
  readonly auth: Auth;
  readonly trends: TrendsCache;
  readonly catalog: CatalogCache;
  readonly live: LiveHub;
  readonly metrics: HttpMetrics;
  readonly metricsToken: Option.Option<Redacted.Redacted<string>>;
  readonly backlog: BacklogGauge;
  /** Requests in their handlers and waiting for a slot (none when the bound is off). */
  readonly admissionLoad?: () => { readonly running: number; readonly waiting: number };
  readonly readiness: ReadonlyArray<ReadinessCheck>;
  /** The OpenAPI document and docs page, made from the routes themselves. */
  readonly openapi: () => string;
  readonly docsPage: () => string;
  readonly imports: HistoryImports;
  /** Largest export `POST /imports/{source}` reads. */
  readonly importMaxBytes: number;
  /** A running import not heard from for this long is reported as stopped. */
  readonly importStallMs: number;
}

export type RouteServices =
  | WatchlistCommands
  | WatchlistStore
  | AccountsStore
  | IdGenerator
  | UserStatsStore
  | OutboxPublisher
  | ImportJobsStore;

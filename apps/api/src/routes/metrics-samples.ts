import {
  OutboxPublisher,
  type StoreWriterStats,
  WatchlistStore,
  type WriteCounters,
} from "@cinematch/adapters";
import { Effect } from "effect";
import type { Sample } from "../http/metrics.ts";
import type { RouteDependencies } from "./dependencies.ts";

/**
 * The process's own samples for `GET /metrics` (the HTTP counters are rendered beside them): outbox
 * publication, the backlog count kept in the background, the watchlist store's write time by kind,
 * live clients, catalog size, memory.
 */
export const processSamples = (
  deps: Pick<RouteDependencies, "backlog" | "live" | "catalog" | "admissionLoad">,
) =>
  Effect.gen(function* () {
    const publisher = yield* OutboxPublisher;
    const backlog = yield* deps.backlog.read;
    const stats = yield* publisher.stats;
    const writer = yield* Effect.flatMap(WatchlistStore, (store) => store.writerStats);
    const samples: Array<Sample> = [
      {
        name: "cinematch_events_published_total",
        help: "Watchlist events published to the event log by this process.",
        type: "counter",
        value: stats.events_published_total,
      },
      {
        name: "cinematch_event_publish_failures_total",
        help: "Failed publications (each is retried by the outbox relay).",
        type: "counter",
        value: stats.publish_failures_total,
      },
      {
        name: "cinematch_outbox_backlog",
        help: "Watchlist events stored but not yet published, as last counted (-1: not counted yet, or the count failed).",
        type: "gauge",
        value: backlog.value,
      },
      {
        name: "cinematch_outbox_backlog_age_seconds",
        help: "Age of that count (counted in the background, at most every CINEMATCH_METRICS_BACKLOG_MAX_AGE_MS).",
        type: "gauge",
        value: backlog.ageSeconds,
      },
      {
        name: "cinematch_outbox_degraded",
        help: "1 while publication is failing or a backlog drains (writes then leave publishing to the relay).",
        type: "gauge",
        value: stats.degraded ? 1 : 0,
      },
      ...writerSamples(writer),
      {
        name: "cinematch_live_clients",
        help: "Open /live streams.",
        type: "gauge",
        value: deps.live.clients(),
      },
      {
        name: "cinematch_catalog_films",
        help: "Films in the in-memory catalog index.",
        type: "gauge",
        value: deps.catalog.size(),
      },
      ...(deps.admissionLoad === undefined
        ? []
        : ((load) => [
            {
              name: "cinematch_http_requests_running",
              help: "Requests in their handlers (holding an admission slot, see CINEMATCH_MAX_CONCURRENT_REQUESTS).",
              type: "gauge" as const,
              value: load.running,
            },
            {
              name: "cinematch_http_requests_waiting",
              help: "Requests waiting for an admission slot (see CINEMATCH_MAX_WAITING_REQUESTS).",
              type: "gauge" as const,
              value: load.waiting,
            },
          ])(deps.admissionLoad())),
      {
        name: "process_resident_memory_bytes",
        help: "Resident memory size in bytes.",
        type: "gauge",
        value: process.memoryUsage.rss(),
      },
    ];
    return samples;
  });

const WRITE_KINDS = {
  inserts: "insert",
  updates: "update",
  clears: "clear",
} as const satisfies Record<keyof StoreWriterStats, string>;

/**
 * Where the watchlist store's write time goes, by kind (`insert` of new entries, `update` of existing
 * ones, `clear` of published events from their outboxes): seconds over the scrape interval is how
 * busy the writer was; seconds over documents, what one document costs on the server.
 */
const WRITER_FAMILIES: ReadonlyArray<{
  readonly name: string;
  readonly help: string;
  readonly value: (counters: WriteCounters) => number;
}> = [
  {
    name: "cinematch_store_write_seconds_total",
    help: "Time the watchlist store's writer spent in server calls, by kind (0 on the in-memory store).",
    value: (counters) => counters.seconds,
  },
  {
    name: "cinematch_store_write_calls_total",
    help: "Server calls of the watchlist store's writer, by kind (one call may carry many documents).",
    value: (counters) => counters.round_trips,
  },
  {
    name: "cinematch_store_written_documents_total",
    help: "Entries written by the watchlist store's writer, by kind.",
    value: (counters) => counters.documents,
  },
];

const writerSamples = (writer: StoreWriterStats): Array<Sample> =>
  WRITER_FAMILIES.flatMap(({ name, help, value }) =>
    (Object.entries(WRITE_KINDS) as Array<[keyof StoreWriterStats, string]>).map(([kind, label]) => ({
      name,
      help,
      type: "counter" as const,
      value: value(writer[kind]),
      labels: { kind: label },
    })),
  );

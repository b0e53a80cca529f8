// The ports, their in-memory layers and the services built only from ports. Nothing here loads a
// database or broker driver: the real layers are in `@cinematch/adapters/mongo` and
// `@cinematch/adapters/kafka` (see README.md, "Entry points and layer names").
export * from "./store-errors.ts";
export * from "./event-log/EventLog.ts";
export * from "./event-log/memory.ts";
export * from "./event-log/partitioner.ts";
export * from "./event-log/dead-letter.ts";
export * from "./watchlist/WatchlistStore.ts";
export * from "./watchlist/memory.ts";
export * from "./watchlist/commands.ts";
export * from "./outbox/OutboxPublisher.ts";
export * from "./outbox/OutboxRelay.ts";
export * from "./accounts/AccountsStore.ts";
export * from "./accounts/memory.ts";
export * from "./catalog/CatalogStore.ts";
export * from "./catalog/memory.ts";
export * from "./catalog/merge-films.ts";
export * from "./catalog/posters.ts";
export * from "./read-models/ReadModels.ts";
export * from "./read-models/memory.ts";
export * from "./trends-state/TrendsStateStore.ts";
export * from "./trends-state/memory.ts";
export * from "./ids/IdGenerator.ts";
export * from "./config/env.ts";
export * from "./process/log-line.ts";
export * from "./process/run-main.ts";
export * from "./ownership/PartitionOwnership.ts";
export * from "./ownership/memory.ts";
export * from "./imports/ImportJobsStore.ts";
export * from "./imports/memory.ts";

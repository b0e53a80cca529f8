export * from "./event-log/EventLog.ts";
export * from "./mongo/MongoDatabase.ts";
export * from "./watchlist/WatchlistStore.ts";
export * from "./read-models/ReadModels.ts";
export * from "./ids/IdGenerator.ts";
export * from "./watchlist/memory.ts";

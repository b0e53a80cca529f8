export * from "./event-log/EventLog.ts";
export * from "./mongo/MongoDatabase.ts";

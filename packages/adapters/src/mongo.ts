// The MongoDB layers of the store ports (official driver). Importing this loads `mongodb`.
export * from "./mongo/MongoDatabase.ts";
export * from "./mongo/layer.ts";
export * from "./mongo/errors.ts";
export * from "./mongo/bulk.ts";
export * from "./watchlist/mongo.ts";
export * from "./accounts/mongo.ts";
export * from "./catalog/mongo.ts";
export * from "./read-models/mongo.ts";
export * from "./trends-state/mongo.ts";
export * from "./ownership/mongo.ts";
export * from "./imports/mongo.ts";

// Test-only helpers that need a real MongoDB-wire server (the int tier).
export * from "./mongo/test-support.ts";
export * from "./watchlist/mongo-writes-for-ceiling.ts";

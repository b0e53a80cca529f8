// Test-only helpers that need a real MongoDB-wire server (the int tier).
export * from "./mongo/test-support.ts";

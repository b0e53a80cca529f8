// Test-only helpers, exported for other packages' test tiers (`@cinematch/trends-runner/testing`).
export * from "./testing/expected-trends.ts";

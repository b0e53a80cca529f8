// Helpers the benchmarks share (apps/trends-runner/bench, bench/seed-spark): not used by the CLI itself.
export { FreshnessLedger } from "./freshness.ts";
export { benchAddEvent, readMovieLensFolder } from "./input.ts";

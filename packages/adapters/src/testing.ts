// Test-only helpers and contract suites, exported for other packages' test tiers.
export * from "./watchlist/WatchlistStore.contract.ts";
export * from "./event-log/EventLog.contract.ts";
export * from "./test-support.ts";
export * from "./accounts/AccountsStore.contract.ts";
export * from "./catalog/CatalogStore.contract.ts";
export * from "./read-models/ReadModels.contract.ts";
export * from "./trends-state/TrendsStateStore.contract.ts";
export * from "./ownership/PartitionOwnership.contract.ts";
export * from "./imports/ImportJobsStore.contract.ts";

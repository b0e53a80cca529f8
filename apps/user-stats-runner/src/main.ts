#!/usr/bin/env node
// The user-stats runner as its own process: `node apps/user-stats-runner/src/main.ts`.
// Settings come from the environment (see ../README.md).
import {
  layerEventLogKafkaFromEnv,
  layerMongoDatabaseFromEnv,
  UserStatsStoreMongo,
  WatchlistStoreMongo,
} from "@cinematch/adapters";
import { Effect, Layer } from "effect";
import { userStatsRunnerConfigFromEnv } from "./config.ts";
import { runMain } from "./process.ts";
import { startUserStatsRunner } from "./runner.ts";

const program = Effect.gen(function* () {
  const config = yield* userStatsRunnerConfigFromEnv;
  const stores = Layer.merge(WatchlistStoreMongo, UserStatsStoreMongo).pipe(
    Layer.provide(layerMongoDatabaseFromEnv({ appName: "user-stats-runner" })),
  );
  const eventLog = layerEventLogKafkaFromEnv({
    partitionsConsumedConcurrently: config.partitionsConcurrency,
  });
  yield* Effect.logInfo("user-stats runner starting").pipe(Effect.annotateLogs({ ...config }));
  return yield* Effect.scoped(
    Effect.zipRight(startUserStatsRunner(config), Effect.never).pipe(
      Effect.provide(Layer.merge(stores, eventLog)),
    ),
  );
});

runMain("user-stats-runner", program);

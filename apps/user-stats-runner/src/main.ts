#!/usr/bin/env node
// The user-stats runner as its own process: `node apps/user-stats-runner/src/main.ts`.
// Settings come from the environment (see ../README.md).
import { runMain } from "@cinematch/adapters";
import { EventLogKafkaFromEnv } from "@cinematch/adapters/kafka";
import {
  MongoDatabaseLiveFromEnv,
  UserStatsStoreMongo,
  WatchlistStoreMongo,
} from "@cinematch/adapters/mongo";
import { Duration, Effect, Layer, Schedule } from "effect";
import { userStatsRunnerConfigFromEnv } from "./config.ts";
import { startUserStatsRunner } from "./runner.ts";

const program = Effect.gen(function* () {
  const config = yield* userStatsRunnerConfigFromEnv;
  const stores = Layer.merge(WatchlistStoreMongo, UserStatsStoreMongo).pipe(
    Layer.provide(MongoDatabaseLiveFromEnv({ appName: "user-stats-runner" })),
  );
  const eventLog = EventLogKafkaFromEnv({
    partitionsConsumedConcurrently: config.partitionsConcurrency,
    sessionTimeoutMs: config.sessionTimeoutMs,
  });
  yield* Effect.logInfo("user-stats runner starting").pipe(Effect.annotateLogs({ ...config }));
  // Each attempt in a scope of its own: a start that fails (a server away, a group still
  // rebalancing after a crash) closes what it opened and starts again, like a restart would.
  return yield* Effect.scoped(
    Effect.zipRight(startUserStatsRunner(config), Effect.never).pipe(
      Effect.provide(Layer.merge(stores, eventLog)),
    ),
  ).pipe(
    Effect.tapErrorCause((cause) =>
      Effect.logWarning("user-stats runner could not start; trying again", cause),
    ),
    Effect.retry(
      Schedule.exponential(Duration.seconds(1)).pipe(Schedule.union(Schedule.spaced("15 seconds"))),
    ),
  );
});

runMain("user-stats-runner", program);

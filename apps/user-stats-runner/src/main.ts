#!/usr/bin/env node
// The user-stats runner as its own process: `node apps/user-stats-runner/src/main.ts`.
// Settings come from the environment (see ../README.md).
import { runMain } from "@cinematch/adapters";
import { EventLogKafkaFromEnv } from "@cinematch/adapters/kafka";
import {
  MongoDatabaseLiveFromEnv,
  PartitionOwnershipMongo,
  UserStatsStoreMongo,
  WatchlistStoreMongo,
} from "@cinematch/adapters/mongo";
import { hostname } from "node:os";
import { Duration, Effect, Layer, Schedule } from "effect";
import { userStatsRunnerConfigFromEnv } from "./config.ts";
import { startUserStatsRunner } from "./runner.ts";

const program = Effect.gen(function* () {
  const fromEnv = yield* userStatsRunnerConfigFromEnv;
  // One name per process unless the environment gives one: it tells the owners apart in the logs.
  const config = process.env.CINEMATCH_INSTANCE_ID
    ? fromEnv
    : { ...fromEnv, instanceId: `user-stats@${hostname()}:${process.pid}` };
  const stores = Layer.mergeAll(WatchlistStoreMongo, UserStatsStoreMongo, PartitionOwnershipMongo).pipe(
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

// Named after its instance when it has one (stack:up runs several: user-stats-runner-1, -2, ...).
runMain(process.env.CINEMATCH_INSTANCE_ID || "user-stats-runner", program);

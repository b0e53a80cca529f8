#!/usr/bin/env node
// The trends runner as its own process: `node apps/trends-runner/src/main.ts`.
// Settings come from the environment (see ../README.md).
import { runMain } from "@cinematch/adapters";
import { EventLogKafkaFromEnv } from "@cinematch/adapters/kafka";
import {
  GlobalStatsStoreMongo,
  MongoDatabaseLiveFromEnv,
  PartitionOwnershipMongo,
  TrendsStateStoreMongo,
  WatchlistStoreMongo,
} from "@cinematch/adapters/mongo";
import { hostname } from "node:os";
import { Duration, Effect, Layer, Schedule } from "effect";
import { makeShiftedClock } from "./clock.ts";
import { clockOffsetFromEnv, trendsRunnerConfigFromEnv } from "./config.ts";
import { startTrendsRunner } from "./runner.ts";

const program = Effect.gen(function* () {
  const fromEnv = yield* trendsRunnerConfigFromEnv;
  // One name per process unless the environment gives one: it tells the owners apart in the logs.
  const config = process.env.CINEMATCH_INSTANCE_ID
    ? fromEnv
    : { ...fromEnv, instanceId: `trends@${hostname()}:${process.pid}` };
  const clockOffsetMs = yield* clockOffsetFromEnv;
  const stores = Layer.mergeAll(
    WatchlistStoreMongo,
    TrendsStateStoreMongo,
    GlobalStatsStoreMongo,
    PartitionOwnershipMongo,
  ).pipe(Layer.provide(MongoDatabaseLiveFromEnv({ appName: "trends-runner" })));
  const eventLog = EventLogKafkaFromEnv({
    partitionsConsumedConcurrently: config.partitionsConcurrency,
    sessionTimeoutMs: config.sessionTimeoutMs,
  });
  yield* Effect.logInfo("trends runner starting").pipe(Effect.annotateLogs({ ...config, clockOffsetMs }));
  // Each attempt in a scope of its own: a start that fails (a server away, a group still
  // rebalancing after a crash) closes what it opened and starts again, like a restart would.
  const attempt = Effect.scoped(
    Effect.zipRight(startTrendsRunner(config), Effect.never).pipe(
      Effect.provide(Layer.merge(stores, eventLog)),
    ),
  ).pipe(
    Effect.tapErrorCause((cause) => Effect.logWarning("trends runner could not start; trying again", cause)),
    Effect.retry(
      Schedule.exponential(Duration.seconds(1)).pipe(Schedule.union(Schedule.spaced("15 seconds"))),
    ),
  );
  return yield* clockOffsetMs === 0
    ? attempt
    : Effect.withClock(attempt, makeShiftedClock(clockOffsetMs).clock);
});

// Named after its instance when it has one (stack:up runs several: trends-runner-1, -2, ...).
runMain(process.env.CINEMATCH_INSTANCE_ID || "trends-runner", program);

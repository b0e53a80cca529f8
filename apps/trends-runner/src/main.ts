#!/usr/bin/env node
// The trends runner as its own process: `node apps/trends-runner/src/main.ts`.
// Settings come from the environment (see ../README.md).
import {
  GlobalStatsStoreMongo,
  layerEventLogKafkaFromEnv,
  layerMongoDatabaseFromEnv,
  TrendsStateStoreMongo,
  WatchlistStoreMongo,
} from "@cinematch/adapters";
import { Effect, Layer } from "effect";
import { makeShiftedClock } from "./clock.ts";
import { clockOffsetFromEnv, trendsRunnerConfigFromEnv } from "./config.ts";
import { runMain } from "./process.ts";
import { startTrendsRunner } from "./runner.ts";

const program = Effect.gen(function* () {
  const config = yield* trendsRunnerConfigFromEnv;
  const clockOffsetMs = yield* clockOffsetFromEnv;
  const stores = Layer.mergeAll(WatchlistStoreMongo, TrendsStateStoreMongo, GlobalStatsStoreMongo).pipe(
    Layer.provide(layerMongoDatabaseFromEnv({ appName: "trends-runner" })),
  );
  const eventLog = layerEventLogKafkaFromEnv({
    partitionsConsumedConcurrently: config.partitionsConcurrency,
  });
  yield* Effect.logInfo("trends runner starting").pipe(Effect.annotateLogs({ ...config, clockOffsetMs }));
  const run = Effect.scoped(
    Effect.zipRight(startTrendsRunner(config), Effect.never).pipe(
      Effect.provide(Layer.merge(stores, eventLog)),
    ),
  );
  return yield* clockOffsetMs === 0 ? run : Effect.withClock(run, makeShiftedClock(clockOffsetMs).clock);
});

runMain("trends-runner", program);

/**
 * The API as a process: `node apps/api/src/main.ts`. Settings from the environment (see README);
 * Kafka and MongoDB when KAFKA_BOOTSTRAP_SERVERS / MONGODB_URL are set, in-memory layers otherwise.
 * SIGINT/SIGTERM close the server, the relay and the connections, then exit.
 */
import { runMain } from "@cinematch/adapters";
import { Effect, Layer } from "effect";
import { apiConfigFromEnv } from "./config.ts";
import { ApiStandaloneLive, standaloneChoiceFromEnv } from "./standalone.ts";

const choice = standaloneChoiceFromEnv();

const program = Effect.gen(function* () {
  const config = yield* apiConfigFromEnv;
  yield* Effect.logInfo(
    `starting the API: event log ${choice.kafka ? "Kafka" : "in memory"}, stores ${choice.mongo ? "MongoDB" : "in memory"}`,
  );
  if (!choice.kafka || !choice.mongo) {
    yield* Effect.logWarning(
      "in-memory layers: data is lost when the process ends, and no runner computes statistics here (npm start runs everything in one process)",
    );
  }
  return yield* Layer.launch(ApiStandaloneLive(config, choice));
});

// The stack scripts recognise the process by this name once it has renamed itself (scripts/stack/lib.sh).
// A worker of `cluster.ts` (several API processes on one port) is named so `ps` tells them apart.
const worker = process.env.CINEMATCH_API_WORKER;
runMain(worker ? `cinematch-api-worker-${worker}` : "api", program, { forceAfterMs: 10_000 });

/**
 * The API as a process: `node apps/api/src/main.ts`. Settings from the environment (see README);
 * Kafka and MongoDB when KAFKA_BOOTSTRAP_SERVERS / MONGODB_URL are set, in-memory layers otherwise.
 * SIGINT/SIGTERM close the server, the relay and the connections, then exit.
 */
import { Cause, Effect, Exit, Fiber, Layer } from "effect";
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

const fiber = Effect.runFork(program);
let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.error(`[api] ${signal}: shutting down`);
  Effect.runFork(Fiber.interrupt(fiber));
  setTimeout(() => process.exit(1), 10_000).unref();
};
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));

fiber.addObserver((exit) => {
  if (Exit.isSuccess(exit) || Exit.isInterrupted(exit)) process.exit(0);
  console.error(`[api] failed to start or crashed:\n${Cause.pretty(exit.cause)}`);
  process.exit(1);
});

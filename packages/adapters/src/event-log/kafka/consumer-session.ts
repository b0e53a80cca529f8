import {
  Cause,
  Deferred,
  Duration,
  Effect,
  Exit,
  type Fiber,
  FiberSet,
  Runtime,
  Schedule,
  type Scope,
} from "effect";
import type { Consumer, Kafka } from "kafkajs";
import { type ConsumeOptions, EventLogError } from "../EventLog.ts";
import { makeEachBatch } from "./batch-delivery.ts";
import type { KafkaCalls } from "./calls.ts";
import { describeCause } from "./records.ts";
import type { KafkaSettings } from "./settings.ts";

const newConsumer = (kafka: Kafka, settings: KafkaSettings, groupId: string): Consumer =>
  kafka.consumer({
    groupId,
    sessionTimeout: settings.sessionTimeout,
    rebalanceTimeout: settings.rebalanceTimeout,
    heartbeatInterval: settings.heartbeatInterval,
    maxWaitTimeInMs: settings.maxWaitTime,
    ...(settings.maxBytesPerPartition === undefined
      ? {}
      : { maxBytesPerPartition: settings.maxBytesPerPartition }),
    allowAutoTopicCreation: false,
    // Retriable crashes restart inside kafkajs; others are restarted by the session (see `restartAfterCrashes`).
    retry: { ...settings.retry, restartOnFailure: async () => true },
  });

/**
 * One `consume` call: a consumer of its own in the group, fed to the handler until the scope
 * closes. Returns once the consumer has joined the group (bounded by `joinTimeout`).
 */
export const consumerSession =
  (kafka: Kafka, settings: KafkaSettings, calls: KafkaCalls, runtime: Runtime.Runtime<never>) =>
  <E, R>(options: ConsumeOptions<E, R>): Effect.Effect<void, EventLogError, R | Scope.Scope> =>
    Effect.gen(function* () {
      const { groupId, topic } = options;
      const consumer = newConsumer(kafka, settings, groupId);
      const annotate = Effect.annotateLogs({ topic, groupId });
      let closing = false;

      // Scope finalizers run in reverse: first mark closing, then interrupt the handlers in flight
      // (their batches stay uncommitted), then disconnect (kafkajs waits for the in-flight eachBatch
      // to return, stops fetching and leaves the group).
      yield* Effect.addFinalizer(() =>
        calls
          .call("consume.disconnect", () => consumer.disconnect())
          .pipe(
            Effect.catchAll((error) => Effect.logWarning("consumer did not disconnect cleanly", error)),
            annotate,
          ),
      );
      const runFork = yield* FiberSet.makeRuntime<R, unknown, unknown>();
      yield* Effect.addFinalizer(() =>
        Effect.sync(() => {
          closing = true;
        }),
      );

      const eachBatch = makeEachBatch(settings, {
        handleBatch: options.handleBatch,
        runToExit: <A, X>(effect: Effect.Effect<A, X, R>) =>
          new Promise<Exit.Exit<A, X>>((resolve) => {
            const fiber: Fiber.RuntimeFiber<A, X> = runFork(effect);
            fiber.addObserver(resolve);
          }),
        log: (line) => Runtime.runSync(runtime)(line.pipe(annotate)),
        isClosing: () => closing,
      });

      const joined = yield* Deferred.make<void>();
      consumer.on(consumer.events.GROUP_JOIN, () => {
        Deferred.unsafeDone(joined, Exit.void);
      });

      const start = Effect.gen(function* () {
        yield* calls.call("consume.connect", () => consumer.connect());
        yield* calls.callRetrying("consume.subscribe", () =>
          consumer.subscribe({ topic, fromBeginning: options.fromBeginning ?? true }),
        );
        yield* calls.call("consume.run", () =>
          consumer.run({
            autoCommit: false,
            eachBatchAutoResolve: false,
            partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently,
            eachBatch,
          }),
        );
      });

      // kafkajs restarts after retriable crashes by itself; after any other crash it stays stopped,
      // so the session starts it again (with a backoff) until the scope closes.
      const restartAfterCrashes = Duration.millis(settings.maxBackoff);
      consumer.on(consumer.events.CRASH, (event) => {
        const { error, restart } = event.payload;
        if (closing || restart) return;
        runFork(
          Effect.logError("consumer crashed; starting it again", Cause.fail(describeCause(error))).pipe(
            Effect.zipRight(Effect.sleep(restartAfterCrashes)),
            Effect.zipRight(start),
            Effect.retry(Schedule.spaced(restartAfterCrashes)),
            Effect.ignore,
            annotate,
          ),
        );
      });

      yield* start;
      yield* Deferred.await(joined).pipe(
        Effect.timeoutFail({
          duration: settings.joinTimeout,
          onTimeout: () =>
            new EventLogError({ operation: "consume", message: `did not join group ${groupId} in time` }),
        }),
      );
    });

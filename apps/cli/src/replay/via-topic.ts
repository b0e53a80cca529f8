import {
  IdGeneratorRandom,
  OutboxPublisher,
  OutboxPublisherLive,
  WatchlistCommands,
  WatchlistCommandsLive,
} from "@cinematch/adapters";
import { EventLogKafka } from "@cinematch/adapters/kafka";
import { MongoDatabaseLive, WatchlistStoreMongo } from "@cinematch/adapters/mongo";
import { Duration, Effect, Layer } from "effect";
import { drive, firstFailureWarner, type Outcome } from "./drive.ts";
import type { ReplayEvent } from "./plan.ts";

// `--via topic`: the one write path (entry + outbox in MongoDB, then Kafka), straight, as the API would.

export type PublishMode = "await" | "batch";

/** The `--via topic` write path: the real stores and log, through `WatchlistCommands`. */
export const topicCommandsLayer = (settings: {
  readonly mongoUrl: string;
  readonly brokers: ReadonlyArray<string>;
  readonly topic: string;
  readonly partitions: number;
  readonly publish?: PublishMode;
}) => {
  const base = Layer.mergeAll(
    WatchlistStoreMongo.pipe(
      Layer.provide(MongoDatabaseLive(settings.mongoUrl, { appName: "cinematch-replay" })),
    ),
    EventLogKafka({ brokers: settings.brokers, clientId: "cinematch-replay" }),
    IdGeneratorRandom,
  );
  const publisher = OutboxPublisherLive({
    topic: settings.topic,
    partitions: settings.partitions,
    relayMinAgeMs: 0,
  }).pipe(Layer.provideMerge(base));
  // "await": writers publish at once. "batch": writers only store; `viaTopic` publishes the outbox in
  // pages. Either way whatever a failed publication left behind is published before the end.
  return WatchlistCommandsLive({ publish: settings.publish === "batch" ? "relay" : "await" }).pipe(
    Layer.provideMerge(publisher),
  );
};

/** "batch": publish the outbox in pages while the writes go on, like the API's relay. */
const publishPagesWhile = (publisher: OutboxPublisher["Type"], writing: () => boolean) =>
  Effect.gen(function* () {
    while (writing()) {
      const pass = yield* publisher.publishBacklog(1000).pipe(
        Effect.catchAll((error) =>
          Effect.as(Effect.logWarning("replay: a publication page failed", error.message), {
            published: 0,
          }),
        ),
      );
      if (pass.published === 0) yield* Effect.sleep(Duration.millis(100));
    }
  });

/**
 * Leaves nothing unpublished: publishes what is left, for as long as it keeps moving (a backlog
 * that has not shrunk for 60 s means the broker or the database is away: say so and stop).
 */
const drainOutbox = (publisher: OutboxPublisher["Type"]) =>
  Effect.gen(function* () {
    let backlog = yield* publisher.countBacklog;
    let lastProgress = Date.now();
    while (backlog > 0) {
      const pass = yield* publisher.publishBacklog(1000);
      if (pass.published === 0) yield* Effect.sleep(Duration.millis(500));
      const next = yield* publisher.countBacklog;
      if (next < backlog) lastProgress = Date.now();
      else if (Date.now() - lastProgress > 60_000) return yield* Effect.fail("stalled" as const);
      backlog = next;
    }
  }).pipe(Effect.either);

export const viaTopic = async (
  events: ReadonlyArray<ReplayEvent>,
  layer: Layer.Layer<WatchlistCommands | OutboxPublisher, unknown>,
  concurrency: number,
  rate: number,
  publish: PublishMode,
  onDone: (outcome: Outcome) => void,
  warn: (text: string) => void,
) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const commands = yield* WatchlistCommands;
        const publisher = yield* OutboxPublisher;
        const runtime = yield* Effect.runtime<never>();
        const runPromise = <A, E>(effect: Effect.Effect<A, E>) =>
          Effect.runPromise(effect.pipe(Effect.provide(runtime)) as Effect.Effect<A, E>);
        const failed = firstFailureWarner(warn);
        let writing = true;
        const pager =
          publish === "batch" ? yield* Effect.fork(publishPagesWhile(publisher, () => writing)) : undefined;
        yield* Effect.promise(() =>
          drive(
            events,
            concurrency,
            rate,
            (event) =>
              runPromise(
                commands
                  .add(event.user_id, {
                    movie: event.movie,
                    rating: event.rating,
                    watched_at: event.at,
                    added_at: event.at,
                  })
                  .pipe(
                    Effect.map((result): Outcome => result.status),
                    Effect.catchAll((error) =>
                      Effect.sync(() =>
                        failed(`replay: a write failed (${error.message}); counting the others`),
                      ),
                    ),
                  ),
              ),
            onDone,
          ),
        );
        writing = false;
        if (pager !== undefined) yield* pager.await;
        const drained = yield* drainOutbox(publisher);
        if (drained._tag === "Left") {
          return yield* Effect.die(
            new Error(
              "the outbox stopped draining for 60 s (every entry is stored; the API's relay publishes the rest)",
            ),
          );
        }
      }).pipe(Effect.provide(layer)),
    ) as Effect.Effect<void>,
  );

import { USER_MOVIE_EVENTS_TOPIC, type WatchlistEvent } from "@cinematch/domain";
import { Chunk, Clock, Context, Deferred, Duration, Effect, Layer, Queue } from "effect";
import { EventLog, type EventLogError, type LogPosition } from "../event-log/EventLog.ts";
import type { StoreUnavailable } from "../store-errors.ts";
import { type PendingEvents, type PublishedEvent, WatchlistStore } from "../watchlist/WatchlistStore.ts";
import { makeInFlightEntries } from "./in-flight.ts";
import { mergeUserOutboxes, toOutgoingMessage } from "./outgoing.ts";

export { mergeUserOutboxes, toOutgoingMessage } from "./outgoing.ts";

/**
 * The publishing half of the outbox. A change and its pending event are written in one document
 * (see `WatchlistStore`); writers hand the committed events over (`enqueue`) and this publishes them
 * in batches, in order, keyed by user id: one send per batch, then one `markPublished` bulk write
 * that clears exactly those events (by id) and records where they landed. The relay publishes what
 * stays pending (after a crash, or while the broker was away). A crash between the two only means the events are published again later: consumers drop
 * duplicates by event id, so nothing is lost and nothing counts twice.
 */
export interface OutboxPublisherOptions {
  readonly topic?: string;
  /** Partition count used when the publisher creates the topic (it tries once before publishing). Default 6. */
  readonly partitions?: number;
  /** Bound on a writer's wait for its events in `await` mode. Default 2000 ms. */
  readonly publishTimeoutMs?: number;
  /** Events per send (and per clearing bulk write). Default 1000. */
  readonly batchSize?: number;
  /** The relay leaves outboxes younger than this to the batched publisher, unless degraded. Default 1000 ms. */
  readonly relayMinAgeMs?: number;
}

export interface OutboxStats {
  readonly events_published_total: number;
  readonly publish_failures_total: number;
  /** Pending events counted by the relay's last pass (`-1` before the first count). */
  readonly backlog: number;
  /**
   * True after a failed publication and until a relay pass finds nothing more to drain. While
   * degraded, writers do not queue events and leave everything to the relay, so the
   * backlog drains oldest first (in order per user) and no request waits on a dead broker.
   */
  readonly degraded: boolean;
}

export interface CommittedEvents extends PendingEvents {
  /** The entry's version after this commit. */
  readonly version: number;
  /** The entry's events that were pending before this commit (as loaded), oldest first. */
  readonly earlier: ReadonlyArray<WatchlistEvent>;
}

export interface RelayPass {
  /** Outboxes read this pass. */
  readonly outboxes: number;
  readonly published: number;
  /** Whether the page was full (more may be waiting). */
  readonly full: boolean;
}

export interface OutboxPublisherService {
  readonly topic: string;
  /** Creates the topic if missing (once per process; failures are retried before the next publish). */
  readonly ensureTopic: Effect.Effect<void, EventLogError>;
  /**
   * Hands a committed change's events to the publisher: they go out with whatever else is queued,
   * in one send per batch, and their outboxes are cleared with one bulk write per batch. Returns at
   * once with an effect that waits (bounded, failures swallowed) until they are on the topic. While
   * degraded, or when earlier events of that entry are pending that this process did not queue (left
   * by a crash), the events stay for the relay, which keeps them in order.
   */
  readonly enqueue: (committed: CommittedEvents) => Effect.Effect<Effect.Effect<void>>;
  /**
   * One relay pass: the oldest `limit` outboxes (only those older than `relayMinAgeMs` unless
   * degraded), every user's events merged oldest first, published in one call, then marked.
   */
  readonly publishBacklog: (limit: number) => Effect.Effect<RelayPass, EventLogError | StoreUnavailable>;
  /** Counts pending events (and remembers the count for `stats`). A scan on FerretDB: for scrapes, not loops. */
  readonly countBacklog: Effect.Effect<number, StoreUnavailable>;
  /** Asks the relay for a pass now (writers in `relay` mode call it; failures call it too). */
  readonly wakeRelay: Effect.Effect<void>;
  /** What the relay waits on between passes: a wake-up, or `idle` elapsed. */
  readonly awaitWake: (idle: Duration.Duration) => Effect.Effect<void>;
  readonly stats: Effect.Effect<OutboxStats>;
}

export class OutboxPublisher extends Context.Tag("@cinematch/adapters/OutboxPublisher")<
  OutboxPublisher,
  OutboxPublisherService
>() {}

export const makeOutboxPublisher = (options: OutboxPublisherOptions = {}) =>
  Effect.gen(function* () {
    const store = yield* WatchlistStore;
    const log = yield* EventLog;
    const topic = options.topic ?? USER_MOVIE_EVENTS_TOPIC;
    const partitions = options.partitions ?? 6;
    const publishTimeout = Duration.millis(options.publishTimeoutMs ?? 2000);
    const minAgeMs = options.relayMinAgeMs ?? 1000;
    const batchSize = options.batchSize ?? 1000;

    const wakeups = yield* Queue.sliding<void>(1);
    const wakeRelay = Queue.offer(wakeups, undefined).pipe(Effect.asVoid);
    let topicReady = false;
    let published = 0;
    let failures = 0;
    let backlog = -1;
    let degraded = false;
    const inFlight = makeInFlightEntries();
    const { hold, release } = inFlight;
    /** Entries a relay pass is publishing: a writer's newer events there wait for the relay too. */
    const claimed = new Set<string>();
    /**
     * For each relay pass reading its page: the entries whose published events were cleared
     * meanwhile. The page may have been read before the clearing landed and still show them as
     * pending; claiming them would publish their events a second time.
     */
    const clearedDuringRead = new Set<Set<string>>();

    const ensureTopic = Effect.suspend(() =>
      topicReady
        ? Effect.void
        : log.ensureTopic(topic, partitions).pipe(Effect.tap(() => Effect.sync(() => (topicReady = true)))),
    );
    // The topic may exist with another partition count (made by a runner): publish anyway.
    const ensureTopicOnce = ensureTopic.pipe(
      Effect.catchAll((error) => Effect.logDebug("outbox: ensureTopic failed", error.message)),
    );

    const publishEvents = (events: ReadonlyArray<WatchlistEvent>) =>
      ensureTopicOnce.pipe(
        Effect.zipRight(log.publish(topic, events.map(toOutgoingMessage))),
        Effect.tapBoth({
          onFailure: () =>
            Effect.sync(() => {
              failures += 1;
              degraded = true;
            }).pipe(Effect.zipRight(wakeRelay)),
          onSuccess: () => Effect.sync(() => (published += events.length)),
        }),
      );

    interface Queued {
      readonly entry_key: string;
      readonly event: WatchlistEvent;
      readonly version: number;
      /** Completed once the event is on the topic (or given up to the relay). */
      readonly done: Deferred.Deferred<void> | undefined;
    }
    const queue = yield* Queue.unbounded<Queued>();
    const toClear = yield* Queue.unbounded<{
      readonly published: ReadonlyArray<PublishedEvent>;
      readonly keys: ReadonlyArray<string>;
    }>();

    const settle = (batch: ReadonlyArray<Queued>) =>
      Effect.forEach(
        batch,
        (item) => (item.done === undefined ? Effect.void : Deferred.succeed(item.done, undefined)),
        {
          discard: true,
        },
      );

    /**
     * The sending half: whatever is queued goes out in one send (the next batch gathers while this
     * one is in flight). A failed send leaves that batch and everything queued behind it to the
     * relay (they are durable in their outboxes) and turns the publisher degraded.
     */
    yield* Effect.forkScoped(
      Effect.forever(
        Effect.gen(function* () {
          const first = yield* Queue.take(queue);
          const batch = [first, ...Chunk.toReadonlyArray(yield* Queue.takeUpTo(queue, batchSize - 1))];
          const send: Effect.Effect<
            ReadonlyArray<LogPosition>,
            EventLogError | "left to the relay"
          > = degraded ? Effect.fail("left to the relay") : publishEvents(batch.map((item) => item.event));
          const result = yield* Effect.either(send);
          if (result._tag === "Left") {
            const behind = Chunk.toReadonlyArray(yield* Queue.takeAll(queue));
            for (const item of [...batch, ...behind]) release(item.entry_key);
            yield* settle([...batch, ...behind]);
            return;
          }
          yield* Queue.offer(toClear, {
            published: batch.map((item, i) => ({
              entry_key: item.entry_key,
              event: item.event,
              position: result.right[i]!,
              version: item.version,
            })),
            keys: batch.map((item) => item.entry_key),
          });
          yield* settle(batch);
        }),
      ),
    );

    /** The clearing half: everything published meanwhile, cleared with one bulk write. */
    yield* Effect.forkScoped(
      Effect.forever(
        Effect.gen(function* () {
          const first = yield* Queue.take(toClear);
          const batch = [first, ...Chunk.toReadonlyArray(yield* Queue.takeAll(toClear))];
          yield* store.markPublished(batch.flatMap((b) => b.published)).pipe(
            Effect.tap(() =>
              Effect.sync(() => {
                for (const reading of clearedDuringRead)
                  for (const b of batch) for (const key of b.keys) reading.add(key);
              }),
            ),
            Effect.catchAll((error) =>
              Effect.logWarning(
                "outbox: clearing published events failed; the relay republishes them",
                error.message,
              ),
            ),
          );
          for (const b of batch) for (const key of b.keys) release(key);
        }),
      ),
    );

    const enqueue = (committed: CommittedEvents): Effect.Effect<Effect.Effect<void>> =>
      Effect.gen(function* () {
        // Earlier events this process did not queue itself would be overtaken: the relay sends them all.
        if (
          degraded ||
          claimed.has(committed.entry_key) ||
          (committed.earlier.length > 0 && !inFlight.has(committed.entry_key))
        ) {
          yield* wakeRelay;
          return Effect.void;
        }
        const done = yield* Deferred.make<void>();
        const items = committed.events.map(
          (event, i): Queued => ({
            entry_key: committed.entry_key,
            event,
            version: committed.version,
            done: i === committed.events.length - 1 ? done : undefined,
          }),
        );
        for (const item of items) hold(item.entry_key);
        yield* Queue.offerAll(queue, items);
        return Deferred.await(done).pipe(Effect.timeout(publishTimeout), Effect.ignore);
      });

    /** Claims entries for a relay pass; those in flight, or cleared since the page was read, are skipped. */
    const claim = (keys: ReadonlyArray<string>, cleared: ReadonlySet<string>) =>
      Effect.sync(() => {
        const taken: Array<string> = [];
        for (const key of keys) {
          if (inFlight.has(key) || cleared.has(key)) continue;
          hold(key);
          claimed.add(key);
          taken.push(key);
        }
        return taken;
      });
    const releaseAll = (keys: ReadonlyArray<string>) =>
      Effect.sync(() => {
        for (const key of keys) {
          release(key);
          claimed.delete(key);
        }
      });

    const publishBacklog = (limit: number) =>
      Effect.gen(function* () {
        const cleared = new Set<string>();
        clearedDuringRead.add(cleared);
        const page = yield* store
          .pendingEvents(limit)
          .pipe(Effect.onError(() => Effect.sync(() => clearedDuringRead.delete(cleared))));
        const full = page.length >= limit;
        const now = yield* Clock.currentTimeMillis;
        const wasDegraded = degraded;
        const failuresAtStart = failures;
        // Leave degraded mode only when a pass drained everything it saw and nothing failed meanwhile.
        const recover = () => {
          if (wasDegraded && !full && failures === failuresAtStart) degraded = false;
        };
        const eligible = wasDegraded
          ? page
          : page.filter((outbox) => (outbox.events[0]?.occurred_at ?? now) <= now - minAgeMs);
        const keys = yield* claim(
          eligible.map((outbox) => outbox.entry_key),
          cleared,
        );
        clearedDuringRead.delete(cleared);
        if (keys.length === 0) {
          recover();
          return { outboxes: page.length, published: 0, full };
        }
        const pass = Effect.gen(function* () {
          const mine = new Set(keys);
          const byUser = new Map<string, Array<PendingEvents>>();
          for (const outbox of eligible) {
            if (!mine.has(outbox.entry_key)) continue;
            const list = byUser.get(outbox.user_id) ?? [];
            list.push(outbox);
            byUser.set(outbox.user_id, list);
          }
          const ordered = [...byUser.values()].flatMap(mergeUserOutboxes);
          const versions = new Map(eligible.map((outbox) => [outbox.entry_key, outbox.version]));
          const positions = yield* publishEvents(ordered.map(({ event }) => event));
          yield* store.markPublished(
            ordered.map(({ entry_key, event }, i) => ({
              entry_key,
              event,
              position: positions[i]!,
              ...(versions.get(entry_key) === undefined ? {} : { version: versions.get(entry_key)! }),
            })),
          );
          recover();
          return { outboxes: page.length, published: ordered.length, full };
        });
        return yield* pass.pipe(Effect.ensuring(releaseAll(keys)));
      });

    const service: OutboxPublisherService = {
      topic,
      ensureTopic,
      enqueue,
      publishBacklog,
      countBacklog: store.pendingCount.pipe(Effect.tap((count) => Effect.sync(() => (backlog = count)))),
      wakeRelay,
      awaitWake: (idle) => Effect.race(Queue.take(wakeups), Effect.sleep(idle)).pipe(Effect.asVoid),
      stats: Effect.sync(() => ({
        events_published_total: published,
        publish_failures_total: failures,
        backlog,
        degraded,
      })),
    };
    return service;
  });

export const OutboxPublisherLive = (
  options: OutboxPublisherOptions = {},
): Layer.Layer<OutboxPublisher, never, WatchlistStore | EventLog> =>
  Layer.scoped(OutboxPublisher, makeOutboxPublisher(options));

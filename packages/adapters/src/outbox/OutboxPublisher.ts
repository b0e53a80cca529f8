import { encoderFor, USER_MOVIE_EVENTS_TOPIC, WatchlistEvent } from "@cinematch/domain";
import { Chunk, Clock, Context, Deferred, Duration, Effect, Layer, Option, Queue } from "effect";
import {
  EventLog,
  type EventLogError,
  type LogPosition,
  type OutgoingMessage,
} from "../event-log/EventLog.ts";
import type { StoreUnavailable } from "../store-errors.ts";
import { type PendingEvents, WatchlistStore } from "../watchlist/WatchlistStore.ts";

/**
 * The publishing half of the outbox. A change and its pending event are written in one document
 * (see `WatchlistStore`); this publishes an outbox's events in order, keyed by user id, and then
 * clears exactly those events with `markPublished` (conditional on their ids), recording where they
 * landed. A crash between the two only means the events are published again later: consumers drop
 * duplicates by event id, so nothing is lost and nothing counts twice.
 */
export interface OutboxPublisherOptions {
  readonly topic?: string;
  /** Partition count used when the publisher creates the topic (it tries once before publishing). Default 6. */
  readonly partitions?: number;
  /** Bound on one immediate publication (`publishPending`). Default 2000 ms. */
  readonly publishTimeoutMs?: number;
  /** The relay leaves outboxes younger than this to the immediate publisher, unless degraded. Default 1000 ms. */
  readonly relayMinAgeMs?: number;
}

export interface OutboxStats {
  readonly events_published_total: number;
  readonly publish_failures_total: number;
  /** Pending events counted by the relay's last pass (`-1` before the first count). */
  readonly backlog: number;
  /**
   * True after a failed publication and until a relay pass finds nothing more to drain. While
   * degraded, writers skip the immediate publication and leave everything to the relay, so the
   * backlog drains oldest first (in order per user) and no request waits on a dead broker.
   */
  readonly degraded: boolean;
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
   * Publishes one entry's pending events in order and marks them published; the number published.
   * If another fiber is publishing that entry, it returns 0 at once and that fiber goes round again.
   */
  readonly publishPending: (entry_key: string) => Effect.Effect<number, EventLogError | StoreUnavailable>;
  /** `publishPending`, unless degraded, bounded, failures logged and swallowed: what writers call. */
  readonly tryPublishPending: (entry_key: string) => Effect.Effect<void>;
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

const encodeEvent = encoderFor(WatchlistEvent);

export const toOutgoingMessage = (event: WatchlistEvent): OutgoingMessage => ({
  key: event.user_id,
  value: JSON.stringify(encodeEvent(event)),
  headers: {
    event_id: event.event_id,
    event_type: event.event_type,
    schema_version: String(event.schema_version),
  },
});

/**
 * Merges one user's outboxes into one sequence, oldest `occurred_at` first, never reordering the
 * events of one outbox (a clock that steps back cannot put a DELETE before its ADD).
 */
export const mergeUserOutboxes = (
  outboxes: ReadonlyArray<PendingEvents>,
): Array<{ readonly entry_key: string; readonly event: WatchlistEvent }> => {
  const cursors = outboxes.map(() => 0);
  const merged: Array<{ entry_key: string; event: WatchlistEvent }> = [];
  for (;;) {
    let best = -1;
    for (let i = 0; i < outboxes.length; i++) {
      const candidate = outboxes[i]!.events[cursors[i]!];
      if (candidate === undefined) continue;
      const current = best < 0 ? undefined : outboxes[best]!.events[cursors[best]!];
      if (current === undefined || candidate.occurred_at < current.occurred_at) best = i;
    }
    if (best < 0) return merged;
    const outbox = outboxes[best]!;
    merged.push({ entry_key: outbox.entry_key, event: outbox.events[cursors[best]!]! });
    cursors[best]! += 1;
  }
};

export const makeOutboxPublisher = (options: OutboxPublisherOptions = {}) =>
  Effect.gen(function* () {
    const store = yield* WatchlistStore;
    const log = yield* EventLog;
    const topic = options.topic ?? USER_MOVIE_EVENTS_TOPIC;
    const partitions = options.partitions ?? 6;
    const publishTimeout = Duration.millis(options.publishTimeoutMs ?? 2000);
    const minAgeMs = options.relayMinAgeMs ?? 1000;

    const wakeups = yield* Queue.sliding<void>(1);
    const wakeRelay = Queue.offer(wakeups, undefined).pipe(Effect.asVoid);
    let topicReady = false;
    let published = 0;
    let failures = 0;
    let backlog = -1;
    let degraded = false;
    /** Entries being published by some fiber; `goAgain` asks that fiber to go round once more. */
    const inFlight = new Map<string, { goAgain: boolean }>();

    const ensureTopicOnce = Effect.suspend(() =>
      topicReady
        ? Effect.void
        : log.ensureTopic(topic, partitions).pipe(
            Effect.tap(() => Effect.sync(() => (topicReady = true))),
            // The topic may exist with another partition count (made by a runner): publish anyway.
            Effect.catchAll((error) => Effect.logDebug("outbox: ensureTopic failed", error.message)),
          ),
    );

    /**
     * Sends made while one is in flight go out together in the next call (each caller gets its own
     * slice of the positions back, in its own order): concurrent writers share broker round trips
     * instead of queueing behind one another on the idempotent producer's single in-flight request.
     */
    const sends = yield* Queue.unbounded<{
      readonly messages: ReadonlyArray<OutgoingMessage>;
      readonly done: Deferred.Deferred<ReadonlyArray<LogPosition>, EventLogError>;
    }>();
    yield* Effect.forkScoped(
      Effect.forever(
        Effect.gen(function* () {
          const first = yield* Queue.take(sends);
          const batch = [first, ...Chunk.toReadonlyArray(yield* Queue.takeUpTo(sends, 999))];
          const result = yield* Effect.either(
            ensureTopicOnce.pipe(
              Effect.zipRight(
                log.publish(
                  topic,
                  batch.flatMap((s) => s.messages),
                ),
              ),
            ),
          );
          let offset = 0;
          for (const send of batch) {
            const slice =
              result._tag === "Right"
                ? Effect.succeed(result.right.slice(offset, offset + send.messages.length))
                : Effect.fail(result.left);
            offset += send.messages.length;
            yield* Deferred.complete(send.done, slice);
          }
        }),
      ),
    );
    const send = (messages: ReadonlyArray<OutgoingMessage>) =>
      Effect.gen(function* () {
        const done = yield* Deferred.make<ReadonlyArray<LogPosition>, EventLogError>();
        yield* Queue.offer(sends, { messages, done });
        return yield* Deferred.await(done);
      });

    const publishEvents = (events: ReadonlyArray<WatchlistEvent>) =>
      send(events.map(toOutgoingMessage)).pipe(
        Effect.tapBoth({
          onFailure: () =>
            Effect.sync(() => {
              failures += 1;
              degraded = true;
            }).pipe(Effect.zipRight(wakeRelay)),
          onSuccess: () => Effect.sync(() => (published += events.length)),
        }),
      );

    const markAll = (
      entries: ReadonlyArray<{ readonly entry_key: string; readonly event: WatchlistEvent }>,
      positions: ReadonlyArray<LogPosition>,
    ) => {
      const byEntry = new Map<string, Array<{ event: WatchlistEvent; position: LogPosition }>>();
      entries.forEach(({ entry_key, event }, i) => {
        const list = byEntry.get(entry_key) ?? [];
        list.push({ event, position: positions[i]! });
        byEntry.set(entry_key, list);
      });
      return Effect.forEach(byEntry, ([entry_key, list]) => store.markPublished(entry_key, list), {
        concurrency: 8,
        discard: true,
      });
    };

    const publishOnce = (entry_key: string) =>
      Effect.gen(function* () {
        const pending = yield* store.pendingFor(entry_key);
        if (Option.isNone(pending)) return 0;
        const { events } = pending.value;
        const positions = yield* publishEvents(events);
        yield* markAll(
          events.map((event) => ({ entry_key, event })),
          positions,
        );
        return events.length;
      });

    /** Runs `body` as the only publisher of these keys; keys already taken are asked to go again and skipped. */
    const claim = (keys: ReadonlyArray<string>) =>
      Effect.sync(() => {
        const taken: Array<string> = [];
        for (const key of keys) {
          const holder = inFlight.get(key);
          if (holder !== undefined) holder.goAgain = true;
          else {
            inFlight.set(key, { goAgain: false });
            taken.push(key);
          }
        }
        return taken;
      });
    const releaseAll = (keys: ReadonlyArray<string>) =>
      Effect.sync(() => {
        for (const key of keys) inFlight.delete(key);
      });
    const takeDirty = (key: string) =>
      Effect.sync(() => {
        const holder = inFlight.get(key);
        const goAgain = holder?.goAgain ?? false;
        if (holder !== undefined) holder.goAgain = false;
        return goAgain;
      });

    const publishClaimed = (entry_key: string) =>
      Effect.gen(function* () {
        let total = 0;
        do total += yield* publishOnce(entry_key);
        while (yield* takeDirty(entry_key));
        return total;
      });

    const publishPending = (entry_key: string) =>
      Effect.flatMap(claim([entry_key]), (taken) =>
        taken.length === 0
          ? Effect.succeed(0)
          : publishClaimed(entry_key).pipe(Effect.ensuring(releaseAll(taken))),
      );

    const tryPublishPending = (entry_key: string) =>
      Effect.suspend(() =>
        degraded
          ? Effect.void
          : publishPending(entry_key).pipe(
              Effect.timeoutFail({
                duration: publishTimeout,
                onTimeout: () => "publication timed out" as const,
              }),
              Effect.tapError(() => Effect.sync(() => (degraded = true)).pipe(Effect.zipRight(wakeRelay))),
              Effect.catchAll((error) =>
                Effect.logDebug(
                  "outbox: immediate publication failed; the relay will publish",
                  typeof error === "string" ? error : error.message,
                ),
              ),
              Effect.asVoid,
            ),
      );

    const publishBacklog = (limit: number) =>
      Effect.gen(function* () {
        const page = yield* store.pendingEvents(limit);
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
        const keys = yield* claim(eligible.map((outbox) => outbox.entry_key));
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
          const positions = yield* publishEvents(ordered.map(({ event }) => event));
          yield* markAll(ordered, positions);
          // Writers that tried to publish one of these entries meanwhile left it to us.
          for (const key of keys) if (yield* takeDirty(key)) yield* publishClaimed(key);
          recover();
          return { outboxes: page.length, published: ordered.length, full };
        });
        return yield* pass.pipe(Effect.ensuring(releaseAll(keys)));
      });

    const service: OutboxPublisherService = {
      topic,
      ensureTopic: Effect.suspend(() =>
        topicReady
          ? Effect.void
          : log.ensureTopic(topic, partitions).pipe(Effect.tap(() => Effect.sync(() => (topicReady = true)))),
      ),
      publishPending,
      tryPublishPending,
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

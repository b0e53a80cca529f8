import { jsonDecoderFor, WatchlistEvent } from "@cinematch/domain";
import { Deferred, Effect, Either, Fiber, Layer, Option } from "effect";
import { describe, expect, it } from "vitest";
import { EventLogMemoryControl, EventLogMemory } from "../event-log/memory.ts";
import { IdGeneratorSequential } from "../ids/IdGenerator.ts";
import {
  WatchlistCommands,
  WatchlistCommandsLive,
  type WatchlistCommandsOptions,
} from "../watchlist/commands.ts";
import { WatchlistStoreMemory } from "../watchlist/memory.ts";
import { WatchlistStore, watchlistEntryKey } from "../watchlist/WatchlistStore.ts";
import { addedEvent, sampleEntry, sampleFilm } from "../watchlist/WatchlistStore.contract.ts";
import { mergeUserOutboxes, OutboxPublisher, OutboxPublisherLive } from "./OutboxPublisher.ts";
import { OutboxRelayLive } from "./OutboxRelay.ts";
import { eventuallyHolds } from "../test-support.ts";

const TOPIC = "outbox-unit-events";
const decodeEvent = jsonDecoderFor(WatchlistEvent, "watchlist event");

const world = (
  options: { commands?: WatchlistCommandsOptions; relay?: boolean; startDown?: boolean } = {},
) => {
  const base = Layer.mergeAll(
    WatchlistStoreMemory,
    EventLogMemory({ startDown: options.startDown ?? false }),
    IdGeneratorSequential("ev"),
  );
  const publisher = OutboxPublisherLive({ topic: TOPIC, partitions: 3, relayMinAgeMs: 0 }).pipe(
    Layer.provideMerge(base),
  );
  const relay = options.relay ? OutboxRelayLive({ intervalMs: 5, maxBackoffMs: 20 }) : Layer.empty;
  return Layer.mergeAll(WatchlistCommandsLive(options.commands), relay).pipe(Layer.provideMerge(publisher));
};

type World = Layer.Layer.Success<ReturnType<typeof world>>;
const run = <A, E>(layer: Layer.Layer<World>, body: Effect.Effect<A, E, World>): Promise<A> =>
  Effect.runPromise(Effect.scoped(Effect.provide(body, layer)) as Effect.Effect<A, E>);

/** The topic's events, in log order per partition. */
const topicEvents = Effect.gen(function* () {
  const records = yield* (yield* EventLogMemoryControl).records(TOPIC);
  return records.map((record) => ({ key: record.key, event: Either.getOrThrow(decodeEvent(record.value)) }));
});

/** The in-memory relay settles within milliseconds; 5 s is the bound (polled, never slept). */
const POLL = { timeoutMs: 5000, intervalMs: 5 };

describe("the outbox with the broker up", () => {
  it("given a new film, when added, then its ADD is on the topic keyed by the user and nothing stays pending", async () => {
    const result = await run(
      world(),
      Effect.gen(function* () {
        const commands = yield* WatchlistCommands;
        const added = yield* commands.add("u1", { movie: sampleFilm("m1"), rating: 8 });
        return {
          added,
          events: yield* topicEvents,
          pending: yield* (yield* WatchlistStore).pendingCount,
          stats: yield* (yield* OutboxPublisher).stats,
        };
      }),
    );
    expect(result.added.status).toBe("added");
    expect(result.events).toHaveLength(1);
    expect(result.events[0]?.key).toBe("u1");
    expect(result.events[0]?.event).toMatchObject({
      event_type: "ADD",
      event_id: "ev-000001",
      user_id: "u1",
      rating: 8,
      movie: { movie_id: "m1" },
    });
    expect(result.pending).toBe(0);
    expect(result.stats).toMatchObject({ events_published_total: 1, degraded: false });
  });

  it("given add, update, remove and a second add, when published, then the log holds them in order and positions are recorded", async () => {
    const result = await run(
      world(),
      Effect.gen(function* () {
        const commands = yield* WatchlistCommands;
        yield* commands.add("u1", { movie: sampleFilm("m1") });
        const again = yield* commands.add("u1", { movie: sampleFilm("m1"), rating: 3 });
        const updated = yield* commands.update("u1", "m1", { rating: 6.5 });
        const removed = yield* commands.remove("u1", "m1");
        const missing = yield* commands.update("u1", "m1", { rating: 1 });
        return {
          again,
          updated,
          removed,
          missing,
          events: yield* topicEvents,
          since: yield* (yield* WatchlistStore).entriesAddedSince(0),
        };
      }),
    );
    expect(result.again.status).toBe("already_present");
    expect(result.again.entry.rating).toBeUndefined();
    expect(Option.getOrThrow(result.updated).rating).toBe(6.5);
    expect(Option.isSome(result.removed)).toBe(true);
    expect(Option.isNone(result.missing)).toBe(true);
    expect(result.events.map((e) => [e.event.event_type, e.event.event_id])).toEqual([
      ["ADD", "ev-000001"],
      ["UPDATE", "ev-000003"],
      ["DELETE", "ev-000004"],
    ]);
    const del = result.events[2]!.event;
    expect(del.added_at).toBe(result.events[0]!.event.added_at);
    const tombstone = result.since[0]!;
    expect(tombstone.removed).toBe(true);
    expect(Option.isSome(tombstone.add_position) && Option.isSome(tombstone.delete_position)).toBe(true);
  });

  it("given two concurrent publications of one entry, when both finish, then each event is on the topic once", async () => {
    const result = await run(
      world({ commands: { publish: "relay" } }),
      Effect.gen(function* () {
        const commands = yield* WatchlistCommands;
        const publisher = yield* OutboxPublisher;
        yield* commands.add("u1", { movie: sampleFilm("m1") });
        yield* commands.update("u1", "m1", { rating: 2 });
        yield* Effect.all([publisher.publishBacklog(10), publisher.publishBacklog(10)], { concurrency: 2 });
        return yield* topicEvents;
      }),
    );
    expect(result.map((e) => e.event.event_id)).toEqual(["ev-000001", "ev-000002"]);
  });
});

describe("the outbox while the broker is down", () => {
  it("given writes while down, when the broker returns, then the relay drains every event once, in order per user", async () => {
    const result = await run(
      world({ relay: true }),
      Effect.gen(function* () {
        const control = yield* EventLogMemoryControl;
        const commands = yield* WatchlistCommands;
        const publisher = yield* OutboxPublisher;
        yield* commands.add("u1", { movie: sampleFilm("before") });
        yield* control.setBrokerDown(true);
        for (let i = 0; i < 5; i++) {
          yield* commands.add("u1", { movie: sampleFilm(`a${i}`) });
          yield* commands.add("u2", { movie: sampleFilm(`b${i}`) });
        }
        yield* commands.update("u1", "a0", { rating: 10 });
        yield* commands.remove("u2", "b0");
        const backlogWhileDown = yield* eventuallyHolds(publisher.countBacklog, (n) => n === 12, POLL);
        const statsWhileDown = yield* eventuallyHolds(
          publisher.stats,
          (s) => s.backlog === 12 && s.degraded,
          POLL,
        );
        const onTopicWhileDown = (yield* topicEvents).length;
        yield* control.setBrokerDown(false);
        yield* eventuallyHolds(publisher.countBacklog, (n) => n === 0, POLL);
        const drained = yield* eventuallyHolds(publisher.stats, (s) => !s.degraded, POLL);
        return { backlogWhileDown, statsWhileDown, onTopicWhileDown, drained, events: yield* topicEvents };
      }),
    );
    expect(result.backlogWhileDown).toBe(12);
    expect(result.onTopicWhileDown).toBe(1);
    expect(result.statsWhileDown.publish_failures_total).toBeGreaterThan(0);
    expect(result.drained.events_published_total).toBe(13);
    const ids = result.events.map((e) => e.event.event_id);
    expect(new Set(ids).size).toBe(13);
    for (const user of ["u1", "u2"]) {
      const times = result.events.filter((e) => e.key === user).map((e) => e.event.occurred_at);
      // Strictly increasing: a burst within one millisecond still gets distinct, ordered times.
      expect(times.every((t, i) => i === 0 || t > times[i - 1]!)).toBe(true);
    }
    const u2 = result.events
      .filter((e) => e.key === "u2")
      .map((e) => `${e.event.event_type}:${e.event.movie.movie_id}`);
    expect(u2.indexOf("DELETE:b0")).toBeGreaterThan(u2.indexOf("ADD:b0"));
  });

  it("given events left pending by a crash, when a relay starts, then it publishes them", async () => {
    const result = await run(
      world({ commands: { publish: "relay" }, relay: true }),
      Effect.gen(function* () {
        const commands = yield* WatchlistCommands;
        yield* commands.add("u1", { movie: sampleFilm("m1") });
        yield* commands.add("u2", { movie: sampleFilm("m2") });
        return yield* eventuallyHolds(topicEvents, (events) => events.length === 2, POLL);
      }),
    );
    expect(result.map((e) => e.event.event_id).sort()).toEqual(["ev-000001", "ev-000002"]);
  });
});

describe("the relay beside the batched publisher", () => {
  it("given a relay page read before the publisher cleared an entry, when the relay claims it afterwards, then the event is on the topic once", async () => {
    // A store whose page reads wait at a gate: the relay reads, the publisher publishes and clears
    // meanwhile, and only then does the relay go on to claim what its (now stale) page shows.
    let gate: { readonly read: Deferred.Deferred<void>; readonly open: Deferred.Deferred<void> } | undefined;
    const gatedStore = Layer.effect(
      WatchlistStore,
      Effect.map(WatchlistStore, (store) => ({
        ...store,
        pendingEvents: (limit: number) =>
          Effect.flatMap(store.pendingEvents(limit), (live) => {
            // A copy, as a database's answer is: what was pending when it was read.
            const page = live.map((outbox) => ({ ...outbox, events: [...outbox.events] }));
            return gate === undefined
              ? Effect.succeed(page)
              : Deferred.succeed(gate.read, undefined).pipe(
                  Effect.zipRight(Deferred.await(gate.open)),
                  Effect.as(page),
                );
          }),
      })),
    ).pipe(Layer.provide(WatchlistStoreMemory));
    const layer = OutboxPublisherLive({ topic: TOPIC, partitions: 3, relayMinAgeMs: 0 }).pipe(
      Layer.provideMerge(Layer.mergeAll(gatedStore, EventLogMemory(), IdGeneratorSequential("ev"))),
    );
    const result = await Effect.runPromise(
      Effect.scoped(
        Effect.provide(
          Effect.gen(function* () {
            const store = yield* WatchlistStore;
            const publisher = yield* OutboxPublisher;
            const entry = sampleEntry("u1", "m1", Date.UTC(2026, 10, 1));
            const add = addedEvent(entry, "ev-add");
            const committed = yield* store.commit({
              expected_version: undefined,
              state: { entry, removed: false },
              events: [add],
            });
            gate = { read: yield* Deferred.make<void>(), open: yield* Deferred.make<void>() };
            const relayPass = yield* Effect.fork(publisher.publishBacklog(100));
            yield* Deferred.await(gate.read);
            const handed = yield* publisher.enqueue({
              entry_key: watchlistEntryKey("u1", "m1"),
              user_id: "u1",
              events: [add],
              version: committed._tag === "Committed" ? committed.version : 0,
              earlier: [],
            });
            yield* handed;
            yield* eventuallyHolds(store.pendingCount, (count) => count === 0, POLL);
            yield* Deferred.succeed(gate.open, undefined);
            const pass = yield* Fiber.join(relayPass);
            return { pass, events: yield* topicEvents };
          }),
          layer,
        ),
      ),
    );
    expect(result.events.map((e) => e.event.event_id)).toEqual(["ev-add"]);
    expect(result.pass).toEqual({ outboxes: 1, published: 0, full: false });
  });
});

describe("merging one user's outboxes", () => {
  it("given a clock that stepped back inside one outbox, when merged, then that outbox's order is kept", () => {
    const at = (event_id: string, occurred_at: number) =>
      ({ event_id, occurred_at }) as unknown as WatchlistEvent;
    const merged = mergeUserOutboxes([
      { entry_key: "u|a", user_id: "u", events: [at("a1", 10), at("a2", 5)] },
      { entry_key: "u|b", user_id: "u", events: [at("b1", 7), at("b2", 20)] },
    ]);
    expect(merged.map((m) => m.event.event_id)).toEqual(["b1", "a1", "a2", "b2"]);
  });
});

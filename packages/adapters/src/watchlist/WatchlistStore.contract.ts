import {
  CURRENT_SCHEMA_VERSION,
  decide,
  evolveAll,
  type Film,
  type MovieAdded,
  type MovieRemoved,
  type MovieUpdated,
  type WatchedEntry,
  type WatchlistCommand,
  type WatchlistEvent,
} from "@cinematch/domain";
import { Effect, Either, type Layer, Option } from "effect";
import { describe, expect, it } from "vitest";
import type { LogPosition } from "../event-log/EventLog.ts";
import type { EntryChange } from "./commands.ts";
import { WatchlistStore, type WatchlistStoreService, watchlistEntryKey } from "./WatchlistStore.ts";

/** Builders for entries and their events, shared by the contract suite and other packages' tests. */
export const sampleFilm = (movie_id: string, extra: Partial<Film> = {}): Film => ({
  movie_id,
  title: `Film ${movie_id}`,
  ...extra,
});

export const sampleEntry = (
  user_id: string,
  movie_id: string,
  added_at: number,
  extra: Partial<WatchedEntry> = {},
): WatchedEntry => ({
  user_id,
  movie: sampleFilm(movie_id),
  watched_at: added_at,
  added_at,
  ...extra,
});

export const addedEvent = (
  entry: WatchedEntry,
  event_id: string,
  occurred_at = entry.added_at,
): MovieAdded => ({
  event_type: "ADD",
  schema_version: CURRENT_SCHEMA_VERSION,
  event_id,
  user_id: entry.user_id,
  occurred_at,
  movie: entry.movie,
  added_at: entry.added_at,
  watched_at: entry.watched_at,
  ...(entry.rating === undefined ? {} : { rating: entry.rating }),
  ...(entry.watch_count === undefined ? {} : { watch_count: entry.watch_count }),
});

export const updatedEvent =
  (event_id: string, occurred_at: number) =>
  (entry: WatchedEntry): MovieUpdated => ({
    ...addedEvent(entry, event_id, occurred_at),
    event_type: "UPDATE",
  });

export const removedEvent =
  (event_id: string, occurred_at: number) =>
  (entry: WatchedEntry): MovieRemoved => ({
    event_type: "DELETE",
    schema_version: CURRENT_SCHEMA_VERSION,
    event_id,
    user_id: entry.user_id,
    occurred_at,
    movie: entry.movie,
    added_at: entry.added_at,
  });

/**
 * The write path in miniature, as `WatchlistCommands` runs it: load, decide (with the event id and
 * time taken from the given event), commit what the decider returned; again after a conflict. The
 * suite drives every store through it, so it checks that the store persists exactly that.
 */
const via = (store: WatchlistStoreService) => {
  const execute = (command: WatchlistCommand, movie_id: string, now: number) =>
    Effect.gen(function* () {
      for (let attempt = 0; attempt < 100; attempt++) {
        const stored = yield* store.load(command.user_id, movie_id);
        const before = Option.getOrUndefined(stored)?.state;
        const decision = decide(command, before, now);
        if (Either.isLeft(decision)) return undefined;
        if (decision.right.length === 0) return { before, after: before, changed: false };
        const after = evolveAll(before, decision.right)!;
        const result = yield* store.commit({
          expected_version: Option.getOrUndefined(stored)?.version,
          state: after,
          events: decision.right,
        });
        if (result._tag === "Committed") return { before, after, changed: true };
      }
      return yield* Effect.die(new Error("the store kept reporting conflicts"));
    });
  /** The id and time a test's event factory gives (it is called with the current entry). */
  const stamp = (user_id: string, movie_id: string, makeEvent: (entry: WatchedEntry) => WatchlistEvent) =>
    Effect.map(store.load(user_id, movie_id), (stored) =>
      Option.map(
        Option.filter(stored, (s) => !s.state.removed),
        (s) => makeEvent(s.state.entry),
      ),
    );
  return {
    add: (entry: WatchedEntry, event: MovieAdded) =>
      Effect.map(
        execute(
          {
            type: "AddMovie",
            event_id: event.event_id,
            user_id: entry.user_id,
            movie: entry.movie,
            ...(entry.rating === undefined ? {} : { rating: entry.rating }),
            watched_at: entry.watched_at,
            added_at: entry.added_at,
            ...(entry.watch_count === undefined ? {} : { watch_count: entry.watch_count }),
          },
          entry.movie.movie_id,
          event.occurred_at,
        ),
        (outcome) => (outcome?.changed ? ("added" as const) : ("already_present" as const)),
      ),
    update: (
      user_id: string,
      movie_id: string,
      change: EntryChange,
      makeEvent: (entry: WatchedEntry) => MovieUpdated,
    ) =>
      Effect.flatMap(stamp(user_id, movie_id, makeEvent), (template) =>
        Option.isNone(template)
          ? Effect.succeed(Option.none<WatchedEntry>())
          : Effect.map(
              execute(
                {
                  type: "ChangeMovie",
                  event_id: template.value.event_id,
                  user_id,
                  movie_id,
                  ...(change.rating === undefined ? {} : { rating: change.rating }),
                  ...(change.watched_at === undefined ? {} : { watched_at: change.watched_at }),
                  ...(change.watch_count === undefined ? {} : { watch_count: change.watch_count }),
                },
                movie_id,
                template.value.occurred_at,
              ),
              (outcome) => Option.fromNullable(outcome?.after?.entry),
            ),
      ),
    remove: (user_id: string, movie_id: string, makeEvent: (entry: WatchedEntry) => MovieRemoved) =>
      Effect.flatMap(stamp(user_id, movie_id, makeEvent), (template) =>
        Option.isNone(template)
          ? Effect.succeed(Option.none<WatchedEntry>())
          : Effect.map(
              execute(
                { type: "RemoveMovie", event_id: template.value.event_id, user_id, movie_id },
                movie_id,
                template.value.occurred_at,
              ),
              (outcome) => Option.fromNullable(outcome?.before?.entry),
            ),
      ),
  };
};

/** One entry's outbox, as the relay would read it. */
const pendingFor = (store: WatchlistStoreService, entry_key: string) =>
  Effect.map(store.pendingEvents(10_000), (outboxes) =>
    Option.map(
      Option.fromNullable(outboxes.find((outbox) => outbox.entry_key === entry_key)),
      ({ entry_key, user_id, events }) => ({ entry_key, user_id, events }),
    ),
  );

const markPublished = (
  store: WatchlistStoreService,
  entry_key: string,
  published: ReadonlyArray<{ readonly event: WatchlistEvent; readonly position: LogPosition }>,
) => store.markPublished(published.map((item) => ({ entry_key, ...item })));

const T0 = Date.UTC(2026, 10, 1, 12);
const MINUTE = 60_000;
const position = (offset: number, partition = 0) => ({ partition, offset: String(offset) });

/**
 * The behaviour every `WatchlistStore` layer must have. `makeLayer` is called once per test and must
 * give an empty store (a fresh map, or a fresh database).
 */
export const watchlistStoreContract = (
  label: string,
  makeLayer: () => Layer.Layer<WatchlistStore, unknown>,
): void => {
  const run = <A, E>(body: (store: WatchlistStoreService) => Effect.Effect<A, E>): Promise<A> =>
    Effect.runPromise(
      Effect.scoped(Effect.flatMap(WatchlistStore, body).pipe(Effect.provide(makeLayer()))) as Effect.Effect<
        A,
        unknown
      >,
    );

  describe(`WatchlistStore contract: ${label}`, () => {
    describe("an empty store", () => {
      it("given no entries, when read, then every read is empty and nothing is pending", async () => {
        const result = await run((store) =>
          Effect.all({
            get: store.get("u1", "m1"),
            list: store.list("u1", { offset: 0, limit: 10 }),
            users: store.entriesOfUsers(["u1", "u2"]),
            since: store.entriesAddedSince(0),
            pending: store.pendingEvents(10),
            pendingFor: pendingFor(store, watchlistEntryKey("u1", "m1")),
            count: store.pendingCount,
          }),
        );
        expect(Option.isNone(result.get)).toBe(true);
        expect(result.list).toEqual({ entries: [], total: 0 });
        expect([...result.users.entries()]).toEqual([
          ["u1", []],
          ["u2", []],
        ]);
        expect(result.since).toEqual([]);
        expect(result.pending).toEqual([]);
        expect(Option.isNone(result.pendingFor)).toBe(true);
        expect(result.count).toBe(0);
      });

      it("given an unknown film, when updated or removed, then None and nothing is queued", async () => {
        const result = await run((store) =>
          Effect.all({
            updated: via(store).update("u1", "m1", { rating: 5 }, updatedEvent("e1", T0)),
            removed: via(store).remove("u1", "m1", removedEvent("e2", T0)),
            count: store.pendingCount,
          }),
        );
        expect(Option.isNone(result.updated)).toBe(true);
        expect(Option.isNone(result.removed)).toBe(true);
        expect(result.count).toBe(0);
      });
    });

    describe("a store where several users hold the same films", () => {
      it("given entries of three films, one removed, when the entries of two films are read, then the live ones come in (user, film) order", async () => {
        const result = await run((store) =>
          Effect.gen(function* () {
            const entries = [
              sampleEntry("u2", "m1", T0),
              sampleEntry("u1", "m2", T0 + MINUTE, { rating: 4 }),
              sampleEntry("u1", "m1", T0 + 2 * MINUTE),
              sampleEntry("u3", "m3", T0),
              sampleEntry("u3", "m1", T0),
            ];
            for (const [k, entry] of entries.entries())
              yield* via(store).add(entry, addedEvent(entry, `e${k}`));
            yield* via(store).remove("u3", "m1", removedEvent("e9", T0 + 3 * MINUTE));
            return {
              films: yield* store.entriesOfFilms(["m1", "m2", "m1"]),
              none: yield* store.entriesOfFilms([]),
            };
          }),
        );
        expect(result.films).toEqual([
          sampleEntry("u1", "m1", T0 + 2 * MINUTE),
          sampleEntry("u1", "m2", T0 + MINUTE, { rating: 4 }),
          sampleEntry("u2", "m1", T0),
        ]);
        expect(result.none).toEqual([]);
      });
    });

    describe("a store where a user added a film", () => {
      const entry = sampleEntry("u1", "m1", T0, {
        rating: 7.5,
        watched_at: T0 - 86_400_000,
        movie: sampleFilm("m1", {
          title: "Città d'Ombra",
          year: 1999,
          genres: ["Drama", "Crime"],
          directors: ["J.J. Abrams"],
          actors: ["A. Actor", "B. Actor"],
          runtime_minutes: 121,
          poster_path: "/p/m1.jpg",
        }),
      });
      const add = addedEvent(entry, "e-add");

      it("given the add, when the entry is read, then every field round-trips and its ADD is pending", async () => {
        const result = await run((store) =>
          Effect.gen(function* () {
            const status = yield* via(store).add(entry, add);
            return {
              status,
              got: yield* store.get("u1", "m1"),
              pendingFor: yield* pendingFor(store, watchlistEntryKey("u1", "m1")),
              count: yield* store.pendingCount,
            };
          }),
        );
        expect(result.status).toBe("added");
        expect(result.got).toEqual(Option.some(entry));
        expect(result.pendingFor).toEqual(
          Option.some({ entry_key: watchlistEntryKey("u1", "m1"), user_id: "u1", events: [add] }),
        );
        expect(result.count).toBe(1);
      });

      it("given the film again, when added, then it is already present and nothing changes", async () => {
        const again = sampleEntry("u1", "m1", T0 + MINUTE, { rating: 2 });
        const result = await run((store) =>
          Effect.gen(function* () {
            yield* via(store).add(entry, add);
            const status = yield* via(store).add(again, addedEvent(again, "e-add-2"));
            return { status, got: yield* store.get("u1", "m1"), count: yield* store.pendingCount };
          }),
        );
        expect(result.status).toBe("already_present");
        expect(result.got).toEqual(Option.some(entry));
        expect(result.count).toBe(1);
      });

      it("given a rating change, when updated, then the event is built from the changed entry and queued after the ADD", async () => {
        const result = await run((store) =>
          Effect.gen(function* () {
            yield* via(store).add(entry, add);
            const changed = yield* via(store).update(
              "u1",
              "m1",
              { rating: 9, watched_at: T0 },
              updatedEvent("e-upd", T0 + MINUTE),
            );
            const pending = yield* pendingFor(store, watchlistEntryKey("u1", "m1"));
            return { changed, got: yield* store.get("u1", "m1"), pending };
          }),
        );
        const expected = { ...entry, rating: 9, watched_at: T0 };
        expect(result.changed).toEqual(Option.some(expected));
        expect(result.got).toEqual(Option.some(expected));
        const events = Option.getOrThrow(result.pending).events;
        expect(events.map((e) => e.event_id)).toEqual(["e-add", "e-upd"]);
        expect(events[1]).toEqual(updatedEvent("e-upd", T0 + MINUTE)(expected));
      });

      it("given a film watched three times, when added and its count raised, then the count round-trips and travels in the events", async () => {
        const rewatched = { ...entry, watch_count: 3 };
        const result = await run((store) =>
          Effect.gen(function* () {
            yield* via(store).add(rewatched, addedEvent(rewatched, "e-add"));
            const added = yield* store.get("u1", "m1");
            yield* via(store).update("u1", "m1", { watch_count: 4 }, updatedEvent("e-upd", T0 + MINUTE));
            const pending = yield* pendingFor(store, watchlistEntryKey("u1", "m1"));
            return { added, got: yield* store.get("u1", "m1"), pending };
          }),
        );
        expect(result.added).toEqual(Option.some(rewatched));
        expect(result.got).toEqual(Option.some({ ...entry, watch_count: 4 }));
        expect(
          Option.getOrThrow(result.pending).events.map((e) =>
            "watch_count" in e ? e.watch_count : undefined,
          ),
        ).toEqual([3, 4]);
      });

      it("given a null rating, when updated, then the rating is cleared and the rest kept", async () => {
        const result = await run((store) =>
          Effect.gen(function* () {
            yield* via(store).add(entry, add);
            yield* via(store).update("u1", "m1", { rating: null }, updatedEvent("e-upd", T0 + MINUTE));
            return yield* store.get("u1", "m1");
          }),
        );
        const { rating: _cleared, ...withoutRating } = entry;
        expect(result).toEqual(Option.some(withoutRating));
      });

      it("given a live, a rated, a removed and an unknown entry, when read by key, then live ones are Some with their current state and the others None", async () => {
        const other = sampleEntry("u1", "m2", T0 + 1);
        const gone = sampleEntry("u2", "m1", T0 + 2);
        const result = await run((store) =>
          Effect.gen(function* () {
            yield* via(store).add(entry, add);
            yield* via(store).update("u1", "m1", { rating: 3 }, updatedEvent("e-upd", T0 + MINUTE));
            yield* via(store).add(other, addedEvent(other, "e-other"));
            yield* via(store).add(gone, addedEvent(gone, "e-gone"));
            yield* via(store).remove("u2", "m1", removedEvent("e-gone-del", T0 + MINUTE));
            return yield* store.entriesByKey([
              watchlistEntryKey("u1", "m1"),
              watchlistEntryKey("u1", "m2"),
              watchlistEntryKey("u2", "m1"),
              watchlistEntryKey("u9", "m9"),
              watchlistEntryKey("u1", "m1"),
            ]);
          }),
        );
        expect([...result.entries()].sort(([a], [b]) => (a < b ? -1 : 1))).toEqual([
          [watchlistEntryKey("u1", "m1"), Option.some({ ...entry, rating: 3 })],
          [watchlistEntryKey("u1", "m2"), Option.some(other)],
          [watchlistEntryKey("u2", "m1"), Option.none()],
          [watchlistEntryKey("u9", "m9"), Option.none()],
        ]);
        expect(await run((store) => store.entriesByKey([]))).toEqual(new Map());
      });

      it("given a remove, when read, then the entry is gone, a tombstone remains and DELETE follows the ADD", async () => {
        const result = await run((store) =>
          Effect.gen(function* () {
            yield* via(store).add(entry, add);
            const removed = yield* via(store).remove("u1", "m1", removedEvent("e-del", T0 + MINUTE));
            return {
              removed,
              got: yield* store.get("u1", "m1"),
              list: yield* store.list("u1", { offset: 0, limit: 10 }),
              users: yield* store.entriesOfUsers(["u1"]),
              since: yield* store.entriesAddedSince(T0),
              pending: yield* pendingFor(store, watchlistEntryKey("u1", "m1")),
              updateAfter: yield* via(store).update("u1", "m1", { rating: 1 }, updatedEvent("e-x", T0)),
              removeAgain: yield* via(store).remove("u1", "m1", removedEvent("e-y", T0)),
            };
          }),
        );
        expect(result.removed).toEqual(Option.some(entry));
        expect(Option.isNone(result.got)).toBe(true);
        expect(result.list).toEqual({ entries: [], total: 0 });
        expect(result.users.get("u1")).toEqual([]);
        expect(result.since).toEqual([
          {
            entry,
            removed: true,
            add_position: Option.none(),
            delete_position: Option.none(),
            add_event: Option.some({ event_id: add.event_id, occurred_at: add.occurred_at }),
            delete_event: Option.some({ event_id: "e-del", occurred_at: T0 + MINUTE }),
          },
        ]);
        expect(Option.getOrThrow(result.pending).events).toEqual([
          add,
          removedEvent("e-del", T0 + MINUTE)(entry),
        ]);
        expect(Option.isNone(result.updateAfter)).toBe(true);
        expect(Option.isNone(result.removeAgain)).toBe(true);
      });

      it("given a removed film, when added again, then it is a new entry queued after the DELETE", async () => {
        const again = sampleEntry("u1", "m1", T0 + 2 * MINUTE);
        const result = await run((store) =>
          Effect.gen(function* () {
            yield* via(store).add(entry, add);
            yield* markPublished(store, watchlistEntryKey("u1", "m1"), [
              { event: add, position: position(3) },
            ]);
            yield* via(store).remove("u1", "m1", removedEvent("e-del", T0 + MINUTE));
            const status = yield* via(store).add(again, addedEvent(again, "e-add-2"));
            return {
              status,
              got: yield* store.get("u1", "m1"),
              pending: yield* pendingFor(store, watchlistEntryKey("u1", "m1")),
              since: yield* store.entriesAddedSince(0),
            };
          }),
        );
        expect(result.status).toBe("added");
        expect(result.got).toEqual(Option.some(again));
        expect(Option.getOrThrow(result.pending).events.map((e) => e.event_id)).toEqual(["e-del", "e-add-2"]);
        expect(result.since).toEqual([
          {
            entry: again,
            removed: false,
            add_position: Option.none(),
            delete_position: Option.none(),
            add_event: Option.some({ event_id: "e-add-2", occurred_at: again.added_at }),
            delete_event: Option.none(),
          },
        ]);
      });
    });

    describe("a store with pending events", () => {
      it("given part of an outbox published, when marked, then only those ids leave and later ones stay", async () => {
        const entry = sampleEntry("u1", "m1", T0);
        const add = addedEvent(entry, "e-add");
        const result = await run((store) =>
          Effect.gen(function* () {
            yield* via(store).add(entry, add);
            // Read by the publisher; then the user changes the entry before the publisher marks it.
            const read = Option.getOrThrow(yield* pendingFor(store, watchlistEntryKey("u1", "m1")));
            yield* via(store).update("u1", "m1", { rating: 4 }, updatedEvent("e-upd", T0 + MINUTE));
            yield* markPublished(
              store,
              read.entry_key,
              read.events.map((event, i) => ({ event, position: position(10 + i) })),
            );
            return {
              pending: yield* pendingFor(store, read.entry_key),
              count: yield* store.pendingCount,
              since: yield* store.entriesAddedSince(0),
            };
          }),
        );
        expect(Option.getOrThrow(result.pending).events.map((e) => e.event_id)).toEqual(["e-upd"]);
        expect(result.count).toBe(1);
        expect(result.since[0]?.add_position).toEqual(Option.some(position(10)));
      });

      it("given a published DELETE, when marked, then the tombstone records its position and nothing is pending", async () => {
        const entry = sampleEntry("u1", "m1", T0);
        const add = addedEvent(entry, "e-add");
        const del = removedEvent("e-del", T0 + MINUTE)(entry);
        const result = await run((store) =>
          Effect.gen(function* () {
            yield* via(store).add(entry, add);
            yield* via(store).remove("u1", "m1", () => del);
            yield* markPublished(store, watchlistEntryKey("u1", "m1"), [
              { event: add, position: position(5, 2) },
              { event: del, position: position(6, 2) },
            ]);
            return {
              since: yield* store.entriesAddedSince(0),
              pending: yield* store.pendingEvents(10),
              count: yield* store.pendingCount,
            };
          }),
        );
        expect(result.since).toEqual([
          {
            entry,
            removed: true,
            add_position: Option.some(position(5, 2)),
            delete_position: Option.some(position(6, 2)),
            add_event: Option.some({ event_id: "e-add", occurred_at: add.occurred_at }),
            delete_event: Option.some({ event_id: "e-del", occurred_at: T0 + MINUTE }),
          },
        ]);
        expect(result.pending).toEqual([]);
        expect(result.count).toBe(0);
      });

      it("given an event published twice, when both are marked, then the later position is kept", async () => {
        const entry = sampleEntry("u1", "m1", T0);
        const add = addedEvent(entry, "e-add");
        const result = await run((store) =>
          Effect.gen(function* () {
            yield* via(store).add(entry, add);
            const key = watchlistEntryKey("u1", "m1");
            yield* markPublished(store, key, [{ event: add, position: position(9) }]);
            yield* markPublished(store, key, [{ event: add, position: position(4) }]);
            yield* markPublished(store, key, [{ event: add, position: position(12) }]);
            return yield* store.entriesAddedSince(0);
          }),
        );
        expect(result[0]?.add_position).toEqual(Option.some(position(12)));
      });

      it("given unknown event ids or entry keys, when marked, then nothing changes", async () => {
        const entry = sampleEntry("u1", "m1", T0);
        const add = addedEvent(entry, "e-add");
        const result = await run((store) =>
          Effect.gen(function* () {
            yield* via(store).add(entry, add);
            yield* markPublished(store, watchlistEntryKey("u1", "m1"), [
              { event: addedEvent(entry, "e-other"), position: position(1) },
            ]);
            yield* markPublished(store, watchlistEntryKey("u9", "m9"), [
              { event: add, position: position(1) },
            ]);
            return { count: yield* store.pendingCount, since: yield* store.entriesAddedSince(0) };
          }),
        );
        expect(result.count).toBe(1);
        expect(result.since[0]?.add_position).toEqual(Option.none());
      });

      it("given outboxes of several ages, when listed, then oldest first, a page limited, each in event order", async () => {
        const a = sampleEntry("u1", "a", T0 + 2 * MINUTE);
        const b = sampleEntry("u2", "b", T0);
        const c = sampleEntry("u1", "c", T0 + MINUTE);
        const result = await run((store) =>
          Effect.gen(function* () {
            yield* via(store).add(a, addedEvent(a, "e-a"));
            yield* via(store).add(b, addedEvent(b, "e-b"));
            yield* via(store).add(c, addedEvent(c, "e-c"));
            yield* via(store).update("u2", "b", { rating: 3 }, updatedEvent("e-b2", T0 + 3 * MINUTE));
            return {
              all: yield* store.pendingEvents(10),
              two: yield* store.pendingEvents(2),
              count: yield* store.pendingCount,
            };
          }),
        );
        expect(result.all.map((p) => [p.entry_key, p.user_id, p.events.map((e) => e.event_id)])).toEqual([
          ["u2|b", "u2", ["e-b", "e-b2"]],
          ["u1|c", "u1", ["e-c"]],
          ["u1|a", "u1", ["e-a"]],
        ]);
        // A page of two: any two of them, still oldest first.
        const order = result.all.map((p) => p.entry_key);
        const two = result.two.map((p) => p.entry_key);
        expect(two).toHaveLength(2);
        expect(two).toEqual([...two].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
        expect(result.count).toBe(4);
      });
    });

    describe("a store's writer counters", () => {
      it("given a new entry, a change of it and its events marked published, when the counters are read, then one document of each kind is counted, in at least one call each", async () => {
        const entry = sampleEntry("u1", "m1", T0);
        const result = await run((store) =>
          Effect.gen(function* () {
            const before = yield* store.writerStats;
            yield* via(store).add(entry, addedEvent(entry, "e-add"));
            yield* via(store).update("u1", "m1", { rating: 4 }, updatedEvent("e-upd", T0 + MINUTE));
            const read = Option.getOrThrow(yield* pendingFor(store, watchlistEntryKey("u1", "m1")));
            yield* markPublished(
              store,
              read.entry_key,
              read.events.map((event, i) => ({ event, position: position(10 + i) })),
            );
            return { before, after: yield* store.writerStats };
          }),
        );
        for (const kind of ["inserts", "updates", "clears"] as const) {
          expect(result.before[kind]).toEqual({ round_trips: 0, documents: 0, seconds: 0 });
          expect(result.after[kind].documents).toBe(1);
          expect(result.after[kind].round_trips).toBeGreaterThanOrEqual(1);
        }
      });
    });

    describe("a store under concurrent writers", () => {
      it("given many concurrent changes of one entry, when all finish, then every event is queued exactly once", async () => {
        const entry = sampleEntry("u1", "m1", T0);
        const result = await run((store) =>
          Effect.gen(function* () {
            yield* via(store).add(entry, addedEvent(entry, "e-add"));
            yield* Effect.forEach(
              Array.from({ length: 12 }, (_, i) => i),
              (i) =>
                via(store).update(
                  "u1",
                  "m1",
                  { rating: (i % 10) + 1 },
                  updatedEvent(`e-upd-${i}`, T0 + i + 1),
                ),
              { concurrency: "unbounded", discard: true },
            );
            const read = Option.getOrThrow(yield* pendingFor(store, watchlistEntryKey("u1", "m1")));
            // The publisher marks the first half while the writers are still at it.
            yield* Effect.all(
              [
                markPublished(
                  store,
                  read.entry_key,
                  read.events.slice(0, 6).map((event, i) => ({ event, position: position(i) })),
                ),
                ...Array.from({ length: 6 }, (_, i) =>
                  via(store).update("u1", "m1", { rating: 2 }, updatedEvent(`e-late-${i}`, T0 + 100 + i)),
                ),
              ],
              { concurrency: "unbounded" },
            );
            return {
              pending: Option.getOrThrow(yield* pendingFor(store, watchlistEntryKey("u1", "m1"))).events.map(
                (e) => e.event_id,
              ),
              count: yield* store.pendingCount,
            };
          }),
        );
        expect(new Set(result.pending).size).toBe(result.pending.length);
        expect(result.pending).toHaveLength(13);
        expect(result.pending.filter((id) => id.startsWith("e-late-"))).toHaveLength(6);
        expect(result.count).toBe(13);
      });
    });

    describe("a store with more listed films than one server command may change", () => {
      // FerretDB never answers an update command that changes 100 or more existing documents
      // (mongo/bulk.ts); a group-commit round or a publication batch bigger than that must still land.
      it("given 120 listed films, when all are re-rated at once and then published together, then every change lands and nothing stays pending", async () => {
        const count = 120;
        const result = await run((store) =>
          Effect.gen(function* () {
            yield* Effect.forEach(
              Array.from({ length: count }, (_, i) => i),
              (i) => {
                const entry = sampleEntry(`u${i % 4}`, `m${i}`, T0 + i);
                return via(store).add(entry, addedEvent(entry, `e-add-${i}`));
              },
              { concurrency: "unbounded", discard: true },
            );
            yield* Effect.forEach(
              Array.from({ length: count }, (_, i) => i),
              (i) =>
                via(store).update(
                  `u${i % 4}`,
                  `m${i}`,
                  { rating: 7 },
                  updatedEvent(`e-upd-${i}`, T0 + 1_000 + i),
                ),
              { concurrency: "unbounded", discard: true },
            );
            const outboxes = yield* store.pendingEvents(10_000);
            let offset = 0;
            yield* store.markPublished(
              outboxes.flatMap(({ entry_key, events }) =>
                events.map((event) => ({ entry_key, event, position: position(offset++) })),
              ),
            );
            const users = yield* store.entriesOfUsers(["u0", "u1", "u2", "u3"]);
            return {
              published: offset,
              pending: yield* store.pendingCount,
              ratings: [...users.values()].flat().map((entry) => entry.rating),
            };
          }),
        );
        expect(result.published).toBe(2 * count);
        expect(result.pending).toBe(0);
        expect(result.ratings).toHaveLength(count);
        expect(result.ratings.every((rating) => rating === 7)).toBe(true);
      });
      it("given 60 entries read with their versions and one changed before the marking, when all are marked in one batch, then that one keeps only its new event and every other is cleared with its position", async () => {
        const count = 60;
        const changed = 7;
        const result = await run((store) =>
          Effect.gen(function* () {
            yield* Effect.forEach(
              Array.from({ length: count }, (_, i) => i),
              (i) => {
                const entry = sampleEntry(`u${i % 3}`, `m${i}`, T0 + i);
                return via(store).add(entry, addedEvent(entry, `e-add-${i}`));
              },
              { concurrency: "unbounded", discard: true },
            );
            // As the publisher reads them (with the version), then the user changes one of them.
            const outboxes = yield* store.pendingEvents(10_000);
            yield* via(store).update(
              `u${changed % 3}`,
              `m${changed}`,
              { rating: 3 },
              updatedEvent("e-upd", T0 + MINUTE),
            );
            yield* store.markPublished(
              outboxes.flatMap(({ entry_key, events, version }) =>
                events.map((event) => ({
                  entry_key,
                  event,
                  position: position(Number(event.event_id.slice("e-add-".length))),
                  ...(version === undefined ? {} : { version }),
                })),
              ),
            );
            return {
              pending: yield* store.pendingEvents(10_000),
              count: yield* store.pendingCount,
              since: yield* store.entriesAddedSince(0),
            };
          }),
        );
        expect(
          result.pending.map((outbox) => [outbox.entry_key, outbox.events.map((e) => e.event_id)]),
        ).toEqual([[watchlistEntryKey(`u${changed % 3}`, `m${changed}`), ["e-upd"]]]);
        expect(result.count).toBe(1);
        expect(result.since).toHaveLength(count);
        for (const stored of result.since) {
          const index = Number(stored.entry.movie.movie_id.slice(1));
          expect(stored.add_position).toEqual(Option.some(position(index)));
        }
      });
    });

    describe("a store receiving a burst of adds", () => {
      it("given concurrent adds of new and repeated films, when all finish, then each film is added exactly once", async () => {
        const result = await run((store) =>
          Effect.forEach(
            Array.from({ length: 40 }, (_, i) => i),
            (i) => {
              const entry = sampleEntry(`u${i % 4}`, `m${i % 10}`, T0 + i);
              return Effect.map(via(store).add(entry, addedEvent(entry, `e-${i}`)), (status) => ({
                i,
                status,
              }));
            },
            { concurrency: "unbounded" },
          ).pipe(
            Effect.flatMap((statuses) =>
              Effect.map(store.entriesOfUsers(["u0", "u1", "u2", "u3"]), (users) => ({ statuses, users })),
            ),
          ),
        );
        // (user, film) pairs: i % 4 and i % 10 repeat every 20, so 20 distinct pairs, each added twice.
        expect(result.statuses.filter((s) => s.status === "added")).toHaveLength(20);
        expect(result.statuses.filter((s) => s.status === "already_present")).toHaveLength(20);
        expect([...result.users.values()].reduce((n, entries) => n + entries.length, 0)).toBe(20);
      });
    });

    describe("a store with several users' lists", () => {
      const films = ["m1", "m2", "m3", "m4", "m5"];
      const seed = (store: WatchlistStoreService) =>
        Effect.forEach(
          [
            ...films.map((id, i) => sampleEntry("u1", id, T0 + i * MINUTE)),
            sampleEntry("u2", "m1", T0 + 10 * MINUTE),
            sampleEntry("u3", "m9", T0 - MINUTE),
          ],
          (entry, i) => via(store).add(entry, addedEvent(entry, `e-${i}`)),
        );

      it("given five films, when paged, then newest added first with the total", async () => {
        const result = await run((store) =>
          Effect.gen(function* () {
            yield* seed(store);
            return {
              first: yield* store.list("u1", { offset: 0, limit: 2 }),
              last: yield* store.list("u1", { offset: 4, limit: 2 }),
              beyond: yield* store.list("u1", { offset: 9, limit: 2 }),
            };
          }),
        );
        expect(result.first.total).toBe(5);
        expect(result.first.entries.map((e) => e.movie.movie_id)).toEqual(["m5", "m4"]);
        expect(result.last.entries.map((e) => e.movie.movie_id)).toEqual(["m1"]);
        expect(result.beyond).toEqual({ entries: [], total: 5 });
      });

      it("given two users with the same film, when one removes it, then the other's entry is untouched", async () => {
        const result = await run((store) =>
          Effect.gen(function* () {
            yield* seed(store);
            yield* via(store).remove("u1", "m1", removedEvent("e-del", T0 + 20 * MINUTE));
            return {
              u2: yield* store.get("u2", "m1"),
              u1: yield* store.list("u1", { offset: 0, limit: 10 }),
            };
          }),
        );
        expect(Option.isSome(result.u2)).toBe(true);
        expect(result.u1.total).toBe(4);
      });

      it("given many users, when their entries are loaded at once, then each gets only their own live entries", async () => {
        const result = await run((store) =>
          Effect.gen(function* () {
            yield* seed(store);
            yield* via(store).remove("u1", "m2", removedEvent("e-del", T0 + 20 * MINUTE));
            return yield* store.entriesOfUsers(["u1", "u2", "u4"]);
          }),
        );
        expect([...result.keys()].sort()).toEqual(["u1", "u2", "u4"]);
        expect(result.get("u1")?.map((e) => e.movie.movie_id)).toEqual(["m5", "m4", "m3", "m1"]);
        expect(result.get("u2")?.map((e) => e.movie.movie_id)).toEqual(["m1"]);
        expect(result.get("u4")).toEqual([]);
      });

      it("given a starting time, when entries added since are read, then older ones are left out, oldest first", async () => {
        const result = await run((store) =>
          Effect.gen(function* () {
            yield* seed(store);
            return yield* store.entriesAddedSince(T0 + 3 * MINUTE);
          }),
        );
        expect(result.map((s) => `${s.entry.user_id}|${s.entry.movie.movie_id}`)).toEqual([
          "u1|m4",
          "u1|m5",
          "u2|m1",
        ]);
      });
    });
  });
};

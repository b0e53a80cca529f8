import type { EntryState, WatchedEntry, WatchlistEvent } from "@cinematch/domain";
import { Effect, Layer, Option } from "effect";
import { type LogPosition, laterPosition } from "../event-log/EventLog.ts";
import {
  type CommitResult,
  type PendingEvents,
  type StoredEntry,
  type StoreWriterStats,
  seenEvent,
  WatchlistStore,
  type WatchlistStoreService,
  watchlistEntryKey,
} from "./WatchlistStore.ts";

/** One entry's document, as the MongoDB layer stores it (domain values instead of encoded ones). */
interface EntryDocument {
  readonly key: string;
  entry: WatchedEntry;
  removed: boolean;
  version: number;
  outbox: Array<WatchlistEvent>;
  /** `occurred_at` of the oldest pending event: the relay publishes oldest first. */
  pending_since: number;
  add_event_id: string | undefined;
  delete_event_id: string | undefined;
  add_occurred_at: number | undefined;
  delete_occurred_at: number | undefined;
  add_position: LogPosition | undefined;
  delete_position: LogPosition | undefined;
}

const copy = <A>(value: A): A => structuredClone(value);

const byUserThenFilm = (a: WatchedEntry, b: WatchedEntry): number =>
  a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : a.movie.movie_id < b.movie.movie_id ? -1 : 1;

const byPendingAge = (a: EntryDocument, b: EntryDocument) =>
  a.pending_since - b.pending_since || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

const newestAddedFirst = (a: WatchedEntry, b: WatchedEntry) =>
  b.added_at - a.added_at || (a.movie.movie_id < b.movie.movie_id ? -1 : 1);

/**
 * A map of documents behaving like the MongoDB layer in everything the contract suite checks:
 * one document per (user, film), outbox inside it, tombstones, versions, conditional `markPublished`.
 * It persists what the decider returned and holds no rules of its own.
 * Every operation is synchronous, hence atomic, so there are no lost updates to guard against.
 */
export const makeWatchlistStoreMemory = (): WatchlistStoreService => {
  const documents = new Map<string, EntryDocument>();
  /** Every write is one call that waits on nothing: round trips and documents, never seconds. */
  const writes: Record<keyof StoreWriterStats, { round_trips: number; documents: number; seconds: 0 }> = {
    inserts: { round_trips: 0, documents: 0, seconds: 0 },
    updates: { round_trips: 0, documents: 0, seconds: 0 },
    clears: { round_trips: 0, documents: 0, seconds: 0 },
  };
  const wrote = (kind: keyof StoreWriterStats, documents: number) => {
    writes[kind].round_trips += 1;
    writes[kind].documents += documents;
  };

  const queue = (doc: EntryDocument, event: WatchlistEvent) => {
    if (doc.outbox.length === 0) doc.pending_since = event.occurred_at;
    doc.outbox.push(copy(event));
  };

  const live = (user_id: string, movie_id: string) => {
    const doc = documents.get(watchlistEntryKey(user_id, movie_id));
    return doc !== undefined && !doc.removed ? doc : undefined;
  };

  const pendingOf = (doc: EntryDocument): PendingEvents => ({
    entry_key: doc.key,
    user_id: doc.entry.user_id,
    events: copy(doc.outbox),
  });

  const pendingEventCount = () => {
    let count = 0;
    for (const doc of documents.values()) count += doc.outbox.length;
    return count;
  };

  return {
    load: (user_id, movie_id) =>
      Effect.sync(() => {
        const doc = documents.get(watchlistEntryKey(user_id, movie_id));
        return doc === undefined
          ? Option.none()
          : Option.some({
              state: copy<EntryState>({ entry: doc.entry, removed: doc.removed }),
              version: doc.version,
              pending: copy(doc.outbox),
            });
      }),

    commit: (write) =>
      Effect.sync((): CommitResult => {
        const key = watchlistEntryKey(write.state.entry.user_id, write.state.entry.movie.movie_id);
        const existing = documents.get(key);
        wrote(write.expected_version === undefined ? "inserts" : "updates", 1);
        if ((existing?.version ?? undefined) !== write.expected_version) return { _tag: "Conflict" };
        const doc: EntryDocument = existing ?? {
          key,
          entry: write.state.entry,
          removed: false,
          version: 0,
          outbox: [],
          pending_since: 0,
          add_event_id: undefined,
          delete_event_id: undefined,
          add_occurred_at: undefined,
          delete_occurred_at: undefined,
          add_position: undefined,
          delete_position: undefined,
        };
        doc.entry = copy(write.state.entry);
        doc.removed = write.state.removed;
        doc.version += 1;
        for (const event of write.events) {
          // A new ADD (or DELETE) replaces the one whose position the trends bootstrap would look at.
          if (event.event_type === "ADD") {
            doc.add_event_id = event.event_id;
            doc.add_occurred_at = event.occurred_at;
            doc.add_position = undefined;
            doc.delete_event_id = undefined;
            doc.delete_occurred_at = undefined;
            doc.delete_position = undefined;
          } else if (event.event_type === "DELETE") {
            doc.delete_event_id = event.event_id;
            doc.delete_occurred_at = event.occurred_at;
            doc.delete_position = undefined;
          }
          queue(doc, event);
        }
        documents.set(key, doc);
        return { _tag: "Committed", version: doc.version };
      }),

    get: (user_id, movie_id) =>
      Effect.sync(() => Option.map(Option.fromNullable(live(user_id, movie_id)), (doc) => copy(doc.entry))),

    list: (user_id, page) =>
      Effect.sync(() => {
        const entries: Array<WatchedEntry> = [];
        for (const doc of documents.values()) {
          if (!doc.removed && doc.entry.user_id === user_id) entries.push(doc.entry);
        }
        entries.sort(newestAddedFirst);
        return { entries: copy(entries.slice(page.offset, page.offset + page.limit)), total: entries.length };
      }),

    entriesOfUsers: (user_ids) =>
      Effect.sync(() => {
        const result = new Map<string, Array<WatchedEntry>>(user_ids.map((id) => [id, []]));
        for (const doc of documents.values()) {
          if (!doc.removed) result.get(doc.entry.user_id)?.push(copy(doc.entry));
        }
        for (const entries of result.values()) entries.sort(newestAddedFirst);
        return result;
      }),

    entriesOfFilms: (movie_ids) =>
      Effect.sync(() => {
        const wanted = new Set(movie_ids);
        const entries: Array<WatchedEntry> = [];
        for (const doc of documents.values()) {
          if (!doc.removed && wanted.has(doc.entry.movie.movie_id)) entries.push(copy(doc.entry));
        }
        return entries.sort(byUserThenFilm);
      }),

    entriesByKey: (keys) =>
      Effect.sync(() => {
        const result = new Map<string, Option.Option<WatchedEntry>>();
        for (const key of keys) {
          const doc = documents.get(key);
          result.set(key, doc === undefined || doc.removed ? Option.none() : Option.some(copy(doc.entry)));
        }
        return result;
      }),

    entriesAddedSince: (since) =>
      Effect.sync(() => {
        const found: Array<EntryDocument> = [];
        for (const doc of documents.values()) if (doc.entry.added_at >= since) found.push(doc);
        found.sort((a, b) => a.entry.added_at - b.entry.added_at || (a.key < b.key ? -1 : 1));
        return found.map(
          (doc): StoredEntry => ({
            entry: copy(doc.entry),
            removed: doc.removed,
            add_position: Option.fromNullable(doc.add_position),
            delete_position: Option.fromNullable(doc.delete_position),
            add_event: seenEvent(doc.add_event_id, doc.add_occurred_at),
            delete_event: seenEvent(doc.delete_event_id, doc.delete_occurred_at),
          }),
        );
      }),

    pendingEvents: (limit) =>
      Effect.sync(() =>
        [...documents.values()]
          .filter((doc) => doc.outbox.length > 0)
          .sort(byPendingAge)
          .slice(0, Math.max(0, limit))
          .map(pendingOf),
      ),

    markPublished: (published) =>
      Effect.sync(() => {
        const byEntry = new Map<string, Array<(typeof published)[number]>>();
        for (const item of published)
          byEntry.set(item.entry_key, [...(byEntry.get(item.entry_key) ?? []), item]);
        if (byEntry.size > 0) wrote("clears", byEntry.size);
        for (const [entry_key, items] of byEntry) {
          const doc = documents.get(entry_key);
          if (doc === undefined) continue;
          const ids = new Set<string>();
          for (const { event, position } of items) {
            ids.add(event.event_id);
            if (event.event_type === "ADD" && event.event_id === doc.add_event_id) {
              doc.add_position = laterPosition(doc.add_position, position);
            } else if (event.event_type === "DELETE" && event.event_id === doc.delete_event_id) {
              doc.delete_position = laterPosition(doc.delete_position, position);
            }
          }
          doc.outbox = doc.outbox.filter((event) => !ids.has(event.event_id));
          if (doc.outbox.length > 0) doc.pending_since = doc.outbox[0]!.occurred_at;
        }
      }),

    pendingCount: Effect.sync(pendingEventCount),

    writerStats: Effect.sync(() => ({
      inserts: { ...writes.inserts },
      updates: { ...writes.updates },
      clears: { ...writes.clears },
    })),
  };
};

/** A fresh, empty in-memory store per built layer. */
export const WatchlistStoreMemory: Layer.Layer<WatchlistStore> = Layer.sync(
  WatchlistStore,
  makeWatchlistStoreMemory,
);

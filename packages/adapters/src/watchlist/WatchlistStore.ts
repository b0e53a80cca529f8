import type { EntryState, SeenEvent, WatchedEntry, WatchlistEvent } from "@cinematch/domain";
import { Context, type Effect, Option } from "effect";
import type { LogPosition } from "../event-log/EventLog.ts";
import type { StoreUnavailable } from "../store-errors.ts";

/**
 * The `movies` collection: one document per (user, film), which also carries that entry's pending
 * events (the outbox). A change and its event are one single-document write, so no accepted change
 * can be lost between the database and Kafka; a relay publishes whatever stays pending.
 *
 * Stored shape (MongoDB and FerretDB): `{ _id: "<user_id>|<movie_id>", user_id, movie_id, movie,
 * rating?, watched_at, added_at, removed, outbox: { <event_id>: { seq, event } }, pending?: "yes",
 * add_event_id, add_occurred_at, delete_event_id, delete_occurred_at, add_position, delete_position,
 * version }`. A removed entry stays
 * as a tombstone (`removed: true`) carrying `delete_position`, because the trends bootstrap needs to know whether the log before its
 * starting point already holds the DELETE.
 */
export interface StoredEntry {
  readonly entry: WatchedEntry;
  readonly removed: boolean;
  /** Where the entry's ADD event landed in the log, once published. */
  readonly add_position: Option.Option<LogPosition>;
  /** Where the entry's DELETE event landed in the log, once published. */
  readonly delete_position: Option.Option<LogPosition>;
  /** The entry's ADD (id and `occurred_at`; none in documents written before they were kept). */
  readonly add_event: Option.Option<SeenEvent>;
  /** The entry's DELETE, for a tombstone (likewise). */
  readonly delete_event: Option.Option<SeenEvent>;
}

/** An entry's ADD or DELETE as stored beside it; none unless both its id and its time are there. */
export const seenEvent = (
  event_id: string | null | undefined,
  occurred_at: number | null | undefined,
): Option.Option<SeenEvent> =>
  event_id == null || occurred_at == null ? Option.none() : Option.some({ event_id, occurred_at });

export interface PendingEvents {
  /** The outbox owner: `<user_id>|<movie_id>`. */
  readonly entry_key: string;
  readonly user_id: string;
  readonly events: ReadonlyArray<WatchlistEvent>;
  /** The entry's version these events were read at (or written with): every event up to it is here. */
  readonly version?: number;
}

/** An entry as last written, with the version a change must be computed from. */
export interface StoredState {
  readonly state: EntryState;
  readonly version: number;
  /** Events of this entry still waiting for publication, oldest first. */
  readonly pending: ReadonlyArray<WatchlistEvent>;
}

/**
 * What the decider returned for one entry, to be persisted as ONE single-document write: the state
 * after `events` and the events themselves appended to the entry's outbox.
 */
export interface EntryWrite {
  /** `undefined`: the entry must not exist yet (a new film); otherwise the version it was computed from. */
  readonly expected_version: number | undefined;
  readonly state: EntryState;
  /** Non-empty, in order. */
  readonly events: ReadonlyArray<WatchlistEvent>;
}

/** `Conflict`: the entry was written meanwhile (or exists already); load it again and decide again. */
export type CommitResult =
  | { readonly _tag: "Committed"; readonly version: number }
  | { readonly _tag: "Conflict" };

export interface PublishedEvent {
  readonly entry_key: string;
  readonly event: WatchlistEvent;
  readonly position: LogPosition;
  /**
   * The entry's version once this event was written (or when the relay read it), when known. If the
   * entry still has the highest such version of a batch, nothing was written since: every pending
   * event of it is in this batch or an earlier one, so its outbox ends up empty in the same write.
   */
  readonly version?: number;
}

/** One kind of write's cost so far: server calls, documents written, and the seconds the calls took. */
export interface WriteCounters {
  readonly round_trips: number;
  readonly documents: number;
  readonly seconds: number;
}

/**
 * Where the store's write time goes since start, by kind: new entries, changes of existing ones, and
 * the clearing of published events from their outboxes. On the in-memory store nothing waits on a
 * server, so its seconds stay 0.
 */
export interface StoreWriterStats {
  readonly inserts: WriteCounters;
  readonly updates: WriteCounters;
  readonly clears: WriteCounters;
}

export interface WatchlistStoreService {
  /** The entry (live or a tombstone) with its version and pending events; `None` when never written. */
  readonly load: (
    user_id: string,
    movie_id: string,
  ) => Effect.Effect<Option.Option<StoredState>, StoreUnavailable>;
  /**
   * Persists what the decider returned, durably, in one single-document write (concurrent commits
   * may share one bulk write). Returns what it wrote; never reads back.
   */
  readonly commit: (write: EntryWrite) => Effect.Effect<CommitResult, StoreUnavailable>;
  readonly get: (
    user_id: string,
    movie_id: string,
  ) => Effect.Effect<Option.Option<WatchedEntry>, StoreUnavailable>;
  /** A user's live entries, newest added first. */
  readonly list: (
    user_id: string,
    page: { readonly offset: number; readonly limit: number },
  ) => Effect.Effect<
    { readonly entries: ReadonlyArray<WatchedEntry>; readonly total: number },
    StoreUnavailable
  >;
  /** Live entries of many users in one query (the user-stats runner loads each batch's users at once). */
  readonly entriesOfUsers: (
    user_ids: ReadonlyArray<string>,
  ) => Effect.Effect<ReadonlyMap<string, ReadonlyArray<WatchedEntry>>, StoreUnavailable>;
  /**
   * Live entries of these films, whoever holds them, in (user, film) order: what a catalog merge
   * moves to the surviving film. Rare and offline, so it may scan.
   */
  readonly entriesOfFilms: (
    movie_ids: ReadonlyArray<string>,
  ) => Effect.Effect<ReadonlyArray<WatchedEntry>, StoreUnavailable>;
  /**
   * The current state of given entries in one query, by `watchlistEntryKey`: `Some` for a live
   * entry, `None` for a removed or unknown one (the user-stats runner re-reads only the entries a
   * batch's events touched for users whose lists it holds).
   */
  readonly entriesByKey: (
    keys: ReadonlyArray<string>,
  ) => Effect.Effect<ReadonlyMap<string, Option.Option<WatchedEntry>>, StoreUnavailable>;
  /** Entries (tombstones included) added at or after `since`, with their log positions: the trends bootstrap. */
  readonly entriesAddedSince: (since: number) => Effect.Effect<ReadonlyArray<StoredEntry>, StoreUnavailable>;
  /**
   * A page of at most `limit` outboxes with pending events, oldest first, each in event order. When
   * more are pending, the page need not hold the oldest ones (a server-side sort would read every
   * pending document on FerretDB); the publisher keeps each user's events in time order within it.
   */
  readonly pendingEvents: (limit: number) => Effect.Effect<ReadonlyArray<PendingEvents>, StoreUnavailable>;
  /**
   * Removes published events from their outboxes (only those ids: a newer pending event stays) and
   * records their log positions; one bulk write for the whole batch.
   */
  readonly markPublished: (published: ReadonlyArray<PublishedEvent>) => Effect.Effect<void, StoreUnavailable>;
  readonly pendingCount: Effect.Effect<number, StoreUnavailable>;
  readonly writerStats: Effect.Effect<StoreWriterStats>;
}

/** The `_id` of an entry's document and the key of its outbox. */
export const watchlistEntryKey = (user_id: string, movie_id: string): string => `${user_id}|${movie_id}`;

export class WatchlistStore extends Context.Tag("@cinematch/adapters/WatchlistStore")<
  WatchlistStore,
  WatchlistStoreService
>() {}

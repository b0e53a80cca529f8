import {
  type EntryState,
  Film,
  Rating,
  Timestamp,
  WatchCount,
  type WatchedEntry,
  WatchlistEvent,
} from "@cinematch/domain";
import { Schema } from "effect";

/**
 * The `movies` document as MongoDB and FerretDB store it (see `WatchlistStore.ts` for its meaning).
 * The outbox is an object keyed by event id, not an array: FerretDB 1.24 cannot `$pull` by a
 * condition, but `$unset: {"outbox.<id>": ""}` removes exactly one published event, so a newer
 * pending event is never cleared. `pending: "yes"` (an indexed string, removed once the outbox is
 * empty) is what the relay looks pending outboxes up by: FerretDB narrows a string equality through
 * its index but scans the whole collection for a boolean.
 * Timestamps are stored as canonical ISO text (sortable), like every other stored document.
 */
export const WATCHLIST_COLLECTION = "movies";

export const PENDING = "yes" as const;

/** The `movies` collection's indexes, created one per call (see `makeWatchlistStoreMongo`). */
export const WATCHLIST_INDEXES = [
  { key: { user_id: 1, movie_id: 1 }, name: "user_movie_unique", unique: true },
  { key: { pending: 1 }, name: "pending" },
  { key: { user_id: 1 }, name: "user_id" },
  { key: { added_at: 1 }, name: "added_at" },
] as const;

const Position = Schema.Struct({ partition: Schema.Int, offset: Schema.String });

const OutboxItem = Schema.Struct({ seq: Schema.Number, event: WatchlistEvent });

export const StoredDocument = Schema.Struct({
  _id: Schema.String,
  user_id: Schema.String,
  movie_id: Schema.String,
  movie: Film,
  rating: Schema.optionalWith(Rating, { exact: true }),
  watched_at: Timestamp,
  watch_count: Schema.optionalWith(WatchCount, { exact: true }),
  added_at: Timestamp,
  removed: Schema.Boolean,
  outbox: Schema.Record({ key: Schema.String, value: OutboxItem }),
  pending: Schema.optionalWith(Schema.Literal(PENDING), { exact: true }),
  add_event_id: Schema.NullOr(Schema.String),
  delete_event_id: Schema.NullOr(Schema.String),
  /** When the ADD / DELETE occurred: with the ids, what the trends bootstrap needs to drop a copy of them. */
  add_occurred_at: Schema.optionalWith(Schema.NullOr(Timestamp), { exact: true }),
  delete_occurred_at: Schema.optionalWith(Schema.NullOr(Timestamp), { exact: true }),
  add_position: Schema.NullOr(Position),
  delete_position: Schema.NullOr(Position),
  /** Zero-padded offsets, so a filter can keep the later of two publications of one event. */
  add_rank: Schema.optionalWith(Schema.String, { exact: true }),
  delete_rank: Schema.optionalWith(Schema.String, { exact: true }),
  version: Schema.Int,
});
export type StoredDocument = typeof StoredDocument.Type;

/** What the outbox readers need. */
export const PendingDocument = Schema.Struct({
  _id: Schema.String,
  user_id: Schema.String,
  outbox: StoredDocument.fields.outbox,
  version: Schema.Int,
});

/** What list reads need: no outbox. */
export const EntryFields = Schema.Struct({
  user_id: Schema.String,
  movie: Film,
  rating: Schema.optionalWith(Rating, { exact: true }),
  watched_at: Timestamp,
  watch_count: Schema.optionalWith(WatchCount, { exact: true }),
  added_at: Timestamp,
});
export const ENTRY_PROJECTION = {
  _id: 0,
  user_id: 1,
  movie: 1,
  rating: 1,
  watched_at: 1,
  watch_count: 1,
  added_at: 1,
} as const;

export const encodeDocument = Schema.encodeSync(StoredDocument);
export const encodeTimestamp = Schema.encodeSync(Timestamp);
export const encodeEvent = Schema.encodeSync(WatchlistEvent);
export const encodeEntry = Schema.encodeSync(EntryFields);

export const toEntry = (doc: Pick<StoredDocument, keyof typeof EntryFields.fields>): WatchedEntry => ({
  user_id: doc.user_id,
  movie: doc.movie,
  ...(doc.rating === undefined ? {} : { rating: doc.rating }),
  watched_at: doc.watched_at,
  ...(doc.watch_count === undefined ? {} : { watch_count: doc.watch_count }),
  added_at: doc.added_at,
});

export const toState = (doc: StoredDocument): EntryState => ({ entry: toEntry(doc), removed: doc.removed });

/** The outbox's events in the order they were written. */
export const outboxEvents = (outbox: StoredDocument["outbox"]): Array<WatchlistEvent> =>
  Object.values(outbox)
    .sort((a, b) => a.seq - b.seq)
    .map((item) => item.event);

/** An offset as text that sorts like the number (offsets are non-negative 64-bit integers). */
export const offsetRank = (offset: string): string => offset.padStart(20, "0");

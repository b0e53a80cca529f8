import { Film, Rating, Timestamp, type WatchedEntry, WatchlistEvent } from "@cinematch/domain";
import { Effect, Layer, Option, Schema } from "effect";
import type { Collection, Document } from "mongodb";
import { type LogPosition, laterPosition } from "../event-log/EventLog.ts";
import { isDuplicateKeyError, tryMongo } from "../mongo/errors.ts";
import { MongoDatabase } from "../mongo/MongoDatabase.ts";
import { StoreUnavailable } from "../store-errors.ts";
import {
  type EntryChange,
  type PendingEvents,
  type StoredEntry,
  WatchlistStore,
  type WatchlistStoreService,
  watchlistEntryKey,
} from "./WatchlistStore.ts";
import { decodeStored } from "../mongo/decode-stored.ts";

/**
 * The `movies` collection on MongoDB 7+ and FerretDB 1.24: one document per (user, film) holding
 * the entry, its outbox (pending events, encoded) and its log positions; see `WatchlistStore.ts`.
 *
 * Every change is ONE single-document write, made conditional on the `version` the change was
 * computed from (optimistic concurrency; a lost race is retried). On MongoDB that condition is
 * atomic, across processes. FerretDB 1.24 is not atomic per document at all: measured here, 30
 * concurrent `$inc`s left 15, and 30 version-conditional replaces all "matched" while 24 were lost.
 * So this layer also serializes the writes of each entry inside the process (a lock per entry key):
 * with one API process as the collection's writer (the design: the API and the tools in its
 * process), no change is lost on FerretDB either. Several API processes writing the same entry at
 * the same instant are safe only on MongoDB.
 * Timestamps are stored as canonical ISO text (sortable), like every other stored document.
 */
export const WATCHLIST_COLLECTION = "movies";

const Position = Schema.Struct({ partition: Schema.Int, offset: Schema.String });

const StoredDocument = Schema.Struct({
  _id: Schema.String,
  user_id: Schema.String,
  movie_id: Schema.String,
  movie: Film,
  rating: Schema.optionalWith(Rating, { exact: true }),
  watched_at: Timestamp,
  added_at: Timestamp,
  removed: Schema.Boolean,
  outbox: Schema.Array(WatchlistEvent),
  has_pending: Schema.Boolean,
  pending_count: Schema.Int,
  pending_since: Schema.NullOr(Timestamp),
  add_event_id: Schema.NullOr(Schema.String),
  delete_event_id: Schema.NullOr(Schema.String),
  add_position: Schema.NullOr(Position),
  delete_position: Schema.NullOr(Position),
  version: Schema.Int,
});
type StoredDocument = typeof StoredDocument.Type;

/** What list reads need: no outbox. */
const EntryFields = Schema.Struct({
  user_id: Schema.String,
  movie: Film,
  rating: Schema.optionalWith(Rating, { exact: true }),
  watched_at: Timestamp,
  added_at: Timestamp,
});
const ENTRY_PROJECTION = { _id: 0, user_id: 1, movie: 1, rating: 1, watched_at: 1, added_at: 1 } as const;

const encodeDocument = Schema.encodeSync(StoredDocument);
const encodeTimestamp = Schema.encodeSync(Timestamp);

const toEntry = (doc: StoredDocument): WatchedEntry => ({
  user_id: doc.user_id,
  movie: doc.movie,
  ...(doc.rating === undefined ? {} : { rating: doc.rating }),
  watched_at: doc.watched_at,
  added_at: doc.added_at,
});

const applyChange = (entry: WatchedEntry, change: EntryChange): WatchedEntry => {
  const { rating: _old, ...rest } = entry;
  const rating = change.rating === undefined ? entry.rating : (change.rating ?? undefined);
  return {
    ...rest,
    ...(rating === undefined ? {} : { rating }),
    watched_at: change.watched_at ?? entry.watched_at,
  };
};

const MAX_ATTEMPTS = 20;

/**
 * Group commit for new entries: inserts that arrive while one `insertMany` is in flight go together
 * in the next one (unordered, at most 500), so a burst of adds costs a few round trips instead of
 * one each. FerretDB's SQLite backend takes one write transaction at a time; this is what lets
 * POST /movies scale there. Resolves `true` when inserted, `false` on a unique-key clash.
 */
const makeInsertBatcher = (collection: Collection<Document>) => {
  let queue: Array<{
    readonly doc: Document;
    readonly resume: (result: Effect.Effect<boolean, StoreUnavailable>) => void;
  }> = [];
  let flushing = false;
  const flush = async () => {
    while (queue.length > 0) {
      const batch = queue.slice(0, 500);
      queue = queue.slice(batch.length);
      try {
        await collection.insertMany(
          batch.map((item) => item.doc),
          { ordered: false },
        );
        for (const item of batch) item.resume(Effect.succeed(true));
      } catch (cause) {
        const raw = (cause as { writeErrors?: unknown }).writeErrors;
        const writeErrors = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) as Array<{
          index: number;
        }>;
        const failed = new Map(writeErrors.map((e) => [e.index, e]));
        const message = cause instanceof Error ? cause.message : String(cause);
        batch.forEach((item, index) => {
          if (writeErrors.length === 0) {
            item.resume(
              Effect.fail(new StoreUnavailable({ operation: "movies.insertMany", message, cause })),
            );
          } else if (!failed.has(index)) item.resume(Effect.succeed(true));
          else if (isDuplicateKeyError(failed.get(index))) item.resume(Effect.succeed(false));
          else
            item.resume(
              Effect.fail(new StoreUnavailable({ operation: "movies.insertMany", message, cause })),
            );
        });
      }
    }
    flushing = false;
  };
  return (doc: Document): Effect.Effect<boolean, StoreUnavailable> =>
    Effect.async<boolean, StoreUnavailable>((resume) => {
      queue.push({ doc, resume });
      if (!flushing) {
        flushing = true;
        void flush();
      }
    });
};

/** One lock per key while someone holds or waits for it; forgotten when the last one leaves. */
const makeKeyedLock = () => {
  const locks = new Map<string, { readonly semaphore: Effect.Semaphore; users: number }>();
  return <A, E, R>(key: string, body: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.suspend(() => {
      let lock = locks.get(key);
      if (lock === undefined) {
        lock = { semaphore: Effect.unsafeMakeSemaphore(1), users: 0 };
        locks.set(key, lock);
      }
      const held = lock;
      held.users += 1;
      return held.semaphore
        .withPermits(1)(body)
        .pipe(
          Effect.ensuring(
            Effect.sync(() => {
              held.users -= 1;
              if (held.users === 0) locks.delete(key);
            }),
          ),
        );
    });
};

export const makeWatchlistStoreMongo = Effect.gen(function* () {
  const { db } = yield* MongoDatabase;
  const collection: Collection<Document> = db.collection(WATCHLIST_COLLECTION);
  // One index per call: FerretDB 1.24 crashes (drops the connection) when a single createIndexes
  // names several indexes that already exist, i.e. whenever a second process opens the collection.
  for (const index of [
    { key: { user_id: 1, movie_id: 1 }, name: "user_movie_unique", unique: true },
    { key: { has_pending: 1 }, name: "has_pending" },
    { key: { user_id: 1 }, name: "user_id" },
    { key: { added_at: 1 }, name: "added_at" },
  ]) {
    const { key, ...options } = index;
    yield* tryMongo(`movies.createIndex(${index.name})`, () => collection.createIndex(key, options));
  }
  /**
   * FerretDB 1.24 (SQLite) answers only `_id`-equality lookups from an index; any other filter,
   * even `{_id, version}`, scans the collection in Go (measured: ~1 ms by `_id` against ~70 ms for
   * `{_id, version}` at 3,000 entries). There, writes are keyed by `_id` alone and the per-entry lock
   * below is the guard; on MongoDB the version condition guards across processes too.
   */
  const ferret = yield* tryMongo("buildInfo", () => db.admin().command({ buildInfo: 1 })).pipe(
    Effect.map((info) => "ferretdbVersion" in info),
  );
  const decodeDocument = decodeStored(StoredDocument, "movies.read");
  const exclusively = makeKeyedLock();
  const insert = makeInsertBatcher(collection);
  const decodeEntry = decodeStored(EntryFields, "movies.read");

  const read = (key: string) =>
    tryMongo("movies.findOne", () => collection.findOne({ _id: key } as Document)).pipe(
      Effect.flatMap((doc) => (doc === null ? Effect.succeedNone : Effect.asSome(decodeDocument(doc)))),
    );

  /**
   * Replaces the document if it still has `version`; false when another writer got there first.
   * On FerretDB by `_id` alone (see above: the version would cost a scan there and guards nothing,
   * its writes not being atomic); the per-entry lock is what serialises writers.
   */
  const replaceIfUnchanged = (previous: StoredDocument, next: StoredDocument) =>
    tryMongo("movies.replaceOne", () =>
      collection.replaceOne(
        (ferret ? { _id: previous._id } : { _id: previous._id, version: previous.version }) as Document,
        encodeDocument(next),
      ),
    ).pipe(Effect.map((result) => result.matchedCount === 1));

  /** Read, compute, conditional write; again on a lost race. `change` returns the next document, or a result without writing. */
  const modify = <A>(
    key: string,
    operation: string,
    change: (doc: Option.Option<StoredDocument>) => { readonly next?: StoredDocument; readonly result: A },
  ): Effect.Effect<A, StoreUnavailable> =>
    exclusively(
      key,
      Effect.gen(function* () {
        for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
          const current = yield* read(key);
          const { next, result } = change(current);
          if (next === undefined || Option.isNone(current)) return result;
          if (yield* replaceIfUnchanged(current.value, { ...next, version: current.value.version + 1 }))
            return result;
        }
        return yield* Effect.fail(
          new StoreUnavailable({ operation, message: `gave up after ${MAX_ATTEMPTS} concurrent changes` }),
        );
      }),
    );

  const withQueued = (doc: StoredDocument, event: WatchlistEvent): StoredDocument => ({
    ...doc,
    outbox: [...doc.outbox, event],
    has_pending: true,
    pending_count: doc.outbox.length + 1,
    pending_since: doc.outbox.length === 0 ? event.occurred_at : doc.pending_since,
  });

  const withEntry = (doc: StoredDocument, entry: WatchedEntry): StoredDocument => {
    const { rating: _old, ...rest } = doc;
    return {
      ...rest,
      movie: entry.movie,
      ...(entry.rating === undefined ? {} : { rating: entry.rating }),
      watched_at: entry.watched_at,
      added_at: entry.added_at,
    };
  };

  /**
   * The common case in one write, without reading first: the published events are the entry's
   * whole outbox (same count, same oldest event) and its current ADD/DELETE. Anything else (a
   * change queued meanwhile, a duplicate publication) falls back to read, compute, write.
   */
  const markWholeOutbox = (
    entry_key: string,
    published: ReadonlyArray<{ readonly event: WatchlistEvent; readonly position: LogPosition }>,
  ): Effect.Effect<boolean, StoreUnavailable> => {
    const first = published[0]?.event;
    if (first === undefined) return Effect.succeed(true);
    if (ferret) return Effect.succeed(false);
    const filter: Document = {
      _id: entry_key,
      pending_count: published.length,
      pending_since: encodeTimestamp(first.occurred_at),
    };
    const set: Document = { outbox: [], has_pending: false, pending_count: 0, pending_since: null };
    for (const { event, position } of published) {
      const field = event.event_type === "ADD" ? "add" : event.event_type === "DELETE" ? "delete" : undefined;
      if (field === undefined) continue;
      if (filter[`${field}_event_id`] !== undefined) return Effect.succeed(false);
      filter[`${field}_event_id`] = event.event_id;
      set[`${field}_position`] = { partition: position.partition, offset: position.offset };
    }
    return exclusively(
      entry_key,
      tryMongo("movies.markPublished", () =>
        collection.updateOne(filter, { $set: set, $inc: { version: 1 } }),
      ),
    ).pipe(Effect.map((result) => result.matchedCount === 1));
  };

  const markPublishedSlowly = (
    entry_key: string,
    published: ReadonlyArray<{ readonly event: WatchlistEvent; readonly position: LogPosition }>,
  ) =>
    modify(entry_key, "movies.markPublished", (current) => {
      if (Option.isNone(current)) return { result: undefined };
      const doc = current.value;
      const ids = new Set(published.map((p) => p.event.event_id));
      let { add_position, delete_position } = doc;
      for (const { event, position } of published) {
        if (event.event_type === "ADD" && event.event_id === doc.add_event_id)
          add_position = laterPosition(add_position, position);
        if (event.event_type === "DELETE" && event.event_id === doc.delete_event_id) {
          delete_position = laterPosition(delete_position, position);
        }
      }
      const outbox = doc.outbox.filter((event) => !ids.has(event.event_id));
      if (
        outbox.length === doc.outbox.length &&
        add_position === doc.add_position &&
        delete_position === doc.delete_position
      ) {
        return { result: undefined };
      }
      return {
        next: {
          ...doc,
          outbox,
          has_pending: outbox.length > 0,
          pending_count: outbox.length,
          pending_since: outbox[0]?.occurred_at ?? null,
          add_position,
          delete_position,
        },
        result: undefined,
      };
    });

  const service: WatchlistStoreService = {
    add: (entry, event) =>
      Effect.gen(function* () {
        const key = watchlistEntryKey(entry.user_id, entry.movie.movie_id);
        const fresh: StoredDocument = withQueued(
          withEntry(
            {
              _id: key,
              user_id: entry.user_id,
              movie_id: entry.movie.movie_id,
              movie: entry.movie,
              watched_at: entry.watched_at,
              added_at: entry.added_at,
              removed: false,
              outbox: [],
              has_pending: false,
              pending_count: 0,
              pending_since: null,
              add_event_id: event.event_id,
              delete_event_id: null,
              add_position: null,
              delete_position: null,
              version: 1,
            },
            entry,
          ),
          event,
        );
        const inserted = yield* exclusively(key, insert(encodeDocument(fresh) as unknown as Document));
        if (inserted) return "added" as const;
        // The user has this film, or had it (a tombstone comes back to life as a new entry).
        return yield* modify(key, "movies.add", (current) => {
          if (Option.isNone(current) || !current.value.removed) return { result: "already_present" as const };
          const revived = withQueued(
            {
              ...withEntry(current.value, entry),
              removed: false,
              add_event_id: event.event_id,
              delete_event_id: null,
              add_position: null,
              delete_position: null,
            },
            event,
          );
          return { next: revived, result: "added" as const };
        });
      }),

    update: (user_id, movie_id, change, makeEvent) =>
      modify(watchlistEntryKey(user_id, movie_id), "movies.update", (current) => {
        if (Option.isNone(current) || current.value.removed) return { result: Option.none<WatchedEntry>() };
        const changed = applyChange(toEntry(current.value), change);
        return {
          next: withQueued(withEntry(current.value, changed), makeEvent(changed)),
          result: Option.some(changed),
        };
      }),

    remove: (user_id, movie_id, makeEvent) =>
      modify(watchlistEntryKey(user_id, movie_id), "movies.remove", (current) => {
        if (Option.isNone(current) || current.value.removed) return { result: Option.none<WatchedEntry>() };
        const entry = toEntry(current.value);
        const event = makeEvent(entry);
        return {
          next: withQueued(
            { ...current.value, removed: true, delete_event_id: event.event_id, delete_position: null },
            event,
          ),
          result: Option.some(entry),
        };
      }),

    get: (user_id, movie_id) =>
      tryMongo("movies.get", () =>
        // By `_id` alone (FerretDB's only indexed lookup); a tombstone is "not there".
        collection.findOne({ _id: watchlistEntryKey(user_id, movie_id) } as Document, {
          projection: { ...ENTRY_PROJECTION, removed: 1 },
        }),
      ).pipe(
        Effect.flatMap((doc) =>
          doc === null || doc.removed === true ? Effect.succeedNone : Effect.asSome(decodeEntry(doc)),
        ),
      ),

    list: (user_id, page) =>
      Effect.gen(function* () {
        const filter = { user_id, removed: false };
        const [docs, total] = yield* Effect.all(
          [
            tryMongo("movies.list", () =>
              collection
                .find(filter, { projection: ENTRY_PROJECTION })
                .sort({ added_at: -1, movie_id: 1 })
                .skip(page.offset)
                .limit(page.limit)
                .toArray(),
            ),
            tryMongo("movies.count", () => collection.countDocuments(filter)),
          ],
          { concurrency: 2 },
        );
        return { entries: yield* Effect.forEach(docs, decodeEntry), total };
      }),

    entriesOfUsers: (user_ids) =>
      Effect.gen(function* () {
        const result = new Map<string, Array<WatchedEntry>>(user_ids.map((id) => [id, []]));
        if (user_ids.length === 0) return result;
        // FerretDB scans for `$in` (only equality is pushed down); MongoDB uses the user_id index.
        const docs = yield* tryMongo("movies.entriesOfUsers", () =>
          collection
            .find(
              { user_id: { $in: [...new Set(user_ids)] }, removed: false },
              { projection: ENTRY_PROJECTION },
            )
            .toArray(),
        );
        for (const doc of docs) {
          const entry = yield* decodeEntry(doc);
          result.get(entry.user_id)?.push(entry);
        }
        for (const entries of result.values()) {
          entries.sort((a, b) => b.added_at - a.added_at || (a.movie.movie_id < b.movie.movie_id ? -1 : 1));
        }
        return result;
      }),

    entriesOfFilms: (movie_ids) =>
      Effect.gen(function* () {
        const unique = [...new Set(movie_ids)];
        if (unique.length === 0) return [];
        const docs = yield* tryMongo("movies.entriesOfFilms", () =>
          collection
            .find({ movie_id: { $in: unique }, removed: false }, { projection: ENTRY_PROJECTION })
            .sort({ user_id: 1, movie_id: 1 })
            .toArray(),
        );
        return yield* Effect.forEach(docs, decodeEntry);
      }),

    entriesByKey: (keys) =>
      Effect.gen(function* () {
        const unique = [...new Set(keys)];
        const result = new Map<string, Option.Option<WatchedEntry>>(
          unique.map((key) => [key, Option.none()]),
        );
        if (unique.length === 0) return result;
        // By `_id` (indexed on MongoDB, and on FerretDB with our pushdown patch).
        const docs = yield* tryMongo("movies.entriesByKey", () =>
          collection
            .find({ _id: { $in: unique } } as Document, { projection: { ...ENTRY_PROJECTION, removed: 1 } })
            .toArray(),
        );
        for (const doc of docs) {
          if (doc.removed === true) continue;
          const entry = yield* decodeEntry(doc);
          result.set(watchlistEntryKey(entry.user_id, entry.movie.movie_id), Option.some(entry));
        }
        return result;
      }),

    entriesAddedSince: (since) =>
      Effect.gen(function* () {
        const docs = yield* tryMongo("movies.entriesAddedSince", () =>
          collection
            .find({ added_at: { $gte: encodeTimestamp(since) } }, { projection: { outbox: 0 } })
            .sort({ added_at: 1, _id: 1 })
            .toArray(),
        );
        return yield* Effect.forEach(docs, (raw) =>
          Effect.map(
            decodeDocument({ ...raw, outbox: [] }),
            (doc): StoredEntry => ({
              entry: toEntry(doc),
              removed: doc.removed,
              add_position: Option.fromNullable(doc.add_position),
              delete_position: Option.fromNullable(doc.delete_position),
            }),
          ),
        );
      }),

    pendingFor: (entry_key) =>
      read(entry_key).pipe(
        Effect.map(
          Option.flatMap(
            (doc): Option.Option<PendingEvents> =>
              doc.outbox.length === 0
                ? Option.none()
                : Option.some({ entry_key: doc._id, user_id: doc.user_id, events: doc.outbox }),
          ),
        ),
      ),

    pendingEvents: (limit) =>
      Effect.gen(function* () {
        if (limit <= 0) return [];
        const docs = yield* tryMongo("movies.pendingEvents", () =>
          collection
            .find({ has_pending: true }, { projection: { _id: 1, user_id: 1, outbox: 1 } })
            .sort({ pending_since: 1, _id: 1 })
            .limit(limit)
            .toArray(),
        );
        const decode = decodeStored(
          Schema.Struct({ _id: Schema.String, user_id: Schema.String, outbox: Schema.Array(WatchlistEvent) }),
          "movies.pendingEvents",
        );
        return yield* Effect.forEach(docs, (raw) =>
          Effect.map(
            decode(raw),
            (doc): PendingEvents => ({ entry_key: doc._id, user_id: doc.user_id, events: doc.outbox }),
          ),
        );
      }),

    markPublished: (entry_key, published) =>
      markWholeOutbox(entry_key, published).pipe(
        Effect.flatMap((done) => (done ? Effect.void : markPublishedSlowly(entry_key, published))),
      ),

    pendingCount: tryMongo("movies.pendingCount", () =>
      collection
        .aggregate([
          { $match: { has_pending: true } },
          { $group: { _id: null, n: { $sum: "$pending_count" } } },
        ])
        .toArray(),
    ).pipe(Effect.map((rows) => Number(rows[0]?.n ?? 0))),
  };
  return service;
});

/** The watchlist store on the shared `MongoDatabase`; creates its indexes at start. */
export const WatchlistStoreMongo: Layer.Layer<WatchlistStore, StoreUnavailable, MongoDatabase> = Layer.effect(
  WatchlistStore,
  makeWatchlistStoreMongo,
);

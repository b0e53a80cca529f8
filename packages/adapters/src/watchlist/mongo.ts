import type { WatchedEntry } from "@cinematch/domain";
import { Effect, Layer, Option } from "effect";
import type { Collection, Document } from "mongodb";
import { tryMongo } from "../mongo/errors.ts";
import { decodeStored } from "../mongo/decode-stored.ts";
import { MongoDatabase } from "../mongo/MongoDatabase.ts";
import type { StoreUnavailable } from "../store-errors.ts";
import { makeGroupCommit } from "./group-commit.ts";
import {
  ENTRY_PROJECTION,
  EntryFields,
  encodeTimestamp,
  outboxEvents,
  PENDING,
  PendingDocument,
  StoredDocument,
  toEntry,
  toState,
  WATCHLIST_COLLECTION,
  WATCHLIST_INDEXES,
} from "./mongo-document.ts";
import { clearOperations, newDocument, updateOf } from "./mongo-writes.ts";
import {
  type CommitResult,
  type PendingEvents,
  type StoredEntry,
  seenEvent,
  WatchlistStore,
  type WatchlistStoreService,
  watchlistEntryKey,
} from "./WatchlistStore.ts";

export { WATCHLIST_COLLECTION } from "./mongo-document.ts";

/**
 * The `movies` collection on MongoDB 7+ and FerretDB 1.24: one document per (user, film) holding the
 * entry, its outbox and its log positions (`mongo-document.ts`). A commit is ONE single-document
 * write (an insert for a new entry, else an update conditional on the version the change was
 * computed from), shared with concurrent commits through the group-commit writer.
 *
 * On MongoDB the version condition is atomic across processes. FerretDB 1.24 is not atomic per
 * document at all (measured: 30 concurrent `$inc`s left 15); there, safety rests on this process
 * being the collection's only writer (the design: the API and the tools in its process), its writes
 * going out one round at a time, and `WatchlistCommands` serializing each entry's read-decide-commit.
 */
export const makeWatchlistStoreMongo = Effect.gen(function* () {
  const { db } = yield* MongoDatabase;
  const collection: Collection<Document> = db.collection(WATCHLIST_COLLECTION);
  // One index per call: FerretDB 1.24 crashes (drops the connection) when a single createIndexes
  // names several indexes that already exist, i.e. whenever a second process opens the collection.
  for (const index of WATCHLIST_INDEXES) {
    const { key, ...options } = index;
    yield* tryMongo(`movies.createIndex(${index.name})`, () => collection.createIndex(key, options));
  }
  const decodeDocument = decodeStored(StoredDocument, "movies.read");
  const decodeEntry = decodeStored(EntryFields, "movies.read");
  const decodePending = decodeStored(PendingDocument, "movies.pendingEvents");

  const writer = makeGroupCommit(collection, {
    landed: async (probes) => {
      const docs = await collection
        .find({ _id: { $in: probes.map((p) => p.key) } } as Document, { projection: { outbox: 1 } })
        .toArray();
      const outboxes = new Map(docs.map((doc) => [String(doc._id), (doc.outbox ?? {}) as Document]));
      const landed = new Set<number>();
      probes.forEach((probe, index) => {
        if (outboxes.get(probe.key)?.[probe.event_id] !== undefined) landed.add(index);
      });
      return landed;
    },
  });

  const commit: WatchlistStoreService["commit"] = (write) => {
    const key = watchlistEntryKey(write.state.entry.user_id, write.state.entry.movie.movie_id);
    const version = write.expected_version;
    const outcome =
      version === undefined
        ? writer.insert(newDocument(key, write))
        : writer.update({
            ...updateOf(key, version, write),
            probe: { key, event_id: write.events[0]!.event_id },
          });
    return Effect.map(
      outcome,
      (result): CommitResult =>
        result === "inserted" || result === "updated"
          ? { _tag: "Committed", version: (version ?? 0) + 1 }
          : { _tag: "Conflict" },
    );
  };

  /**
   * By the indexed string only, which FerretDB narrows. Not sorted on the server: a sort would make
   * FerretDB read and decode every pending document for each page (seconds per page once a broker
   * outage has left tens of thousands); the page is ordered here, oldest first, and the publisher
   * merges each user's events by time. A page comes in one reply (`batchSize`): a cursor left
   * half-read, when a later `getMore` cannot get a pooled connection within the checkout timeout,
   * would stay open on the server until its cursor timeout.
   */
  const pendingDocuments = (limit?: number) =>
    tryMongo("movies.pendingEvents", () => {
      const cursor = collection.find(
        { pending: PENDING },
        { projection: { _id: 1, user_id: 1, outbox: 1, version: 1 } },
      );
      return (limit === undefined ? cursor : cursor.limit(limit).batchSize(limit)).toArray();
    }).pipe(Effect.flatMap((docs) => Effect.forEach(docs, decodePending)));

  const service: WatchlistStoreService = {
    load: (user_id, movie_id) =>
      tryMongo("movies.load", () =>
        collection.findOne({ _id: watchlistEntryKey(user_id, movie_id) } as Document),
      ).pipe(
        Effect.flatMap((raw) => (raw === null ? Effect.succeedNone : Effect.asSome(decodeDocument(raw)))),
        Effect.map(
          Option.map((doc) => ({
            state: toState(doc),
            version: doc.version,
            pending: outboxEvents(doc.outbox),
          })),
        ),
      ),

    commit,

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
            decodeDocument({ ...raw, outbox: {} }),
            (doc): StoredEntry => ({
              entry: toEntry(doc),
              removed: doc.removed,
              add_position: Option.fromNullable(doc.add_position),
              delete_position: Option.fromNullable(doc.delete_position),
              add_event: seenEvent(doc.add_event_id, doc.add_occurred_at),
              delete_event: seenEvent(doc.delete_event_id, doc.delete_occurred_at),
            }),
          ),
        );
      }),

    pendingEvents: (limit) =>
      limit <= 0
        ? Effect.succeed([])
        : pendingDocuments(limit).pipe(
            Effect.map((docs) =>
              docs
                .map(
                  (doc): PendingEvents => ({
                    entry_key: doc._id,
                    user_id: doc.user_id,
                    events: outboxEvents(doc.outbox),
                    version: doc.version,
                  }),
                )
                .filter((outbox) => outbox.events.length > 0)
                .sort(
                  (a, b) =>
                    a.events[0]!.occurred_at - b.events[0]!.occurred_at ||
                    (a.entry_key < b.entry_key ? -1 : a.entry_key > b.entry_key ? 1 : 0),
                ),
            ),
          ),

    markPublished: (published) =>
      published.length === 0 ? Effect.void : writer.clear(clearOperations(published)),

    pendingCount: pendingDocuments().pipe(
      Effect.map((docs) => docs.reduce((sum, doc) => sum + Object.keys(doc.outbox).length, 0)),
    ),

    writerStats: Effect.sync(writer.stats),
  };
  return service;
});

/** The watchlist store on the shared `MongoDatabase`; creates its indexes at start. */
export const WatchlistStoreMongo: Layer.Layer<WatchlistStore, StoreUnavailable, MongoDatabase> = Layer.effect(
  WatchlistStore,
  makeWatchlistStoreMongo,
);

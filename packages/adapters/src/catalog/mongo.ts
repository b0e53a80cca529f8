import { Film } from "@cinematch/domain";
import { Effect, Either, Layer, ParseResult, Schema } from "effect";
import type { AnyBulkWriteOperation, Collection, Document } from "mongodb";
import { tryMongo } from "../mongo/errors.ts";
import { MongoDatabase } from "../mongo/MongoDatabase.ts";
import { StoreUnavailable } from "../store-errors.ts";
import { type CatalogEntry, CatalogStore, type CatalogStoreService } from "./CatalogStore.ts";

/**
 * `catalog`: `{ _id: movie_id, movie_id, title, year?, genres?, ..., aliases, ids, votes?, sources? }`
 * (the film's fields at the top level, as before; `sources` only on entries merged from several), and `catalog_meta` `{ _id: "catalog", revision }`, which every
 * `upsertMany` sets to a new value so API processes know to rebuild their matcher index. A fresh
 * value rather than `$inc`: FerretDB 1.24 can lose concurrent increments.
 */
export const CATALOG_COLLECTION = "catalog";
export const CATALOG_META_COLLECTION = "catalog_meta";

const Count = Schema.Int.pipe(Schema.nonNegative());
const Extras = Schema.Struct({
  aliases: Schema.optionalWith(Schema.Array(Schema.String), { exact: true }),
  ids: Schema.optionalWith(Schema.Array(Schema.String), { exact: true }),
  votes: Schema.optionalWith(
    Schema.Struct({
      imdb: Schema.optionalWith(Count, { exact: true }),
      movielens: Schema.optionalWith(Count, { exact: true }),
      us_gross_usd: Schema.optionalWith(Count, { exact: true }),
    }),
    { exact: true },
  ),
});
/** A source's record inside an entry: `{ film, aliases?, ids?, votes? }`. */
const StoredSource = Schema.extend(Schema.Struct({ film: Film }), Extras);
const StoredFilm = Schema.extend(
  Film,
  Schema.extend(
    Extras,
    Schema.Struct({ sources: Schema.optionalWith(Schema.Array(StoredSource), { exact: true }) }),
  ),
);

export const makeCatalogStoreMongo = Effect.gen(function* () {
  const { db } = yield* MongoDatabase;
  const films: Collection<Document> = db.collection(CATALOG_COLLECTION);
  const meta: Collection<Document> = db.collection(CATALOG_META_COLLECTION);
  const encodeFilm = Schema.encodeSync(Film);
  const encodeSource = Schema.encodeSync(StoredSource);
  const decode = Schema.decodeUnknownEither(StoredFilm, { onExcessProperty: "ignore", errors: "all" });
  const decodeDoc = (doc: Document): Effect.Effect<CatalogEntry, StoreUnavailable> =>
    Either.match(decode(doc), {
      onLeft: (error) =>
        Effect.fail(
          new StoreUnavailable({
            operation: "catalog.read",
            message: `stored film ${String(doc._id)} does not fit its schema: ${ParseResult.TreeFormatter.formatErrorSync(error)}`,
          }),
        ),
      onRight: ({ aliases, ids, votes, sources, ...film }) =>
        Effect.succeed({
          film,
          ...(aliases === undefined || aliases.length === 0 ? {} : { aliases }),
          ...(ids === undefined || ids.length === 0 ? {} : { ids }),
          ...(votes === undefined ? {} : { votes }),
          ...(sources === undefined || sources.length === 0 ? {} : { sources }),
        }),
    });

  const bumpRevision = tryMongo("catalog_meta.revision", () =>
    meta.updateOne(
      { _id: "catalog" } as Document,
      { $set: { revision: Date.now() * 1000 + Math.floor(Math.random() * 1000) } },
      { upsert: true },
    ),
  );

  const service: CatalogStoreService = {
    get: (movie_id) =>
      tryMongo("catalog.get", () => films.findOne({ _id: movie_id } as Document)).pipe(
        Effect.flatMap((doc) =>
          doc === null ? Effect.succeedNone : Effect.asSome(Effect.map(decodeDoc(doc), (e) => e.film)),
        ),
      ),
    all: tryMongo("catalog.all", () => films.find({}).sort({ _id: 1 }).toArray()).pipe(
      Effect.flatMap((docs) => Effect.forEach(docs, decodeDoc)),
    ),
    count: tryMongo("catalog.count", () => films.countDocuments({})),
    upsertMany: (entries) =>
      Effect.gen(function* () {
        if (entries.length === 0) return { inserted: 0, updated: 0 };
        const last = new Map<string, CatalogEntry>();
        for (const entry of entries) last.set(entry.film.movie_id, entry);
        const operations: Array<AnyBulkWriteOperation<Document>> = [...last.values()].map((entry) => ({
          replaceOne: {
            filter: { _id: entry.film.movie_id } as Document,
            replacement: {
              ...encodeFilm(entry.film),
              aliases: [...(entry.aliases ?? [])],
              ids: [...(entry.ids ?? [])],
              ...(entry.votes === undefined ? {} : { votes: { ...entry.votes } }),
              ...(entry.sources === undefined || entry.sources.length === 0
                ? {}
                : { sources: entry.sources.map((source) => encodeSource(source)) }),
            },
            upsert: true,
          },
        }));
        const result = yield* tryMongo("catalog.upsertMany", () =>
          films.bulkWrite(operations, { ordered: false }),
        );
        yield* bumpRevision;
        return { inserted: result.upsertedCount, updated: result.matchedCount };
      }),
    removeMany: (movie_ids) =>
      Effect.gen(function* () {
        const unique = [...new Set(movie_ids)];
        if (unique.length === 0) return 0;
        // One delete per id: `_id` equality is what FerretDB narrows by index; `$in` would scan.
        const result = yield* tryMongo("catalog.removeMany", () =>
          films.bulkWrite(
            unique.map((id) => ({ deleteOne: { filter: { _id: id } as Document } })),
            { ordered: false },
          ),
        );
        if (result.deletedCount > 0) yield* bumpRevision;
        return result.deletedCount;
      }),
    revision: tryMongo("catalog_meta.get", () => meta.findOne({ _id: "catalog" } as Document)).pipe(
      Effect.map((doc) => (typeof doc?.revision === "number" ? doc.revision : 0)),
    ),
  };
  return service;
});

export const CatalogStoreMongo: Layer.Layer<CatalogStore, StoreUnavailable, MongoDatabase> = Layer.effect(
  CatalogStore,
  makeCatalogStoreMongo,
);

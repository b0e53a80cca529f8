import type { Film, FilmVotes, SourceRecord } from "@cinematch/domain";
import { Context, type Effect, type Option } from "effect";
import type { StoreUnavailable } from "../store-errors.ts";

/**
 * A catalog film with the alternative titles the catalog knows for it, the ids other sources gave
 * it and their popularity counts (structurally the domain's `CatalogRecord`, so `makeCatalogIndex`
 * and `reconcileCatalog` take `await all` directly).
 */
export interface CatalogEntry {
  readonly film: Film;
  readonly aliases?: ReadonlyArray<string>;
  readonly ids?: ReadonlyArray<string>;
  readonly votes?: FilmVotes;
  /** The sources' own records, when the entry merges two or more (what later imports merge again from). */
  readonly sources?: ReadonlyArray<SourceRecord>;
}

export interface UpsertSummary {
  readonly inserted: number;
  readonly updated: number;
}

export interface CatalogStoreService {
  readonly get: (movie_id: string) => Effect.Effect<Option.Option<Film>, StoreUnavailable>;
  /** Every film, in movie id order: what the API's in-memory matcher index is built from. */
  readonly all: Effect.Effect<ReadonlyArray<CatalogEntry>, StoreUnavailable>;
  readonly count: Effect.Effect<number, StoreUnavailable>;
  /** Inserts or replaces each entry by `film.movie_id` (the last one wins within a call). */
  readonly upsertMany: (
    entries: ReadonlyArray<CatalogEntry>,
  ) => Effect.Effect<UpsertSummary, StoreUnavailable>;
  /** Deletes the films of these ids (merged into another film); how many were there. */
  readonly removeMany: (movie_ids: ReadonlyArray<string>) => Effect.Effect<number, StoreUnavailable>;
  /**
   * A number that changes whenever `upsertMany` or `removeMany` changed something (in this process or another one
   * sharing the database), so a reader can rebuild its index only when needed.
   */
  readonly revision: Effect.Effect<number, StoreUnavailable>;
}

/** The `catalog` collection: `{ _id: movie_id, film fields..., aliases }`, plus a revision counter. */
export class CatalogStore extends Context.Tag("@cinematch/adapters/CatalogStore")<
  CatalogStore,
  CatalogStoreService
>() {}

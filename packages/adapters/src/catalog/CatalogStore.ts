import type { Film } from "@cinematch/domain";
import { Context, type Effect, type Option } from "effect";
import type { StoreUnavailable } from "../store-errors.ts";

/**
 * A catalog film with the alternative titles the catalog knows for it (structurally the domain's
 * `CatalogItem`, so `makeCatalogIndex(await all)` builds the matcher directly).
 */
export interface CatalogEntry {
  readonly film: Film;
  readonly aliases?: ReadonlyArray<string>;
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
  /**
   * A number that changes whenever `upsertMany` changed something (in this process or another one
   * sharing the database), so a reader can rebuild its index only when needed.
   */
  readonly revision: Effect.Effect<number, StoreUnavailable>;
}

/** The `catalog` collection: `{ _id: movie_id, film fields..., aliases }`, plus a revision counter. */
export class CatalogStore extends Context.Tag("@cinematch/adapters/CatalogStore")<
  CatalogStore,
  CatalogStoreService
>() {}

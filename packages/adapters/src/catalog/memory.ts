import { Effect, Layer, Option } from "effect";
import { type CatalogEntry, CatalogStore, type CatalogStoreService } from "./CatalogStore.ts";

export const makeCatalogStoreMemory = (initial: ReadonlyArray<CatalogEntry> = []): CatalogStoreService => {
  const films = new Map<string, CatalogEntry>();
  let revision = 0;
  const put = (entries: ReadonlyArray<CatalogEntry>) => {
    let inserted = 0;
    let updated = 0;
    const seen = new Set<string>();
    for (const entry of entries) {
      const id = entry.film.movie_id;
      const existed = films.has(id);
      films.set(id, structuredClone(entry));
      if (seen.has(id)) continue;
      seen.add(id);
      if (existed) updated += 1;
      else inserted += 1;
    }
    if (entries.length > 0) revision += 1;
    return { inserted, updated };
  };
  put(initial);
  return {
    get: (movie_id) =>
      Effect.sync(() => Option.map(Option.fromNullable(films.get(movie_id)), (e) => structuredClone(e.film))),
    all: Effect.sync(() =>
      [...films.values()]
        .sort((a, b) => (a.film.movie_id < b.film.movie_id ? -1 : a.film.movie_id > b.film.movie_id ? 1 : 0))
        .map((e) => structuredClone(e)),
    ),
    count: Effect.sync(() => films.size),
    upsertMany: (entries) => Effect.sync(() => put(entries)),
    removeMany: (movie_ids) =>
      Effect.sync(() => {
        let removed = 0;
        for (const id of new Set(movie_ids)) if (films.delete(id)) removed += 1;
        if (removed > 0) revision += 1;
        return removed;
      }),
    revision: Effect.sync(() => revision),
  };
};

/**
 * An empty in-memory catalog. A seeded one (the embedded default loads a demo catalog) is
 * `Layer.sync(CatalogStore, () => makeCatalogStoreMemory(entries))`.
 */
export const CatalogStoreMemory: Layer.Layer<CatalogStore> = Layer.sync(CatalogStore, () =>
  makeCatalogStoreMemory(),
);

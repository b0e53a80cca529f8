import type { CatalogRecord, Film, Reconciliation, RetiredId, WatchedEntry } from "@cinematch/domain";
import { Effect } from "effect";
import type { StoreUnavailable } from "../store-errors.ts";
import { WatchlistCommands } from "../watchlist/commands.ts";
import { WatchlistStore } from "../watchlist/WatchlistStore.ts";
import { CatalogStore, type UpsertSummary } from "./CatalogStore.ts";

/**
 * Carrying out a `reconcileCatalog` result against the stores, in an order that survives a crash
 * at any point: first the merged films (each carries the merged-away ids as aliases, so a rerun
 * finds the same groups), then the watchlist entries of merged-away films move to the surviving
 * film through the ordinary commands (entry and outbox in one write, so the runners see an ADD and
 * a DELETE and stay exactly-once), and only then do the merged-away films leave the catalog.
 */

/**
 * Films per `upsertMany` call. Well under 100: FerretDB 1.24 (SQLite) never answers an update
 * command of about 100 statements on existing documents.
 */
export const CATALOG_WRITE_CHUNK = 50;

export const writeCatalogChanges = (
  changed: ReadonlyArray<CatalogRecord>,
  onProgress: (done: number, total: number) => void = () => {},
): Effect.Effect<UpsertSummary, StoreUnavailable, CatalogStore> =>
  Effect.gen(function* () {
    const catalog = yield* CatalogStore;
    let inserted = 0;
    let updated = 0;
    for (let at = 0; at < changed.length; at += CATALOG_WRITE_CHUNK) {
      const result = yield* catalog.upsertMany(changed.slice(at, at + CATALOG_WRITE_CHUNK));
      inserted += result.inserted;
      updated += result.updated;
      onProgress(Math.min(changed.length, at + CATALOG_WRITE_CHUNK), changed.length);
    }
    return { inserted, updated };
  });

/** Live watchlist entries that hold a merged-away film: what `moveMergedEntries` will move. */
export const entriesOfRetiredFilms = (
  retired: ReadonlyArray<RetiredId>,
): Effect.Effect<ReadonlyArray<WatchedEntry>, StoreUnavailable, WatchlistStore> =>
  Effect.flatMap(WatchlistStore, (store) => store.entriesOfFilms(retired.map((r) => r.from)));

export interface MovedEntries {
  /** Entries now on the surviving film (the user did not have it yet). */
  readonly moved: number;
  /** Entries dropped because the user already had the surviving film (one film, one entry). */
  readonly folded: number;
}

/**
 * Moves each entry to the film its film was merged into, keeping its rating, watch date and the day
 * it was added (so the trends count it in the same day bucket): the ADD of the surviving film first,
 * then the DELETE of the old one, so a crash in between leaves a duplicate for the rerun to fold,
 * never a lost entry.
 */
export const moveMergedEntries = (
  entries: ReadonlyArray<WatchedEntry>,
  retired: ReadonlyArray<RetiredId>,
  films: ReadonlyMap<string, Film>,
): Effect.Effect<MovedEntries, StoreUnavailable, WatchlistCommands> =>
  Effect.gen(function* () {
    const commands = yield* WatchlistCommands;
    const into = new Map(retired.map((r) => [r.from, r.into]));
    let moved = 0;
    let folded = 0;
    for (const entry of entries) {
      const target = into.get(entry.movie.movie_id);
      const film = target === undefined ? undefined : films.get(target);
      if (film === undefined) continue;
      const added = yield* commands.add(entry.user_id, {
        movie: film,
        ...(entry.rating === undefined ? {} : { rating: entry.rating }),
        watched_at: entry.watched_at,
        added_at: entry.added_at,
      });
      yield* commands.remove(entry.user_id, entry.movie.movie_id);
      if (added.status === "added") moved += 1;
      else folded += 1;
    }
    return { moved, folded };
  });

/** The merged-away films leave the catalog (their ids live on as aliases of the surviving film). */
export const removeRetiredFilms = (
  retired: ReadonlyArray<RetiredId>,
): Effect.Effect<number, StoreUnavailable, CatalogStore> =>
  Effect.flatMap(CatalogStore, (catalog) => catalog.removeMany(retired.map((r) => r.from)));

/** The surviving films of a reconciliation, by id. */
export const filmsById = (result: Reconciliation): ReadonlyMap<string, Film> =>
  new Map(result.entries.map((entry) => [entry.film.movie_id, entry.film]));

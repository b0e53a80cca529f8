import { CatalogStore, type StoreUnavailable } from "@cinematch/adapters";
import {
  type CatalogIndex,
  decideResolution,
  type Film,
  type ImportCatalog,
  type MatchCandidate,
  makeCatalogIndex,
  type CatalogResolution,
} from "@cinematch/domain";
import { Duration, Effect, Option, type Scope } from "effect";

/**
 * The catalog as the API reads it: the matcher's index and a map of films by id, in memory, rebuilt
 * when the store's revision changes (checked every `refreshMs`; an import in another process shows
 * up within that). Searching never touches the database.
 */
export interface CatalogCache {
  readonly search: (text: string, year: number | undefined, limit: number) => ReadonlyArray<MatchCandidate>;
  readonly resolve: (text: string, year: number | undefined) => CatalogResolution;
  /** The film by id: from memory, or from the store for a film imported since the last rebuild. */
  readonly film: (movie_id: string) => Effect.Effect<Option.Option<Film>, StoreUnavailable>;
  readonly size: () => number;
  /** The catalog as the history import matches against it: by `movie_id` or any source's id, or by title. */
  readonly forImport: () => ImportCatalog;
  /** Rebuilds now if the revision changed (the loop does it every `refreshMs`). */
  readonly refresh: Effect.Effect<void, StoreUnavailable>;
}

export const makeCatalogCache = (
  refreshMs: number,
): Effect.Effect<CatalogCache, never, CatalogStore | Scope.Scope> =>
  Effect.gen(function* () {
    const store = yield* CatalogStore;
    let index: CatalogIndex = makeCatalogIndex([]);
    let films = new Map<string, Film>();
    let byAnyId = new Map<string, Film>();
    let revision: number | undefined;
    let failing = false;

    const refresh = Effect.gen(function* () {
      const current = yield* store.revision;
      if (current === revision) return;
      const entries = yield* store.all;
      const started = performance.now();
      index = makeCatalogIndex(entries);
      films = new Map(entries.map((entry) => [entry.film.movie_id, entry.film]));
      byAnyId = new Map(films);
      for (const entry of entries) for (const id of entry.ids ?? []) byAnyId.set(id, entry.film);
      revision = current;
      yield* Effect.logInfo("catalog index rebuilt", {
        films: films.size,
        ms: Math.round(performance.now() - started),
      });
    });

    const loopStep = refresh.pipe(
      Effect.tap(() => Effect.sync(() => (failing = false))),
      Effect.catchAll((error) =>
        failing
          ? Effect.void
          : Effect.sync(() => (failing = true)).pipe(
              Effect.zipRight(
                Effect.logWarning(
                  "catalog cache: cannot read the catalog; keeping the last index",
                  error.message,
                ),
              ),
            ),
      ),
    );
    yield* loopStep;
    yield* Effect.forkScoped(
      Effect.forever(Effect.zipRight(Effect.sleep(Duration.millis(refreshMs)), loopStep)),
    );

    return {
      search: (text, year, limit) => index.match(year === undefined ? { text } : { text, year }, { limit }),
      resolve: (text, year) =>
        decideResolution(index.match(year === undefined ? { text } : { text, year }, { limit: 10 })),
      film: (movie_id) => {
        const known = films.get(movie_id);
        return known !== undefined ? Effect.succeed(Option.some(known)) : store.get(movie_id);
      },
      size: () => films.size,
      forImport: () => {
        const ids = byAnyId;
        return { byId: (id) => ids.get(id), match: index.match };
      },
      refresh,
    };
  });

import type { Film } from "@cinematch/domain";
import { Config, Data, Duration, Effect, Layer, Option, Redacted, Schedule, Schema } from "effect";
import { boundedIntConfig } from "../config/env.ts";
import type { StoreUnavailable } from "../store-errors.ts";
import { type CatalogEntry, CatalogStore } from "./CatalogStore.ts";
import { CATALOG_WRITE_CHUNK } from "./merge-films.ts";

/**
 * Posters from TMDB, as the earlier system had them. With `TMDB_API_KEY` set, a background fiber
 * asks TMDB's `GET /movie/{id}` for every catalog film that has a TMDB id (MovieLens' links.csv gives
 * them) and no poster yet, at a bounded rate, retrying throttled and failed requests with backoff,
 * and stores the poster's URL on the film. Films added afterwards carry it in their events, so the
 * top 10 and the lists show it. Without a key nothing runs and the placeholders stay.
 */
export interface PosterSettings {
  readonly apiKey: Redacted.Redacted<string>;
  /** TMDB's API, e.g. `https://api.themoviedb.org/3` (a setting, so tests point it at a local fake). */
  readonly apiBaseUrl: string;
  /** Where poster images are served; the stored poster is this + `/w342` + TMDB's `poster_path`. */
  readonly imageBaseUrl: string;
  /** Requests per second at most (TMDB asks for about 40 per 10 s). */
  readonly requestsPerSecond: number;
  /** Tries per film after the first before giving up on it for this pass. */
  readonly retries: number;
  /** First retry delay; doubles each time (a `Retry-After` from TMDB wins when longer). */
  readonly backoffMs: number;
  /** How long to wait before looking for films without posters again. */
  readonly passIntervalMs: number;
}

export const posterSettingsFromEnv: Config.Config<Option.Option<PosterSettings>> = Config.all({
  apiKey: Config.option(Config.redacted("TMDB_API_KEY")),
  apiBaseUrl: Config.string("TMDB_API_BASE_URL").pipe(Config.withDefault("https://api.themoviedb.org/3")),
  imageBaseUrl: Config.string("TMDB_IMAGE_BASE_URL").pipe(Config.withDefault("https://image.tmdb.org/t/p")),
  requestsPerSecond: boundedIntConfig("TMDB_REQUESTS_PER_SECOND", 4, 1, 50),
  retries: boundedIntConfig("TMDB_RETRIES", 4, 0, 20),
  backoffMs: boundedIntConfig("TMDB_BACKOFF_MS", 500, 1, 600_000),
  passIntervalMs: boundedIntConfig("TMDB_PASS_INTERVAL_MS", 6 * 3600_000, 1000, 7 * 24 * 3600_000),
}).pipe(
  Config.map(({ apiKey, ...rest }) =>
    Option.map(
      Option.filter(apiKey, (key) => Redacted.value(key).trim() !== ""),
      (key) => ({ apiKey: key, ...rest }),
    ),
  ),
);

/** TMDB answered something other than a poster or a 404, after every retry. */
export class PosterFetchFailed extends Data.TaggedError("PosterFetchFailed")<{
  readonly tmdb_id: string;
  readonly message: string;
}> {}

/** A failure worth another try: throttled (429), TMDB's own trouble (5xx), or the network. */
class Retryable extends Data.TaggedError("Retryable")<{
  readonly message: string;
  readonly waitMs: number;
}> {}

const TmdbMovie = Schema.Struct({ poster_path: Schema.optional(Schema.NullOr(Schema.String)) });
const decodeMovie = Schema.decodeUnknownOption(TmdbMovie);

/** The film's TMDB id, from the ids its sources gave it (`tmdb-680`). */
export const tmdbIdOf = (entry: CatalogEntry): string | undefined =>
  entry.ids?.find((id) => /^tmdb-\d+$/u.test(id))?.slice("tmdb-".length);

/**
 * One film's poster URL: `Some` when TMDB has a poster, `None` when it has the film without one or
 * does not know the id (404). Throttling and server errors are retried with backoff.
 */
export const fetchPoster = (
  settings: PosterSettings,
  tmdbId: string,
): Effect.Effect<Option.Option<string>, PosterFetchFailed> => {
  const url = `${settings.apiBaseUrl.replace(/\/+$/u, "")}/movie/${encodeURIComponent(tmdbId)}`;
  const once = Effect.tryPromise({
    try: (signal) =>
      fetch(`${url}?api_key=${encodeURIComponent(Redacted.value(settings.apiKey))}`, {
        signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]),
        headers: { accept: "application/json" },
      }),
    catch: (cause) => new Retryable({ message: `no answer: ${String(cause)}`, waitMs: 0 }),
  }).pipe(
    Effect.flatMap((response): Effect.Effect<Option.Option<string>, PosterFetchFailed | Retryable> => {
      if (response.status === 404) return Effect.succeed(Option.none<string>());
      if (response.status === 429 || response.status >= 500) {
        const after = Number(response.headers.get("retry-after"));
        return Effect.fail(
          new Retryable({
            message: `HTTP ${response.status}`,
            waitMs: Number.isFinite(after) && after > 0 ? after * 1000 : 0,
          }),
        );
      }
      if (!response.ok) {
        return Effect.fail(new PosterFetchFailed({ tmdb_id: tmdbId, message: `HTTP ${response.status}` }));
      }
      return Effect.tryPromise({
        try: () => response.json() as Promise<unknown>,
        catch: () => new PosterFetchFailed({ tmdb_id: tmdbId, message: "the answer is not JSON" }),
      }).pipe(
        Effect.flatMap((body) =>
          Option.match(decodeMovie(body), {
            onNone: () =>
              Effect.fail(
                new PosterFetchFailed({ tmdb_id: tmdbId, message: "the answer has no poster_path" }),
              ),
            onSome: ({ poster_path }) =>
              Effect.succeed(
                poster_path
                  ? Option.some(`${settings.imageBaseUrl.replace(/\/+$/u, "")}/w342${poster_path}`)
                  : Option.none(),
              ),
          }),
        ),
      );
    }),
  );
  // Exponential backoff, stretched to TMDB's Retry-After when it asks for longer.
  const tryFrom = (attempt: number): Effect.Effect<Option.Option<string>, PosterFetchFailed | Retryable> =>
    once.pipe(
      Effect.catchTag("Retryable", (failure) =>
        attempt >= settings.retries
          ? Effect.fail(failure)
          : Effect.zipRight(
              Effect.sleep(Duration.millis(Math.max(failure.waitMs, settings.backoffMs * 2 ** attempt))),
              tryFrom(attempt + 1),
            ),
      ),
    );
  return tryFrom(0).pipe(
    Effect.catchTag("Retryable", (failure) =>
      Effect.fail(
        new PosterFetchFailed({
          tmdb_id: tmdbId,
          message: `${failure.message}, still after ${settings.retries} retries`,
        }),
      ),
    ),
  );
};

export interface PosterPass {
  /** Films with a TMDB id and no poster when the pass began. */
  readonly wanted: number;
  readonly found: number;
  /** TMDB has no poster for them (or does not know the id). */
  readonly none: number;
  readonly failed: number;
}

/**
 * One pass: every film with a TMDB id and no poster, one request at a time at most
 * `requestsPerSecond`, posters written back in chunks as they come.
 */
export const enrichPostersOnce = (
  settings: PosterSettings,
): Effect.Effect<PosterPass, StoreUnavailable, CatalogStore> =>
  Effect.gen(function* () {
    const catalog = yield* CatalogStore;
    const wanted = (yield* catalog.all).filter(
      (e) => e.film.poster_path === undefined && tmdbIdOf(e) !== undefined,
    );
    const spacing = Duration.millis(Math.ceil(1000 / settings.requestsPerSecond));
    let found = 0;
    let none = 0;
    let failed = 0;
    let pending: CatalogEntry[] = [];
    const flush = Effect.suspend(() => {
      const batch = pending;
      pending = [];
      return batch.length === 0 ? Effect.void : Effect.asVoid(catalog.upsertMany(batch));
    });
    for (const [k, entry] of wanted.entries()) {
      if (k > 0) yield* Effect.sleep(spacing);
      const poster = yield* Effect.either(fetchPoster(settings, tmdbIdOf(entry)!));
      if (poster._tag === "Left") {
        failed += 1;
        yield* Effect.logWarning(`posters: ${entry.film.movie_id}: ${poster.left.message}`);
        continue;
      }
      if (Option.isNone(poster.right)) {
        none += 1;
        continue;
      }
      found += 1;
      const film: Film = { ...entry.film, poster_path: poster.right.value };
      pending.push({ ...entry, film });
      if (pending.length >= CATALOG_WRITE_CHUNK) yield* flush;
    }
    yield* flush;
    return { wanted: wanted.length, found, none, failed };
  });

/**
 * The background enrichment: a pass at start, then one every `passIntervalMs` (new imports bring
 * new TMDB ids). A failing catalog is logged and tried again at the next pass; the fiber ends with
 * the layer's scope.
 */
export const PosterEnrichmentLive = (settings: PosterSettings): Layer.Layer<never, never, CatalogStore> =>
  Layer.scopedDiscard(
    Effect.forkScoped(
      enrichPostersOnce(settings).pipe(
        Effect.tap((pass) =>
          Effect.logInfo(
            `posters: ${pass.found} found, ${pass.none} without a poster, ${pass.failed} failed, of ${pass.wanted} films with a TMDB id`,
          ),
        ),
        Effect.catchAll((error) => Effect.logWarning(`posters: the catalog failed: ${error.message}`)),
        Effect.repeat(Schedule.spaced(Duration.millis(settings.passIntervalMs))),
      ),
    ),
  );

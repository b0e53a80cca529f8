import {
  type MatchCandidate,
  type MatchOptions,
  type MatchQuery,
  decideResolution,
} from "../catalog/catalog-index.ts";
import type { WatchedEntry } from "../schemas/entry.ts";
import type { Film } from "../schemas/film.ts";
import type { ExportFilm, ExportProblem, ParsedExport } from "./export-film.ts";

/**
 * From an export's films to what the watchlist should hold: each film matched to one catalog film
 * (by the source's IMDB or TMDB id against the catalog's aliases first, else by the catalog matcher
 * on title and year), and, once the user's entry is known, the one change that brings it up to date.
 */

/** What the planner needs of the catalog. */
export interface ImportCatalog {
  /** The film with this `movie_id` or alias id (`tt0111161`, `tmdb-278`). */
  readonly byId: (id: string) => Film | undefined;
  readonly match: (query: MatchQuery, options?: MatchOptions) => ReadonlyArray<MatchCandidate>;
}

export type MatchedBy = "imdb_id" | "tmdb_id" | "title";

/** One catalog film with the history the export holds for it (several export films may land on one). */
export interface PlannedFilm {
  readonly film: Film;
  readonly matched_by: MatchedBy;
  readonly rating?: number;
  readonly watched_at?: number;
  readonly watch_count: number;
}

export type UnmatchedReason = "not_in_catalog" | "ambiguous";

export interface UnmatchedFilm {
  readonly title: string;
  readonly year?: number;
  readonly reason: UnmatchedReason;
  /** The closest catalog films, best first (none when nothing came near). */
  readonly candidates: ReadonlyArray<MatchCandidate>;
  readonly rating?: number;
  readonly watched_at?: number;
  readonly watch_count: number;
}

export interface ImportPlan {
  readonly films: ReadonlyArray<PlannedFilm>;
  readonly unmatched: ReadonlyArray<UnmatchedFilm>;
  readonly problems: ReadonlyArray<ExportProblem>;
}

/** Candidates an unmatched film reports. */
export const UNMATCHED_CANDIDATES = 3;
/** A watch more than a day ahead of `now` is a wrong date, not a plan (the API's own bound). */
const FUTURE_SLACK_MS = 86_400_000;

const byIds = (film: ExportFilm, catalog: ImportCatalog): PlannedFilm["matched_by"] | undefined => {
  if (film.imdb_id !== undefined && catalog.byId(film.imdb_id) !== undefined) return "imdb_id";
  if (film.tmdb_id !== undefined && catalog.byId(`tmdb-${film.tmdb_id}`) !== undefined) return "tmdb_id";
  return undefined;
};

const later = (a: number | undefined, b: number | undefined) =>
  a === undefined ? b : b === undefined ? a : Math.max(a, b);

/**
 * Matches every film of `parsed` and merges those that are one catalog film. Dates more than a day
 * after `now` are dropped (the film is still added, watched "now"), each reported as a problem.
 */
export const planImport = (parsed: ParsedExport, catalog: ImportCatalog, now: number): ImportPlan => {
  const planned = new Map<string, PlannedFilm>();
  const unmatched: Array<UnmatchedFilm> = [];
  const problems: Array<ExportProblem> = [...parsed.problems];
  for (const exported of parsed.films) {
    let watched_at = exported.watched_at;
    if (watched_at !== undefined && watched_at > now + FUTURE_SLACK_MS) {
      problems.push({
        file: "export",
        message: `${exported.title}${exported.year === undefined ? "" : ` (${exported.year})`}: the watch date ${new Date(watched_at).toISOString().slice(0, 10)} is in the future; it counts as watched today`,
      });
      watched_at = undefined;
    }
    const history = {
      ...(exported.rating === undefined ? {} : { rating: exported.rating }),
      ...(watched_at === undefined ? {} : { watched_at }),
      watch_count: exported.watch_count,
    };
    let film: Film | undefined;
    let matched_by: MatchedBy | undefined = byIds(exported, catalog);
    if (matched_by === "imdb_id") film = catalog.byId(exported.imdb_id!);
    else if (matched_by === "tmdb_id") film = catalog.byId(`tmdb-${exported.tmdb_id}`);
    else {
      const query =
        exported.year === undefined
          ? { text: exported.title }
          : { text: exported.title, year: exported.year };
      const candidates = catalog.match(query, { limit: 10 });
      const resolution = decideResolution(candidates);
      if (resolution._tag === "Matched") {
        film = resolution.film;
        matched_by = "title";
      } else {
        unmatched.push({
          title: exported.title,
          ...(exported.year === undefined ? {} : { year: exported.year }),
          reason: resolution._tag === "Ambiguous" ? "ambiguous" : "not_in_catalog",
          candidates: (resolution._tag === "Ambiguous" ? resolution.candidates : candidates).slice(
            0,
            UNMATCHED_CANDIDATES,
          ),
          ...history,
        });
        continue;
      }
    }
    const earlier = planned.get(film!.movie_id);
    planned.set(
      film!.movie_id,
      earlier === undefined ? { film: film!, matched_by: matched_by!, ...history } : merge(earlier, history),
    );
  }
  return { films: [...planned.values()], unmatched, problems };
};

/**
 * Plans made from parts of one export (a long export is planned in slices so that no slice holds
 * the caller's thread for long), as one plan: films of several slices that are one catalog film
 * are merged as `planImport` merges them within a slice.
 */
export const mergePlans = (plans: ReadonlyArray<ImportPlan>): ImportPlan => {
  const films = new Map<string, PlannedFilm>();
  for (const plan of plans)
    for (const film of plan.films) {
      const earlier = films.get(film.film.movie_id);
      films.set(film.film.movie_id, earlier === undefined ? film : merge(earlier, film));
    }
  return {
    films: [...films.values()],
    unmatched: plans.flatMap((plan) => plan.unmatched),
    problems: plans.flatMap((plan) => plan.problems),
  };
};

/** Two export films that are one catalog film (a title under two spellings): the later history wins. */
const merge = (
  earlier: PlannedFilm,
  next: { readonly rating?: number; readonly watched_at?: number; readonly watch_count: number },
): PlannedFilm => {
  const nextIsLater = (next.watched_at ?? -Infinity) >= (earlier.watched_at ?? -Infinity);
  const rating = nextIsLater ? (next.rating ?? earlier.rating) : (earlier.rating ?? next.rating);
  const watched_at = later(earlier.watched_at, next.watched_at);
  return {
    film: earlier.film,
    matched_by: earlier.matched_by,
    ...(rating === undefined ? {} : { rating }),
    ...(watched_at === undefined ? {} : { watched_at }),
    watch_count: earlier.watch_count + next.watch_count,
  };
};

/** What the import changes on an entry the user already has; `undefined` when nothing. */
export interface ImportedChange {
  readonly rating?: number;
  readonly watched_at?: number;
  readonly watch_count?: number;
}

/**
 * The change that brings `existing` up to `planned`: the export's rating when it has one and it
 * differs, its watch date when it is later than the entry's, and its watch count when it is
 * higher. The same export imported again finds nothing to change, and an older export never moves
 * a later watch back or lowers a count.
 */
export const importedChange = (planned: PlannedFilm, existing: WatchedEntry): ImportedChange | undefined => {
  const rating =
    planned.rating !== undefined && planned.rating !== existing.rating ? planned.rating : undefined;
  const watched_at =
    planned.watched_at !== undefined && planned.watched_at > existing.watched_at
      ? planned.watched_at
      : undefined;
  const watch_count = planned.watch_count > (existing.watch_count ?? 1) ? planned.watch_count : undefined;
  if (rating === undefined && watched_at === undefined && watch_count === undefined) return undefined;
  return {
    ...(rating === undefined ? {} : { rating }),
    ...(watched_at === undefined ? {} : { watched_at }),
    ...(watch_count === undefined ? {} : { watch_count }),
  };
};

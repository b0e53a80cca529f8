import type { CatalogEntry } from "@cinematch/adapters";
import { decoderFor, Film, makeCatalogIndex, normalizeTitle } from "@cinematch/domain";
import { Either } from "effect";
import type { ImdbFilm } from "./imdb.ts";
import type { MovieLensFilm, MovieLensLink } from "./movielens.ts";

/**
 * Merges the two catalogs: each IMDB film is looked up among the MovieLens films with the domain's
 * catalog matcher (title, alternative titles, trailing articles, off-by-one years). A confident
 * match makes one entry with the union of both:
 * - `movie_id`, title, year and alternative titles from MovieLens (`ml-<movieId>`, the id the
 *   replay uses, so replayed ratings and the catalog agree); the IMDB title is added as an
 *   alternative title when it is written differently;
 * - directors, actors and running time from IMDB (MovieLens has none);
 * - genres: MovieLens' first, then IMDB's that MovieLens lacks.
 * An IMDB film without a confident match (not found, ambiguous, or its match already taken by
 * another IMDB row) stays its own entry with its `imdb-<hash>` id; ambiguous ones are listed.
 */
export interface ImportedFilm {
  readonly entry: CatalogEntry;
  readonly movielens?: { readonly line: number; readonly id: number; readonly link?: MovieLensLink };
  readonly imdb?: {
    readonly line: number;
    readonly rank: number;
    /** The IMDB film's own id (`imdb-<hash>`), kept as an alias when it merged into a MovieLens film. */
    readonly id: string;
    readonly score?: number;
    readonly reason?: string;
  };
}

export interface MergeReport {
  readonly movielens_films: number;
  readonly imdb_films: number;
  /** IMDB films merged into a MovieLens film: on the exact title and year, or on a looser match. */
  readonly merged_exact: number;
  readonly merged_fuzzy: ReadonlyArray<{
    readonly imdb_line: number;
    readonly title: string;
    readonly movie_id: string;
    readonly reason: string;
  }>;
  /** IMDB films the matcher could not decide on, kept apart, with the titles it hesitated between. */
  readonly ambiguous: ReadonlyArray<{
    readonly imdb_line: number;
    readonly title: string;
    readonly candidates: ReadonlyArray<string>;
  }>;
  /** IMDB films whose match another IMDB row had already taken, kept apart. */
  readonly conflicts: ReadonlyArray<{
    readonly imdb_line: number;
    readonly title: string;
    readonly taken_by_line: number;
  }>;
  readonly imdb_only: number;
  readonly movielens_only: number;
  /** Catalog entries in all. */
  readonly total: number;
}

const decodeFilm = decoderFor(Film, "film");

const union = (first: ReadonlyArray<string> | undefined, second: ReadonlyArray<string> | undefined) => {
  const out = [...(first ?? [])];
  const seen = new Set(out.map((x) => x.toLowerCase()));
  for (const x of second ?? []) {
    if (!seen.has(x.toLowerCase())) {
      seen.add(x.toLowerCase());
      out.push(x);
    }
  }
  return out;
};

/** One entry from a MovieLens film and the IMDB film it matched. */
export const mergeEntries = (movielens: CatalogEntry, imdb: CatalogEntry): CatalogEntry => {
  const ml = movielens.film;
  const im = imdb.film;
  const genres = union(ml.genres, im.genres);
  const directors = im.directors ?? ml.directors;
  const actors = im.actors ?? ml.actors;
  const runtime = im.runtime_minutes ?? ml.runtime_minutes;
  const year = ml.year ?? im.year;
  const candidate = {
    ...ml,
    ...(year === undefined ? {} : { year }),
    ...(genres.length === 0 ? {} : { genres }),
    ...(directors === undefined ? {} : { directors }),
    ...(actors === undefined ? {} : { actors }),
    ...(runtime === undefined ? {} : { runtime_minutes: runtime }),
  };
  const decoded = decodeFilm(candidate);
  // Both halves were decoded already and the union stays within the schema's bounds.
  if (Either.isLeft(decoded)) throw new Error(`merged film does not decode: ${decoded.left.message}`);
  const known = new Set([ml.title, ...(movielens.aliases ?? [])].map(normalizeTitle));
  const aliases = [...(movielens.aliases ?? [])];
  if (!known.has(normalizeTitle(im.title))) aliases.push(im.title);
  const votes = { ...movielens.votes, ...imdb.votes };
  return {
    film: decoded.right,
    ...(aliases.length === 0 ? {} : { aliases }),
    ...(Object.keys(votes).length === 0 ? {} : { votes }),
  };
};

export const mergeCatalogs = (
  movielens: ReadonlyArray<MovieLensFilm>,
  links: ReadonlyMap<number, MovieLensLink>,
  imdb: ReadonlyArray<ImdbFilm>,
  onProgress: (done: number, total: number) => void = () => {},
): { readonly films: ReadonlyArray<ImportedFilm>; readonly report: MergeReport } => {
  const index = makeCatalogIndex(movielens.map((m) => m.entry));
  const claimedBy = new Map<string, ImdbFilm & { readonly score: number; readonly reason: string }>();
  const separate: ImportedFilm[] = [];
  const merged_fuzzy: Array<MergeReport["merged_fuzzy"][number]> = [];
  const ambiguous: Array<MergeReport["ambiguous"][number]> = [];
  const conflicts: Array<MergeReport["conflicts"][number]> = [];
  let merged_exact = 0;

  imdb.forEach((film, k) => {
    const { title, year } = film.entry.film;
    const resolution = index.resolve(year === undefined ? { text: title } : { text: title, year });
    const alone = (): ImportedFilm => ({
      entry: film.entry,
      imdb: { line: film.line, rank: film.rank, id: film.entry.film.movie_id },
    });
    switch (resolution._tag) {
      case "NotFound":
        separate.push(alone());
        break;
      case "Ambiguous":
        ambiguous.push({
          imdb_line: film.line,
          title,
          candidates: resolution.candidates
            .slice(0, 5)
            .map(
              (c) =>
                `${c.film.title}${c.film.year === undefined ? "" : ` (${c.film.year})`} [${c.film.movie_id}]`,
            ),
        });
        separate.push(alone());
        break;
      case "Matched": {
        const id = resolution.film.movie_id;
        const taken = claimedBy.get(id);
        if (taken !== undefined) {
          conflicts.push({ imdb_line: film.line, title, taken_by_line: taken.line });
          separate.push(alone());
          break;
        }
        claimedBy.set(id, { ...film, score: resolution.score, reason: resolution.reason });
        if (resolution.score >= 1) merged_exact += 1;
        else merged_fuzzy.push({ imdb_line: film.line, title, movie_id: id, reason: resolution.reason });
        break;
      }
    }
    onProgress(k + 1, imdb.length);
  });

  const films: ImportedFilm[] = movielens.map((m) => {
    const link = links.get(m.movielens_id);
    const source = { line: m.line, id: m.movielens_id, ...(link === undefined ? {} : { link }) };
    const match = claimedBy.get(m.entry.film.movie_id);
    if (match === undefined) return { entry: m.entry, movielens: source };
    return {
      entry: mergeEntries(m.entry, match.entry),
      movielens: source,
      imdb: {
        line: match.line,
        rank: match.rank,
        id: match.entry.film.movie_id,
        score: match.score,
        reason: match.reason,
      },
    };
  });
  films.push(...separate);

  return {
    films,
    report: {
      movielens_films: movielens.length,
      imdb_films: imdb.length,
      merged_exact,
      merged_fuzzy,
      ambiguous,
      conflicts,
      imdb_only: separate.length,
      movielens_only: movielens.length - claimedBy.size,
      total: films.length,
    },
  };
};

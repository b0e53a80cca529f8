import type { Film } from "../schemas/film.ts";
import { normalizeTitle } from "../title/normalize-title.ts";
import {
  type CatalogItem,
  decideResolution,
  defaultResolvePolicy,
  type MatchCandidate,
  makeCatalogIndex,
} from "./catalog-index.ts";

/**
 * One entry per film, whatever the sources and the order they arrive in.
 *
 * Every film carries the ids its sources gave it (`ml-296`, `tt0110912`, `tmdb-680`, `imdb-<hash>`,
 * `vega-<hash>`). Two entries are the same film when they share an id, or when the matcher finds one
 * by the other's title and year as it decides a title a user typed. Two entries holding different ids of the same
 * kind (two MovieLens ids, two IMDB ids...) are never one film: a source does not list a film twice,
 * so that guard keeps the matcher from gluing a remake to its original.
 *
 * The merged film takes its `movie_id` from the most trusted source present (MovieLens, whose ids the
 * replay uses, then IMDB, then the demo catalog), so the result does not depend on which import ran
 * first; every other id stays on the film as an alias, so importing again finds it by id. An entry
 * merged from several sources keeps their own records, and each import merges again from all the
 * sources stored and given: which film a title joins is decided among the same records whatever
 * the order they came in, so the catalog is the same for any order of the same imports.
 */

/** Popularity counts from the sources, for the matcher's prior. The larger figure wins on merge. */
export interface FilmVotes {
  /** IMDB votes (IMDB-1000's `Votes`, vega-datasets' `IMDB Votes`). */
  readonly imdb?: number;
  /** MovieLens ratings in `ratings.csv`. */
  readonly movielens?: number;
  /** US box-office gross in dollars (vega-datasets), a stand-in where a source has no votes. */
  readonly us_gross_usd?: number;
}

/** One source's record of a film (a MovieLens row with its links, an IMDB row, a demo film). */
export interface SourceRecord extends CatalogItem {
  /** Every id a source gave this film, its own `movie_id` excepted. */
  readonly ids?: ReadonlyArray<string>;
  readonly votes?: FilmVotes;
}

/** A stored or incoming catalog film with what the catalog knows besides the `Film` snapshot. */
export interface CatalogRecord extends SourceRecord {
  /**
   * The source records this entry was merged from, when there are two or more (an entry made from
   * one source is that source). Every import merges again from all the sources stored and given,
   * so the catalog depends on which sources were imported, never on the order they came in.
   */
  readonly sources?: ReadonlyArray<SourceRecord>;
}

/** A stored film merged into another: its watchlist entries must move to `into`. */
export interface RetiredId {
  readonly from: string;
  readonly into: string;
}

export interface Reconciliation {
  /** The whole catalog afterwards, one entry per film, in movie id order. */
  readonly entries: ReadonlyArray<CatalogRecord>;
  /** Entries to write: new ones and stored ones that changed (in movie id order). */
  readonly changed: ReadonlyArray<CatalogRecord>;
  /** Stored ids that are now an alias of another film (in `from` order). */
  readonly retired: ReadonlyArray<RetiredId>;
  /** Films the incoming records belong to that were already in the catalog (by id or by title and year). */
  readonly matched_stored: number;
  /** Films new to the catalog (several incoming entries of one new film count once). */
  readonly added: number;
}

/** The kinds of id, most trusted first: the canonical `movie_id` of a merged film is of the first kind present. */
const idKinds = ["ml", "imdb", "vega", "tmdb", "tt"] as const;
type IdKind = (typeof idKinds)[number] | "other";

export const idKind = (id: string): IdKind => {
  if (/^tt\d+$/u.test(id)) return "tt";
  const prefix = /^([a-z]+)-/u.exec(id)?.[1];
  return (idKinds as ReadonlyArray<string>).includes(prefix ?? "") ? (prefix as IdKind) : "other";
};
const kindRank = (id: string): number => {
  const at = (idKinds as ReadonlyArray<string>).indexOf(idKind(id));
  return at < 0 ? idKinds.length : at;
};

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const allIds = (record: CatalogRecord): ReadonlyArray<string> => [
  record.film.movie_id,
  ...(record.ids ?? []),
];

/** Which source a field is best taken from: details from IMDB, then the demo catalog, then MovieLens. */
const detailRank = (record: CatalogRecord): number => {
  const kind = idKind(record.film.movie_id);
  return kind === "imdb" ? 0 : kind === "vega" ? 1 : kind === "ml" ? 2 : 3;
};

const unionText = (lists: ReadonlyArray<ReadonlyArray<string> | undefined>): string[] => {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const list of lists) {
    for (const x of list ?? []) {
      const key = x.toLowerCase();
      if (!seen.has(key)) {
        seen.add(key);
        out.push(x);
      }
    }
  }
  return out;
};

/**
 * Alternative titles once each as the matcher sees them (folded), the film's own title left out.
 * The other sources' titles come before anyone's aliases, so a source's record merged alone and
 * then again with others keeps the same spellings as when merged with them at once.
 */
const uniqueTitles = (title: string, lists: ReadonlyArray<ReadonlyArray<string> | undefined>): string[] => {
  const seen = new Set([normalizeTitle(title)]);
  const out: string[] = [];
  for (const list of lists) {
    for (const alias of list ?? []) {
      const key = normalizeTitle(alias);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(alias);
      }
    }
  }
  return out;
};

const firstDefined = <A>(records: ReadonlyArray<CatalogRecord>, pick: (film: Film) => A | undefined) => {
  for (const record of records) {
    const value = pick(record.film);
    if (value !== undefined) return value;
  }
  return undefined;
};

const maxDefined = (values: ReadonlyArray<number | undefined>): number | undefined => {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length === 0 ? undefined : Math.max(...defined);
};

/**
 * One film from the entries found to be the same. `ordered` is most trusted first (the canonical
 * record leads); within a source, incoming before stored, so corrected data replaces old data.
 */
const mergeGroup = (ordered: ReadonlyArray<SourceRecord>): SourceRecord => {
  const lead = ordered[0]!;
  const ids = [...new Set(ordered.flatMap(allIds))].sort(
    (a, b) => kindRank(a) - kindRank(b) || compare(a, b),
  );
  const movie_id = ids[0]!;
  const details = [...ordered].sort((a, b) => detailRank(a) - detailRank(b));
  const genres = unionText(ordered.map((r) => r.film.genres));
  const directors = firstDefined(details, (f) => f.directors);
  const actors = firstDefined(details, (f) => f.actors);
  const runtime = firstDefined(details, (f) => f.runtime_minutes);
  const year = firstDefined(ordered, (f) => f.year);
  const poster = firstDefined(ordered, (f) => f.poster_path);
  const film: Film = {
    movie_id,
    title: lead.film.title,
    ...(year === undefined ? {} : { year }),
    ...(genres.length === 0 ? {} : { genres }),
    ...(directors === undefined ? {} : { directors }),
    ...(actors === undefined ? {} : { actors }),
    ...(runtime === undefined ? {} : { runtime_minutes: runtime }),
    ...(poster === undefined ? {} : { poster_path: poster }),
  };
  const aliases = uniqueTitles(film.title, [
    ordered.slice(1).map((r) => r.film.title),
    ...ordered.map((r) => r.aliases),
  ]);
  const imdb = maxDefined(ordered.map((r) => r.votes?.imdb));
  const movielens = maxDefined(ordered.map((r) => r.votes?.movielens));
  const gross = maxDefined(ordered.map((r) => r.votes?.us_gross_usd));
  const otherIds = ids.filter((id) => id !== movie_id);
  return {
    film,
    ...(aliases.length === 0 ? {} : { aliases }),
    ...(otherIds.length === 0 ? {} : { ids: otherIds }),
    ...(imdb === undefined && movielens === undefined && gross === undefined
      ? {}
      : {
          votes: {
            ...(imdb === undefined ? {} : { imdb }),
            ...(movielens === undefined ? {} : { movielens }),
            ...(gross === undefined ? {} : { us_gross_usd: gross }),
          },
        }),
  };
};

/** Deep equality of two records as stored (field order and alias order ignored where they carry no meaning). */
const sameRecord = (a: CatalogRecord, b: CatalogRecord): boolean => canonicalJson(a) === canonicalJson(b);
const canonicalJson = (record: CatalogRecord): string =>
  JSON.stringify(record, (_key, value: unknown) =>
    value !== null && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([x], [y]) => compare(x, y)))
      : value,
  );

/** A source record in the form it is merged and stored in (ids sorted, titles and genres once each). */
export const normalizeSource = (record: SourceRecord): SourceRecord => mergeGroup([record]);

interface MergeInput {
  readonly record: SourceRecord;
  /** The stored entries this source was part of (one; none when it is new). */
  readonly storedIn: ReadonlyArray<string>;
  readonly incoming: boolean;
}

/**
 * Every source to merge: those of the stored entries (an entry without `sources` is its own one
 * source), with an incoming record replacing the stored source of the same id (corrected data
 * replaces old data), most trusted first. An entry merged before sources were kept (its `ids` name
 * another source's film) is kept whole beside the incoming record, so none of its details are lost.
 */
const sourcesToMerge = (
  stored: ReadonlyArray<CatalogRecord>,
  incoming: ReadonlyArray<SourceRecord>,
): ReadonlyArray<MergeInput> => {
  const byKey = new Map<string, { record: SourceRecord; storedIn: string[]; incoming: boolean }>();
  for (const entry of stored) {
    const { sources, ...self } = entry;
    const legacyMerge =
      sources === undefined && (entry.ids ?? []).some((id) => ["ml", "imdb", "vega"].includes(idKind(id)));
    for (const source of sources ?? [self]) {
      const key = legacyMerge ? `stored:${entry.film.movie_id}` : source.film.movie_id;
      const known = byKey.get(key);
      if (known === undefined)
        byKey.set(key, { record: normalizeSource(source), storedIn: [entry.film.movie_id], incoming: false });
      else known.storedIn.push(entry.film.movie_id);
    }
  }
  for (const record of incoming) {
    const key = record.film.movie_id;
    const known = byKey.get(key);
    byKey.set(key, { record: normalizeSource(record), storedIn: known?.storedIn ?? [], incoming: true });
  }
  return [...byKey.values()].sort(
    (a, b) =>
      kindRank(a.record.film.movie_id) - kindRank(b.record.film.movie_id) ||
      compare(a.record.film.movie_id, b.record.film.movie_id) ||
      compare(canonicalJson(a.record), canonicalJson(b.record)),
  );
};

/** A poster found for a stored entry (TMDB enrichment) stays when no source has one. */
const withStoredPoster = (
  merged: CatalogRecord,
  storedEntries: ReadonlyArray<CatalogRecord>,
): CatalogRecord => {
  if (merged.film.poster_path !== undefined) return merged;
  const poster = [...storedEntries]
    .sort((a, b) => compare(a.film.movie_id, b.film.movie_id))
    .find((e) => e.film.poster_path !== undefined)?.film.poster_path;
  return poster === undefined ? merged : { ...merged, film: { ...merged.film, poster_path: poster } };
};

/**
 * Matches `incoming` films against the `stored` catalog and against each other, merges each film's
 * entries into one, and says what to write and which stored ids were merged away. Pure and
 * deterministic: the same films in any order give the same catalog. `reconcileCatalog(stored, [])`
 * repairs a catalog that already holds duplicates.
 */
export const reconcileCatalog = (
  stored: ReadonlyArray<CatalogRecord>,
  incoming: ReadonlyArray<CatalogRecord>,
): Reconciliation => {
  const records = sourcesToMerge(stored, incoming);

  // Union-find over records, each group remembering its id per kind for the guard.
  const parent = records.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const kindsOf = records.map(({ record }) => {
    const kinds = new Map<IdKind, string>();
    for (const id of allIds(record)) if (!kinds.has(idKind(id))) kinds.set(idKind(id), id);
    return kinds;
  });
  const compatible = (a: number, b: number): boolean => {
    const [small, large] =
      kindsOf[a]!.size <= kindsOf[b]!.size ? [kindsOf[a]!, kindsOf[b]!] : [kindsOf[b]!, kindsOf[a]!];
    for (const [kind, id] of small) {
      const other = large.get(kind);
      if (other !== undefined && other !== id) return false;
    }
    return true;
  };
  const union = (a: number, b: number): boolean => {
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) return true;
    if (!compatible(ra, rb)) return false;
    const [keep, drop] = ra < rb ? [ra, rb] : [rb, ra];
    parent[drop] = keep;
    for (const [kind, id] of kindsOf[drop]!) if (!kindsOf[keep]!.has(kind)) kindsOf[keep]!.set(kind, id);
    return true;
  };

  // 1. The same id, however it was written: the same film (a source's own id reimported, a link id).
  const byId = new Map<string, number>();
  records.forEach(({ record }, i) => {
    for (const id of allIds(record)) {
      const first = byId.get(id);
      if (first === undefined) byId.set(id, i);
      else union(first, i);
    }
  });

  // 2. The same title and year, by the matcher, decided as the API decides a title typed by a user
  // (`decideResolution`: clearly the best, or a lone whole-title typo) among the other films, each
  // film (group of entries already found to be one) counted once at its best score; and the two
  // must be able to be one film (no two ids of a kind).
  const index = makeCatalogIndex(records.map(({ record }) => record));
  const recordOf = new Map<Film, number>(records.map(({ record }, i) => [record.film, i]));
  records.forEach(({ record }, i) => {
    const { title, year } = record.film;
    const perFilm = new Map<number, MatchCandidate & { readonly at: number }>();
    for (const c of index.match(year === undefined ? { text: title } : { text: title, year }, {
      limit: 10,
    })) {
      const at = recordOf.get(c.film)!;
      const root = find(at);
      if (root === find(i)) continue;
      const known = perFilm.get(root);
      if (known === undefined || c.score > known.score) perFilm.set(root, { ...c, at });
    }
    const candidates = [...perFilm.values()].sort((a, b) => b.score - a.score);
    const decision = decideResolution(candidates);
    if (decision._tag === "Matched") {
      const top = candidates.find((c) => c.film === decision.film)!;
      if (compatible(find(i), find(top.at))) union(i, top.at);
      return;
    }
    // Several films tie at the top (the same film from two other sources, not yet linked): one
    // film with this one only when all of them can be one film together.
    const best = candidates[0]?.score ?? 0;
    if (best < defaultResolvePolicy.accept) return;
    const close = candidates.filter((c) => c.score > best - defaultResolvePolicy.margin).map((c) => c.at);
    const kinds = new Map<IdKind, string>();
    for (const root of new Set([find(i), ...close.map(find)])) {
      for (const [kind, id] of kindsOf[root]!) {
        const other = kinds.get(kind);
        if (other !== undefined && other !== id) return;
        kinds.set(kind, id);
      }
    }
    for (const at of close) union(i, at);
  });

  // 3. One film per group.
  const groups = new Map<number, number[]>();
  records.forEach((_, i) => {
    const root = find(i);
    const members = groups.get(root);
    if (members === undefined) groups.set(root, [i]);
    else members.push(i);
  });
  const storedById = new Map(stored.map((record) => [record.film.movie_id, record]));
  const entries: CatalogRecord[] = [];
  const changed: CatalogRecord[] = [];
  const retired: RetiredId[] = [];
  const intoOf = new Map<string, string>();
  let matched_stored = 0;
  let added = 0;
  for (const members of groups.values()) {
    const sources = members.map((i) => records[i]!.record);
    const merged = withStoredPoster(
      sources.length === 1 ? sources[0]! : { ...mergeGroup(sources), sources },
      members.flatMap((i) => records[i]!.storedIn).map((id) => storedById.get(id)!),
    );
    entries.push(merged);
    const before = storedById.get(merged.film.movie_id);
    if (before === undefined || !sameRecord(before, merged)) changed.push(merged);
    const hasStored = members.some((i) => records[i]!.storedIn.length > 0);
    if (!hasStored) added += 1;
    for (const i of members) {
      const { record, storedIn } = records[i]!;
      // A stored entry goes with the source it is named after (the others may have split off).
      for (const from of storedIn) if (from === record.film.movie_id) intoOf.set(from, merged.film.movie_id);
    }
    if (hasStored && members.some((i) => records[i]!.incoming)) matched_stored += 1;
  }
  const kept = new Set(entries.map((e) => e.film.movie_id));
  for (const entry of stored) {
    const from = entry.film.movie_id;
    const into = intoOf.get(from);
    if (!kept.has(from) && into !== undefined) retired.push({ from, into });
  }
  const byMovieId = (a: CatalogRecord, b: CatalogRecord) => compare(a.film.movie_id, b.film.movie_id);
  return {
    entries: entries.sort(byMovieId),
    changed: changed.sort(byMovieId),
    retired: retired.sort((a, b) => compare(a.from, b.from)),
    matched_stored,
    added,
  };
};

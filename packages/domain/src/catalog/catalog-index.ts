import type { Film } from "../schemas/film.ts";
import { parseTitle } from "../title/parse-title.ts";
import type { CatalogItem } from "./catalog-item.ts";
import { buildIndexTables } from "./matching/build-index.ts";
import { textScore, wordsFoundIn, yearFactor } from "./matching/scoring.ts";
import { makeShortlist } from "./matching/shortlist.ts";
import {
  type Entry,
  formOf,
  compactTrigrams,
  kinds,
  type QueryForm,
  splitSubtitle,
} from "./matching/title-forms.ts";
import {
  type CatalogResolution,
  decideResolution,
  type MatchCandidate,
  type MatchOptions,
  type MatchQuery,
  type ResolvePolicy,
} from "./resolution.ts";

// The matcher's rooms: catalog-item (what is indexed), resolution (the answer and its policy),
// matching/title-forms (titles as forms), matching/build-index (the tables), matching/shortlist
// (candidates by grams), matching/scoring (one form against one title). This file puts them together.
export type { CatalogItem } from "./catalog-item.ts";
export { popularityPrior } from "./matching/scoring.ts";
export * from "./resolution.ts";

export interface CatalogIndex {
  /** Number of films indexed. */
  readonly size: number;
  /** Ranked candidates: score descending, then normalized title, then movie id. */
  readonly match: (query: MatchQuery, options?: MatchOptions) => ReadonlyArray<MatchCandidate>;
  /** `match`, then `decideResolution`. */
  readonly resolve: (query: MatchQuery, policy?: ResolvePolicy) => CatalogResolution;
}

const defaultLimit = 10;
const maxLimit = 100;
const minScore = 0.3;

/** Code-unit order: the same everywhere, unlike `localeCompare`. */
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

interface Best {
  score: number;
  entry: Entry;
  form: QueryForm;
  how: string;
}

/**
 * Builds the matcher's index over a catalog, once (about 10k films in well under a second). Each
 * film is indexed under its title (a year written in it, as MovieLens does, becomes the film's year
 * when the film has none; a trailing article moves to the front), under every alternative title in
 * parentheses or after `a.k.a.`, under any extra aliases given, and under the parts before and after
 * a colon. Lookups go through an inverted index of word trigrams, so a query costs in proportion to
 * the films sharing its word pieces, not to the catalog size.
 */
export const makeCatalogIndex = (catalog: Iterable<Film | CatalogItem>): CatalogIndex => {
  const tables = buildIndexTables(catalog);
  const { films, filmYears, filmSortKeys, filmPriors, entries, gramIds, weightOf } = tables;
  const shortlist = makeShortlist(tables);

  const queryForm = (text: string, weight: number, label: string): QueryForm => {
    const form = formOf(text);
    const ids = compactTrigrams(form.compact)
      .map((gram) => gramIds.get(gram) ?? -1)
      .filter((id) => id >= 0);
    // Unknown grams still count in the Dice denominator: pad with ids no entry has.
    const unknown = compactTrigrams(form.compact).length - ids.length;
    const grams = Int32Array.from([...ids, ...Array.from({ length: unknown }, (_, i) => -1 - i)]).sort();
    return { ...form, weights: Float64Array.from(form.tokens, weightOf), weight, label, grams };
  };

  /** The query as forms: as typed, its title, its aliases, and (weighing less) the part before a colon. */
  const queryForms = (parsed: ReturnType<typeof parseTitle>): ReadonlyArray<QueryForm> => {
    const forms: QueryForm[] = [];
    const addForm = (text: string, weight: number, label: string) => {
      const form = queryForm(text, weight, label);
      if (form.key !== "" && !forms.some((f) => f.key === form.key)) forms.push(form);
    };
    addForm(parsed.full_title, 1, "");
    addForm(parsed.title, 1, "");
    for (const alias of parsed.aliases) addForm(alias, 1, "");
    const parts = splitSubtitle(parsed.title);
    if (parts !== undefined) addForm(parts[0], 0.9, "query before its subtitle");
    return forms;
  };

  /** Each shortlisted film's best entry under the best query form. */
  const bestByFilm = (forms: ReadonlyArray<QueryForm>): Map<number, Best> => {
    const best = new Map<number, Best>();
    for (const e of shortlist(forms)) {
      const entry = entries[e]!;
      for (const form of forms) {
        if (form.weight < 1 && entry.kind !== "title" && entry.kind !== "alias") continue;
        const { score, how } = textScore(form, entry);
        const weighted = score * form.weight * kinds[entry.kind].weight;
        const current = best.get(entry.film);
        if (current === undefined) best.set(entry.film, { score: weighted, entry, form, how });
        else if (weighted > current.score) Object.assign(current, { score: weighted, entry, form, how });
      }
    }
    return best;
  };

  const reasonFor = (film: number, { entry, form, how }: Best, year: number | undefined): string => {
    const notes = [
      `${how === "similar" ? "similar to" : how === wordsFoundIn ? wordsFoundIn : "matches"} ${kinds[entry.kind].label} "${entry.text}"`,
      how === "similar" || how === wordsFoundIn ? "" : how,
      form.label,
      yearFactor(year, filmYears[film]).how,
    ];
    return notes.filter((note) => note !== "").join("; ");
  };

  const match = (query: MatchQuery, options?: MatchOptions): ReadonlyArray<MatchCandidate> => {
    const limit = Math.max(1, Math.min(maxLimit, Math.floor(options?.limit ?? defaultLimit)));
    const parsed = parseTitle(query.text);
    const year = query.year ?? parsed.year;
    const forms = queryForms(parsed);
    if (forms.length === 0) return [];

    const ranked: Array<{ readonly film: number; readonly score: number; readonly best: Best }> = [];
    for (const [film, best] of bestByFilm(forms)) {
      const score = Math.round(best.score * yearFactor(year, filmYears[film]).factor * 1e4) / 1e4;
      if (score >= minScore) ranked.push({ film, score, best });
    }
    ranked.sort(
      (a, b) =>
        b.score + filmPriors[b.film]! - (a.score + filmPriors[a.film]!) ||
        b.score - a.score ||
        compareText(filmSortKeys[a.film]!, filmSortKeys[b.film]!) ||
        compareText(films[a.film]!.movie_id, films[b.film]!.movie_id) ||
        a.film - b.film,
    );
    return ranked
      .slice(0, limit)
      .map(({ film, score, best }) => ({ film: films[film]!, score, reason: reasonFor(film, best, year) }));
  };

  return {
    size: films.length,
    match,
    resolve: (query, policy) => decideResolution(match(query, { limit: 10 }), policy),
  };
};

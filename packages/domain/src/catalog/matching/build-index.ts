import type { Film } from "../../schemas/film.ts";
import { moveArticleToFront, parseTitle } from "../../title/parse-title.ts";
import { type CatalogItem, isCatalogItem } from "../catalog-item.ts";
import { popularityPrior } from "./scoring.ts";
import {
  compactTrigrams,
  type Entry,
  type Form,
  formOf,
  type Kind,
  lookupGrams,
  matchKey,
  seriesName,
  splitSubtitle,
} from "./title-forms.ts";

/** The index's tables, built once per catalog; films and entries are referred to by position. */
export interface IndexTables {
  readonly films: ReadonlyArray<Film>;
  readonly filmYears: ReadonlyArray<number | undefined>;
  /** The film's title as a match key, for a stable order among equal scores. */
  readonly filmSortKeys: ReadonlyArray<string>;
  readonly filmPriors: ReadonlyArray<number>;
  readonly entries: ReadonlyArray<Entry>;
  /** Ids of the character trigrams seen in the catalog (a query's unknown grams have none). */
  readonly gramIds: ReadonlyMap<string, number>;
  /** Sorted entry positions per candidate-generation gram. */
  readonly postings: ReadonlyMap<string, Int32Array>;
  /** Entry positions per key, bare key and canonical key: these are always shortlisted. */
  readonly byKey: ReadonlyMap<string, ReadonlyArray<number>>;
  /** A token's weight: its inverse document frequency among all entries. */
  readonly weightOf: (token: string) => number;
}

type PendingEntry = { readonly form: Form; readonly film: number; readonly kind: Kind };

const pushTo = (map: Map<string, number[]>, key: string, value: number) => {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else if (list[list.length - 1] !== value) list.push(value);
};

/** Every title a film is found under: its title, full title, aliases, and the parts around a colon or an episode number. */
const titlesOf = (parsed: ReturnType<typeof parseTitle>, extra: ReadonlyArray<string>) => {
  const titles: Array<readonly [string, Kind]> = [[parsed.title, "title"]];
  if (parsed.full_title !== parsed.title) titles.push([parsed.full_title, "full"]);
  for (const alias of [...parsed.aliases, ...extra.map(moveArticleToFront)]) titles.push([alias, "alias"]);
  for (const [text, kind] of [...titles]) {
    if (kind === "full") continue;
    const parts = splitSubtitle(text);
    if (parts !== undefined) titles.push([parts[0], "head"], [parts[1], "tail"]);
    const series = seriesName(text);
    if (series !== undefined) titles.push([series, "head"]);
  }
  return titles;
};

const tokenWeights = (pending: ReadonlyArray<PendingEntry>) => {
  const documentFrequency = new Map<string, number>();
  for (const { form } of pending) {
    for (const token of new Set(form.tokens))
      documentFrequency.set(token, (documentFrequency.get(token) ?? 0) + 1);
  }
  const unknownTokenWeight = Math.log(1 + Math.max(1, pending.length));
  return (token: string): number => {
    const df = documentFrequency.get(token);
    return df === undefined ? unknownTokenWeight : Math.log(1 + pending.length / df);
  };
};

export const buildIndexTables = (catalog: Iterable<Film | CatalogItem>): IndexTables => {
  const films: Film[] = [];
  const pending: PendingEntry[] = [];
  const filmYears: Array<number | undefined> = [];
  const filmSortKeys: string[] = [];
  const filmPriors: number[] = [];

  for (const item of catalog) {
    const film = isCatalogItem(item) ? item.film : item;
    const extra = isCatalogItem(item) ? (item.aliases ?? []) : [];
    const filmIndex = films.length;
    const parsed = parseTitle(film.title);
    films.push(film);
    filmYears.push(film.year ?? parsed.year);
    filmSortKeys.push(matchKey(parsed.title));
    filmPriors.push(isCatalogItem(item) ? popularityPrior(item.votes) : 0);

    const seen = new Set<string>();
    for (const [text, kind] of titlesOf(parsed, extra)) {
      const form = formOf(text);
      if (form.key === "" || seen.has(form.key)) continue;
      seen.add(form.key);
      pending.push({ form, film: filmIndex, kind });
    }
  }

  const weightOf = tokenWeights(pending);
  const entries: Entry[] = [];
  const gramIds = new Map<string, number>();
  const gramId = (gram: string): number => {
    let id = gramIds.get(gram);
    if (id === undefined) {
      id = gramIds.size;
      gramIds.set(gram, id);
    }
    return id;
  };
  const postingLists = new Map<string, number[]>();
  const byKey = new Map<string, number[]>();
  for (const { form, film, kind } of pending) {
    const entryIndex = entries.length;
    const lookup = lookupGrams(form.tokens, false);
    entries.push({
      ...form,
      film,
      kind,
      weights: Float64Array.from(form.tokens, weightOf),
      grams: Int32Array.from(compactTrigrams(form.compact).map(gramId)).sort(),
      lookupGramCount: lookup.length,
    });
    for (const gram of lookup) pushTo(postingLists, gram, entryIndex);
    pushTo(byKey, form.key, entryIndex);
    if (form.bare !== form.key) pushTo(byKey, form.bare, entryIndex);
    pushTo(byKey, form.canon, entryIndex);
  }

  const postings = new Map<string, Int32Array>();
  for (const [gram, list] of postingLists) postings.set(gram, Int32Array.from(list));
  return { films, filmYears, filmSortKeys, filmPriors, entries, gramIds, postings, byKey, weightOf };
};

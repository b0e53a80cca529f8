import { Data } from "effect";
import type { Film } from "../schemas/film.ts";
import { normalizeTitle } from "../title/normalize-title.ts";
import { leadingArticles, moveArticleToFront, parseTitle } from "../title/parse-title.ts";
import { canonicalToken, numberKey, softTokenDice, sortedDice, tokenSimilarity } from "./similarity.ts";

/**
 * A catalog film, with alternative titles the catalog knows besides those written in its title,
 * and how many people voted on it in each source (the popularity prior that breaks near-ties).
 */
export interface CatalogItem {
  readonly film: Film;
  readonly aliases?: ReadonlyArray<string>;
  readonly votes?: { readonly imdb?: number; readonly movielens?: number; readonly us_gross_usd?: number };
}

export interface MatchQuery {
  /** Free text: a title as typed, possibly partial, possibly with `(1995)` or `, The` in it. */
  readonly text: string;
  /** The year, when known; wins over a year written in `text`. */
  readonly year?: number;
}

export interface MatchOptions {
  /** How many candidates at most (default 10, at most 100). */
  readonly limit?: number;
}

export interface MatchCandidate {
  readonly film: Film;
  /** 0..1; 1 is the exact (normalized) title with the right year. */
  readonly score: number;
  /** Which title of the film matched and how, in words, e.g. `alternative title "Léon"; year off by 1`. */
  readonly reason: string;
}

/** The outcome of looking one film up: the API answers 200, 409 with the candidates, or 404. */
export type CatalogResolution = Data.TaggedEnum<{
  Matched: { readonly film: Film; readonly score: number; readonly reason: string };
  Ambiguous: { readonly candidates: ReadonlyArray<MatchCandidate> };
  NotFound: {};
}>;
export const CatalogResolution = Data.taggedEnum<CatalogResolution>();

export interface ResolvePolicy {
  /** The top candidate must score at least this to be taken without asking (default 0.85). */
  readonly accept: number;
  /** ...and lead the next film by at least this much (default 0.04). */
  readonly margin: number;
  /** Candidates below this are not worth showing; none above it means NotFound (default 0.5). */
  readonly floor: number;
  /**
   * A candidate with no other over the floor is taken from this score, when its title is similar
   * as a whole (a typo: `Pulp Fictoin`), not just holding the query's words (default 0.8; a policy
   * without it takes a lone candidate only from `accept`).
   */
  readonly alone?: number;
}

export const defaultResolvePolicy: ResolvePolicy = { accept: 0.85, margin: 0.04, floor: 0.5, alone: 0.8 };

/** How a candidate found only by the query's words inside a longer title says so (see `containedScore`). */
const wordsFoundIn = "words found in";
/**
 * A candidate whose whole title (not a part before or after a colon, not words inside it) is
 * similar to the query: the only kind a lone candidate is taken on (`The Purge` must not take
 * `The Purge: Anarchy`).
 */
const wholeTitleTypo = /^similar to (?:title|full title|alternative title) /u;

/**
 * Decides from ranked candidates (as `match` returns them) whether the lookup found one film.
 * Exposed on its own so a caller that already holds the candidates does not search twice.
 */
export const decideResolution = (
  candidates: ReadonlyArray<MatchCandidate>,
  policy: ResolvePolicy = defaultResolvePolicy,
): CatalogResolution => {
  const worth = candidates.filter((c) => c.score >= policy.floor);
  const [top, second] = worth;
  if (top === undefined) return CatalogResolution.NotFound();
  const lone =
    second === undefined && top.score >= (policy.alone ?? policy.accept) && wholeTitleTypo.test(top.reason);
  if (
    lone ||
    (top.score >= policy.accept && (second === undefined || top.score - second.score >= policy.margin))
  ) {
    return CatalogResolution.Matched({ film: top.film, score: top.score, reason: top.reason });
  }
  // Every candidate it weighed: one lone candidate under the bar would read as "several films"
  // with one listed, so the next ones below the floor come along (at least two when there are two).
  return CatalogResolution.Ambiguous({
    candidates: worth.length >= 2 ? worth : candidates.slice(0, 2),
  });
};

export interface CatalogIndex {
  /** Number of films indexed. */
  readonly size: number;
  /** Ranked candidates: score descending, then normalized title, then movie id. */
  readonly match: (query: MatchQuery, options?: MatchOptions) => ReadonlyArray<MatchCandidate>;
  /** `match`, then `decideResolution`. */
  readonly resolve: (query: MatchQuery, policy?: ResolvePolicy) => CatalogResolution;
}

// ---------------------------------------------------------------------------------------------
// How a film's titles are indexed

/** Which of a film's titles an entry is; the weight caps the score a match on it can reach. */
const kinds = {
  title: { weight: 1, label: "title" },
  full: { weight: 1, label: "full title" },
  alias: { weight: 0.99, label: "alternative title" },
  head: { weight: 0.9, label: "title before the subtitle" },
  tail: { weight: 0.86, label: "subtitle" },
} as const;
type Kind = keyof typeof kinds;

/** Everything the scorer needs about one title, computed once. */
interface Form {
  readonly text: string;
  readonly key: string;
  readonly tokens: ReadonlyArray<string>;
  /** Each token's canonical form (`seven` → `7`, `vol` → `volume`). */
  readonly canonical: ReadonlyArray<string>;
  /** The key without a leading article (`les miserables` → `miserables`). */
  readonly bare: string;
  /** The key without spaces (`old boy` and `oldboy` meet), for the character trigrams. */
  readonly compact: string;
  /**
   * The same words written differently meet here: no leading article, canonical tokens, no spaces
   * (`The Intouchables`/`Intouchables`, `Furious Seven`/`Furious 7`, `Old Boy`/`Oldboy`, `Vol. I`/`Volume I`).
   */
  readonly canon: string;
  readonly numbers: string;
}

interface Entry extends Form {
  readonly film: number;
  /** Each token's weight (its rarity among all entries), aligned with `tokens`. */
  readonly weights: Float64Array;
  readonly kind: Kind;
  /** Sorted distinct ids of the compact key's trigrams, for the character-level Dice. */
  readonly grams: Int32Array;
  /** How many distinct candidate-generation grams the entry has. */
  readonly lookupGramCount: number;
}

/** `&` reads as `and` (`Love & Other Drugs` is `Love and Other Drugs`); then the earlier fold. */
const matchKey = (text: string): string => normalizeTitle(text.replace(/&/gu, " and "));

const formOf = (text: string): Form => {
  const key = matchKey(text);
  const tokens = key === "" ? [] : key.split(" ");
  const bare = tokens.length > 1 && leadingArticles.has(tokens[0]!) ? tokens.slice(1).join(" ") : key;
  const canonical = tokens.map(canonicalToken);
  const canon = (tokens.length > 1 && leadingArticles.has(tokens[0]!) ? canonical.slice(1) : canonical).join(
    "",
  );
  return { text, key, tokens, canonical, bare, compact: tokens.join(""), canon, numbers: numberKey(tokens) };
};

/** `Léon: The Professional` → head `Léon`, tail `The Professional`. */
const splitSubtitle = (text: string): readonly [string, string] | undefined => {
  const colon = text.indexOf(":");
  if (colon <= 0) return undefined;
  const head = text.slice(0, colon).trim();
  const tail = text.slice(colon + 1).trim();
  return head !== "" && tail !== "" ? [head, tail] : undefined;
};

/**
 * `Star Wars Ep. IV: A New Hope` / `Star Wars: Episode IV - A New Hope` → `Star Wars`: the series
 * name before an episode, part or volume number, which people type to mean the series' best-known film.
 */
const seriesName = (text: string): string | undefined => {
  const match =
    /^(.+?)[\s:,-]+(?:ep\.?|episode|part|pt\.?|vol\.?|volume|chapter)\s+(?:[ivx]+|\d+|one|two|three|four|five|six)\b/iu.exec(
      text,
    );
  const name = match?.[1]?.trim();
  return name !== undefined && name !== "" ? name : undefined;
};

/** Trigrams of the compact key with start and end marks, by code point. */
const compactTrigrams = (compact: string): ReadonlyArray<string> => {
  const chars = ["^", ...compact, "$"];
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= chars.length; i++) grams.add(chars[i]! + chars[i + 1]! + chars[i + 2]!);
  return [...grams];
};

/**
 * Grams used to find candidates: the trigrams of each word with word-boundary marks, plus, in the
 * index, the word's first letter, so that a query of one typed letter finds something. In a query
 * (`lastIsPrefix`), the last word may still be being typed: it has no end mark.
 */
const lookupGrams = (tokens: ReadonlyArray<string>, lastIsPrefix: boolean): ReadonlyArray<string> => {
  const grams = new Set<string>();
  tokens.forEach((token, i) => {
    const open = lastIsPrefix && i === tokens.length - 1;
    const chars = ["^", ...token];
    if (!open) chars.push("$");
    if (!lastIsPrefix || chars.length === 2) grams.add(`${chars[0]}${chars[1]}`);
    for (let k = 0; k + 3 <= chars.length; k++) grams.add(chars[k]! + chars[k + 1]! + chars[k + 2]!);
  });
  return [...grams];
};

// ---------------------------------------------------------------------------------------------
// Scoring one query form against one entry

interface QueryForm extends Form {
  readonly weights: Float64Array;
  readonly weight: number;
  readonly label: string;
  readonly grams: Int32Array;
}

const fuzzyCap = 0.93;

/**
 * A film's popularity as a bonus to its rank (never to its score): at most `priorWeight`, on a log
 * scale of its votes, so it orders films whose titles match about equally well (`star wars` → the
 * 1977 film before the 2008 cartoon, `ghostbusters` → 1984 before 2016) and never lifts a worse
 * title over a better one by more than that. MovieLens rating counts are scaled to IMDB votes (about
 * 3,000 IMDB votes per rating in the small MovieLens set: Pulp Fiction 324 ratings, ~1.5 M votes /
 * 500); where a source has no votes but a US box-office gross (the demo catalog leaves votes out
 * for some of its best-known films), a dollar per thousand is taken as a vote (A New Hope: $461 M,
 * about 460 k; The Clone Wars: $35 M, 35 k against its 17.5 k votes). A film with neither gets none.
 */
const priorWeight = 0.035;
const votesPerMovieLensRating = 3000;
const priorCeiling = Math.log10(1 + 2_000_000);
export const popularityPrior = (votes: CatalogItem["votes"]): number => {
  if (votes === undefined) return 0;
  const estimate = Math.max(
    votes.imdb ?? 0,
    (votes.movielens ?? 0) * votesPerMovieLensRating,
    (votes.us_gross_usd ?? 0) / 1000,
  );
  return (priorWeight * Math.min(priorCeiling, Math.log10(1 + estimate))) / priorCeiling;
};

/**
 * Every word of the query found in the title, anywhere (`amelie` in `Le Fabuleux destin d'Amélie
 * Poulain`): 0.80 for exact words in the same order and together, 0.76 otherwise, plus up to 0.04 by
 * how much of the title they cover, times how well the words matched (a typo, a prefix being typed).
 * Kept under the resolver's acceptance (0.85): a word inside a longer title is a candidate to offer,
 * never an answer taken without asking (`sing` is not `Sing Street`).
 */
const containedScore = (query: QueryForm, entry: Entry): number => {
  const q = query.tokens;
  const c = entry.tokens;
  if (q.length === 0 || c.length <= q.length) return 0;
  let matched = 0;
  let covered = 0;
  let total = 0;
  let exact = true;
  let previous = -1;
  let together = true;
  for (let i = 0; i < q.length; i++) {
    let best = 0;
    let at = -1;
    for (let j = 0; j < c.length; j++) {
      const similarity = tokenSimilarity(
        q[i]!,
        query.canonical[i]!,
        c[j]!,
        entry.canonical[j]!,
        i === q.length - 1,
      );
      if (similarity > best) {
        best = similarity;
        at = j;
      }
    }
    if (best === 0) return 0;
    if (best < 1) exact = false;
    if (previous >= 0 && at !== previous + 1) together = false;
    previous = at;
    matched += best * query.weights[i]!;
    total += query.weights[i]!;
    covered += entry.weights[at]!;
  }
  let entryWeight = 0;
  for (let j = 0; j < c.length; j++) entryWeight += entry.weights[j]!;
  const base = exact && together ? 0.8 : 0.76;
  return (base + (0.04 * covered) / entryWeight) * (matched / total);
};
const numberMismatchPenalty = 0.85;

const textScore = (query: QueryForm, entry: Entry): { readonly score: number; readonly how: string } => {
  if (query.key === entry.key) return { score: 1, how: "" };
  if (query.bare === entry.bare) return { score: 0.95, how: "leading article differs" };
  if (query.canon === entry.canon) return { score: 0.94, how: "written differently" };
  const tokens = softTokenDice(query, entry, true);
  const chars = sortedDice(query.grams, entry.grams);
  let score = 0.65 * tokens + 0.35 * chars;
  if (query.numbers !== entry.numbers && query.numbers !== "" && entry.numbers !== "") {
    score *= numberMismatchPenalty;
  }
  const contained = containedScore(query, entry);
  if (contained > score) return { score: contained, how: wordsFoundIn };
  return { score: Math.min(fuzzyCap, score), how: "similar" };
};

const yearFactor = (queryYear: number | undefined, filmYear: number | undefined) => {
  if (queryYear === undefined) return { factor: 1, how: "" };
  if (filmYear === undefined) return { factor: 0.95, how: "film has no year" };
  const off = Math.abs(queryYear - filmYear);
  if (off === 0) return { factor: 1, how: "" };
  if (off === 1) return { factor: 0.92, how: "year off by 1" };
  if (off === 2) return { factor: 0.75, how: "year off by 2" };
  return { factor: 0.5, how: `year off by ${off}` };
};

// ---------------------------------------------------------------------------------------------
// The index

const defaultLimit = 10;
const maxLimit = 100;
/** How many entries, at most, are scored in full per query (the rest are cut by the gram estimate). */
const shortlistSize = 100;
const minScore = 0.3;

const isCatalogItem = (item: Film | CatalogItem): item is CatalogItem => "film" in item;

/**
 * Builds the matcher's index over a catalog, once (about 10k films in well under a second). Each
 * film is indexed under its title (a year written in it, as MovieLens does, becomes the film's year
 * when the film has none; a trailing article moves to the front), under every alternative title in
 * parentheses or after `a.k.a.`, under any extra aliases given, and under the parts before and after
 * a colon. Lookups go through an inverted index of word trigrams, so a query costs in proportion to
 * the films sharing its word pieces, not to the catalog size.
 */
export const makeCatalogIndex = (catalog: Iterable<Film | CatalogItem>): CatalogIndex => {
  const films: Film[] = [];
  const pending: Array<{ readonly form: Form; readonly film: number; readonly kind: Kind }> = [];
  const filmYears: Array<number | undefined> = [];
  const filmSortKeys: string[] = [];
  const filmPriors: number[] = [];
  const entries: Entry[] = [];
  const gramIds = new Map<string, number>();
  const postingLists = new Map<string, number[]>();
  const byKey = new Map<string, number[]>();

  const gramId = (gram: string): number => {
    let id = gramIds.get(gram);
    if (id === undefined) {
      id = gramIds.size;
      gramIds.set(gram, id);
    }
    return id;
  };
  const pushTo = (map: Map<string, number[]>, key: string, value: number) => {
    const list = map.get(key);
    if (list === undefined) map.set(key, [value]);
    else if (list[list.length - 1] !== value) list.push(value);
  };

  for (const item of catalog) {
    const film = isCatalogItem(item) ? item.film : item;
    const extra = isCatalogItem(item) ? (item.aliases ?? []) : [];
    const filmIndex = films.length;
    const parsed = parseTitle(film.title);
    films.push(film);
    filmYears.push(film.year ?? parsed.year);
    filmSortKeys.push(matchKey(parsed.title));
    filmPriors.push(isCatalogItem(item) ? popularityPrior(item.votes) : 0);

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

    const seen = new Set<string>();
    for (const [text, kind] of titles) {
      const form = formOf(text);
      if (form.key === "" || seen.has(form.key)) continue;
      seen.add(form.key);
      pending.push({ form, film: filmIndex, kind });
    }
  }

  // A token's weight is its inverse document frequency among all entries.
  const documentFrequency = new Map<string, number>();
  for (const { form } of pending) {
    for (const token of new Set(form.tokens))
      documentFrequency.set(token, (documentFrequency.get(token) ?? 0) + 1);
  }
  const unknownTokenWeight = Math.log(1 + Math.max(1, pending.length));
  const weightOf = (token: string): number => {
    const df = documentFrequency.get(token);
    return df === undefined ? unknownTokenWeight : Math.log(1 + pending.length / df);
  };

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

  // Scratch space for one query at a time (a query runs synchronously, start to end), cleared
  // through the list of entries it touched, so a lookup allocates little and never scans everything.
  const counts = new Uint16Array(entries.length);
  const lookupGramCounts = Uint16Array.from(entries, (entry) => entry.lookupGramCount);
  const estimate = new Float64Array(entries.length);

  /**
   * The entries worth scoring in full: the best estimated overlap of word grams first, entries whose
   * key equals the query's always. Grams are taken rarest first; a gram so common that its list is
   * much longer than the entries found so far only adds to those (checked by binary search), so
   * `the` costs little once `godzilla` has spoken.
   */
  const shortlist = (forms: ReadonlyArray<QueryForm>): ReadonlyArray<number> => {
    const touched: number[] = [];
    for (const form of forms) {
      const grams = lookupGrams(form.tokens, true);
      const lists = grams
        .map((gram) => postings.get(gram))
        .filter((list): list is Int32Array => list !== undefined)
        .sort((a, b) => a.length - b.length);
      const gramCount = grams.length;
      const here: number[] = [];
      for (const list of lists) {
        if (here.length > 0 && list.length > 8 * here.length) {
          for (const e of here) if (contains(list, e)) counts[e]! += 1;
          continue;
        }
        for (let k = 0; k < list.length; k++) {
          const e = list[k]!;
          if (counts[e] === 0) here.push(e);
          counts[e]! += 1;
        }
      }
      for (const e of here) {
        const value = (2 * counts[e]!) / (gramCount + lookupGramCounts[e]!);
        counts[e] = 0;
        if (estimate[e] === 0) touched.push(e);
        if (value > estimate[e]!) estimate[e] = value;
      }
      for (const key of [form.key, form.bare, form.canon]) {
        for (const e of byKey.get(key) ?? []) {
          if (estimate[e] === 0) touched.push(e);
          estimate[e] = 2;
        }
      }
    }
    let survivors = touched;
    if (touched.length > shortlistSize) {
      // Keep about `shortlistSize` entries without sorting them all: bucket the estimates, find the cut.
      const buckets = new Uint32Array(65);
      for (const e of touched) buckets[Math.min(64, Math.floor(estimate[e]! * 32))]! += 1;
      let kept = 0;
      let cut = 64;
      while (cut > 0 && kept + buckets[cut]! < shortlistSize) kept += buckets[cut--]!;
      survivors = touched.filter((e) => Math.min(64, Math.floor(estimate[e]! * 32)) >= cut);
      survivors.sort((a, b) => estimate[b]! - estimate[a]! || a - b);
      survivors = survivors.slice(0, shortlistSize);
    }
    for (const e of touched) estimate[e] = 0;
    return survivors;
  };

  const match = (query: MatchQuery, options?: MatchOptions): ReadonlyArray<MatchCandidate> => {
    const limit = Math.max(1, Math.min(maxLimit, Math.floor(options?.limit ?? defaultLimit)));
    const parsed = parseTitle(query.text);
    const year = query.year ?? parsed.year;
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
    if (forms.length === 0) return [];

    interface Best {
      score: number;
      entry: Entry;
      form: QueryForm;
      how: string;
    }
    const bestByFilm = new Map<number, Best>();
    for (const e of shortlist(forms)) {
      const entry = entries[e]!;
      for (const form of forms) {
        if (form.weight < 1 && entry.kind !== "title" && entry.kind !== "alias") continue;
        const { score, how } = textScore(form, entry);
        const weighted = score * form.weight * kinds[entry.kind].weight;
        const best = bestByFilm.get(entry.film);
        if (best === undefined) bestByFilm.set(entry.film, { score: weighted, entry, form, how });
        else if (weighted > best.score) Object.assign(best, { score: weighted, entry, form, how });
      }
    }

    const ranked: Array<{ readonly film: number; readonly score: number; readonly best: Best }> = [];
    for (const [film, best] of bestByFilm) {
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
    return ranked.slice(0, limit).map(({ film, score, best }) => {
      const { entry, form, how } = best;
      const notes = [
        `${how === "similar" ? "similar to" : how === wordsFoundIn ? wordsFoundIn : "matches"} ${kinds[entry.kind].label} "${entry.text}"`,
        how === "similar" || how === wordsFoundIn ? "" : how,
        form.label,
        yearFactor(year, filmYears[film]).how,
      ];
      return { film: films[film]!, score, reason: notes.filter((note) => note !== "").join("; ") };
    });
  };

  return {
    size: films.length,
    match,
    resolve: (query, policy) => decideResolution(match(query, { limit: 10 }), policy),
  };
};

/** Whether a sorted list holds a value (binary search). */
const contains = (list: Int32Array, value: number): boolean => {
  let low = 0;
  let high = list.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const at = list[mid]!;
    if (at === value) return true;
    if (at < value) low = mid + 1;
    else high = mid - 1;
  }
  return false;
};

/** Code-unit order: the same everywhere, unlike `localeCompare`. */
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

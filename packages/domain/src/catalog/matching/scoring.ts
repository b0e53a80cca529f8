import type { CatalogItem } from "../catalog-item.ts";
import { softTokenDice, sortedDice, tokenSimilarity } from "../similarity.ts";
import type { Entry, QueryForm } from "./title-forms.ts";

// How well one query form matches one indexed title, and what a film's popularity adds to its rank.

/** How a candidate found only by the query's words inside a longer title says so (see `containedScore`). */
export const wordsFoundIn = "words found in";

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

export const textScore = (
  query: QueryForm,
  entry: Entry,
): { readonly score: number; readonly how: string } => {
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

export const yearFactor = (queryYear: number | undefined, filmYear: number | undefined) => {
  if (queryYear === undefined) return { factor: 1, how: "" };
  if (filmYear === undefined) return { factor: 0.95, how: "film has no year" };
  const off = Math.abs(queryYear - filmYear);
  if (off === 0) return { factor: 1, how: "" };
  if (off === 1) return { factor: 0.92, how: "year off by 1" };
  if (off === 2) return { factor: 0.75, how: "year off by 2" };
  return { factor: 0.5, how: `year off by ${off}` };
};

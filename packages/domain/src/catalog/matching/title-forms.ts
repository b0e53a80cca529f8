import { normalizeTitle } from "../../title/normalize-title.ts";
import { leadingArticles } from "../../title/parse-title.ts";
import { canonicalToken, numberKey } from "../similarity.ts";

// How a film's titles (and a query's) become forms the scorer and the gram lookup read.

/** Which of a film's titles an entry is; the weight caps the score a match on it can reach. */
export const kinds = {
  title: { weight: 1, label: "title" },
  full: { weight: 1, label: "full title" },
  alias: { weight: 0.99, label: "alternative title" },
  head: { weight: 0.9, label: "title before the subtitle" },
  tail: { weight: 0.86, label: "subtitle" },
} as const;
export type Kind = keyof typeof kinds;

/** Everything the scorer needs about one title, computed once. */
export interface Form {
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

export interface Entry extends Form {
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
export const matchKey = (text: string): string => normalizeTitle(text.replace(/&/gu, " and "));

export const formOf = (text: string): Form => {
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
export const splitSubtitle = (text: string): readonly [string, string] | undefined => {
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
export const seriesName = (text: string): string | undefined => {
  const match =
    /^(.+?)[\s:,-]+(?:ep\.?|episode|part|pt\.?|vol\.?|volume|chapter)\s+(?:[ivx]+|\d+|one|two|three|four|five|six)\b/iu.exec(
      text,
    );
  const name = match?.[1]?.trim();
  return name !== undefined && name !== "" ? name : undefined;
};

/** Trigrams of the compact key with start and end marks, by code point. */
export const compactTrigrams = (compact: string): ReadonlyArray<string> => {
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
export const lookupGrams = (tokens: ReadonlyArray<string>, lastIsPrefix: boolean): ReadonlyArray<string> => {
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

export interface QueryForm extends Form {
  readonly weights: Float64Array;
  readonly weight: number;
  readonly label: string;
  readonly grams: Int32Array;
}

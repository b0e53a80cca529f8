// Token-level similarity for the catalog matcher. Tokens are the space-separated words of a
// normalized title (see `normalizeTitle`); every function here is pure and allocation-light.

const numberWords: ReadonlyArray<readonly [string, number]> = [
  ["zero", 0],
  ["one", 1],
  ["two", 2],
  ["three", 3],
  ["four", 4],
  ["five", 5],
  ["six", 6],
  ["seven", 7],
  ["eight", 8],
  ["nine", 9],
  ["ten", 10],
  ["eleven", 11],
  ["twelve", 12],
  ["thirteen", 13],
  ["fourteen", 14],
  ["fifteen", 15],
  ["sixteen", 16],
  ["seventeen", 17],
  ["eighteen", 18],
  ["nineteen", 19],
  ["twenty", 20],
  // Roman numerals of sequels; I, V and X are left out: they are as often a pronoun or a letter.
  ["ii", 2],
  ["iii", 3],
  ["iv", 4],
  ["vi", 6],
  ["vii", 7],
  ["viii", 8],
  ["ix", 9],
  ["xi", 11],
  ["xii", 12],
  ["xiii", 13],
  ["xiv", 14],
  ["xv", 15],
  ["xvi", 16],
  ["xvii", 17],
  ["xviii", 18],
  ["xix", 19],
  ["xx", 20],
];
const numberByWord: ReadonlyMap<string, number> = new Map(numberWords);
const digits = /^\d{1,4}$/u;

/** The number a token stands for (`7`, `seven`, `vii`), or undefined. */
export const numberValue = (token: string): number | undefined => {
  const first = token.charCodeAt(0);
  if (first >= 48 && first <= 57) return digits.test(token) ? Number(token) : undefined;
  return numberByWord.get(token);
};

/** The numbers of a title as a canonical key (`"2,7"`), `""` when it has none. */
export const numberKey = (tokens: ReadonlyArray<string>): string => {
  const values = new Set<number>();
  for (const token of tokens) {
    const value = numberValue(token);
    if (value !== undefined) values.add(value);
  }
  return [...values].sort((a, b) => a - b).join(",");
};

/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transposition), giving up early:
 * returns `max + 1` as soon as the distance is known to exceed `max`.
 */
export const boundedEditDistance = (a: string, b: string, max: number): number => {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  if (rows[0]!.length <= n) for (let r = 0; r < 3; r++) rows[r] = new Int32Array(2 * (n + 1));
  let prevPrev = rows[0]!;
  let prev = rows[1]!;
  let current = rows[2]!;
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= n; j++) {
      const bj = b.charCodeAt(j - 1);
      let value = Math.min(prev[j]! + 1, current[j - 1]! + 1, prev[j - 1]! + (ai === bj ? 0 : 1));
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) {
        value = Math.min(value, prevPrev[j - 2]! + 1);
      }
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > max) return max + 1;
    const recycled = prevPrev;
    prevPrev = prev;
    prev = current;
    current = recycled;
  }
  return Math.min(prev[n]!, max + 1);
};
/** Scratch rows for `boundedEditDistance`, reused so the hot loop allocates nothing. */
const rows: Int32Array[] = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];

/** How many typos a token of this length may carry and still count as the same word. */
const allowedEdits = (length: number): number => (length >= 8 ? 2 : length >= 4 ? 1 : 0);

/**
 * Similarity of a query token to a catalog token, 0..1, given both and their canonical forms
 * (`canonicalToken`): 1 equal; 0.95 the same canonical word (`7` / `seven` / `vii`, `vol` / `volume`);
 * a prefix (search-as-you-type, or an abbreviation such as `prof` for `professional`) 0.6–0.95 by how
 * much of the word it covers; one or two typos 0.85 / 0.7; otherwise 0. A prefix of one or two
 * letters only counts for the token being typed; a number only prefixes a longer number (`20`, `2001`).
 */
export const tokenSimilarity = (
  query: string,
  queryCanonical: string,
  candidate: string,
  candidateCanonical: string,
  isBeingTyped: boolean,
): number => {
  if (query === candidate) return 1;
  if (queryCanonical === candidateCanonical) return 0.95;
  if (candidate.startsWith(query) && (isBeingTyped || query.length >= 3)) {
    return 0.6 + (0.35 * query.length) / candidate.length;
  }
  if (isDigit(query) || isDigit(candidate)) return 0;
  if (query.startsWith(candidate) && candidate.length >= 3) {
    return 0.6 + (0.35 * candidate.length) / query.length;
  }
  const longest = Math.max(query.length, candidate.length);
  const max = allowedEdits(Math.min(query.length, candidate.length) >= 3 ? longest : 0);
  if (max === 0) return 0;
  const distance = boundedEditDistance(query, candidate, max);
  return distance > max ? 0 : distance === 1 ? 0.85 : 0.7;
};

const isDigit = (token: string): boolean => {
  const first = token.charCodeAt(0);
  return first >= 48 && first <= 57;
};

/** Abbreviations common in titles, and the word each stands for. */
const abbreviations: ReadonlyMap<string, string> = new Map([
  ["vol", "volume"],
  ["pt", "part"],
  ["ep", "episode"],
  ["vs", "versus"],
  ["dr", "doctor"],
  ["mr", "mister"],
  ["mt", "mount"],
  ["jr", "junior"],
]);

/** The form under which a token compares: numbers as digits (`seven`, `vii` → `7`), abbreviations spelled out. */
export const canonicalToken = (token: string): string => {
  const value = numberValue(token);
  return value === undefined ? (abbreviations.get(token) ?? token) : String(value);
};

/** A title's tokens with what the scorer needs of each: its canonical form and its weight. */
export interface Words {
  readonly tokens: ReadonlyArray<string>;
  readonly canonical: ReadonlyArray<string>;
  readonly weights: ArrayLike<number>;
}

/**
 * Weighted soft Dice coefficient of two token lists: each query token is paired greedily (in order)
 * with the most similar unused candidate token; a pair adds its similarity times the two tokens'
 * weights, and the sum is divided by all weights on both sides. Weights are the tokens' rarity in
 * the catalog, so `the` matching `the` counts for little and `godzilla` matching `godzilla` for much.
 * The last query token may be a prefix still being typed when `lastIsPrefix` is set. Only the first
 * 31 tokens of a candidate take part in the pairing (titles are far shorter).
 */
export const softTokenDice = (query: Words, candidate: Words, lastIsPrefix: boolean): number => {
  const q = query.tokens;
  const c = candidate.tokens;
  if (q.length === 0 || c.length === 0) return 0;
  let used = 0;
  let shared = 0;
  let total = 0;
  for (let i = 0; i < q.length; i++) {
    const isBeingTyped = lastIsPrefix && i === q.length - 1;
    let best = 0;
    let bestIndex = -1;
    for (let j = 0; j < c.length && j < 31 && best < 1; j++) {
      if ((used & (1 << j)) !== 0) continue;
      const similarity = tokenSimilarity(
        q[i]!,
        query.canonical[i]!,
        c[j]!,
        candidate.canonical[j]!,
        isBeingTyped,
      );
      if (similarity > best) {
        best = similarity;
        bestIndex = j;
      }
    }
    total += query.weights[i]!;
    if (bestIndex >= 0) {
      used |= 1 << bestIndex;
      shared += best * (query.weights[i]! + candidate.weights[bestIndex]!);
    }
  }
  for (let j = 0; j < c.length; j++) total += candidate.weights[j]!;
  return shared / total;
};

/** Dice coefficient of two sorted arrays of distinct gram ids. */
export const sortedDice = (a: Int32Array, b: Int32Array): number => {
  if (a.length === 0 || b.length === 0) return 0;
  let i = 0;
  let j = 0;
  let shared = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      shared++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return (2 * shared) / (a.length + b.length);
};

import type { IndexTables } from "./build-index.ts";
import { lookupGrams, type QueryForm } from "./title-forms.ts";

/** How many entries, at most, are scored in full per query (the rest are cut by the gram estimate). */
const shortlistSize = 100;

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

/**
 * The entries worth scoring in full: the best estimated overlap of word grams first, entries whose
 * key equals the query's always. Grams are taken rarest first; a gram so common that its list is
 * much longer than the entries found so far only adds to those (checked by binary search), so
 * `the` costs little once `godzilla` has spoken.
 */
export const makeShortlist = ({
  entries,
  postings,
  byKey,
}: IndexTables): ((forms: ReadonlyArray<QueryForm>) => ReadonlyArray<number>) => {
  // Scratch space for one query at a time (a query runs synchronously, start to end), cleared
  // through the list of entries it touched, so a lookup allocates little and never scans everything.
  const counts = new Uint16Array(entries.length);
  const lookupGramCounts = Uint16Array.from(entries, (entry) => entry.lookupGramCount);
  const estimate = new Float64Array(entries.length);

  return (forms: ReadonlyArray<QueryForm>): ReadonlyArray<number> => {
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
};

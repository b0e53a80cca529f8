import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  boundedEditDistance,
  canonicalToken,
  numberKey,
  softTokenDice,
  sortedDice,
  tokenSimilarity,
  type Words,
} from "./similarity.ts";

/** Plain optimal-string-alignment distance, the reference the bounded version must agree with. */
const referenceDistance = (a: string, b: string): number => {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
};

const words = (...tokens: string[]): Words => ({
  tokens,
  canonical: tokens.map(canonicalToken),
  weights: tokens.map(() => 1),
});

describe("the bounded edit distance", () => {
  it.each([
    ["leon", "leon", 0],
    ["leon", "loen", 1],
    ["matrix", "matrx", 1],
    ["godfather", "godfater", 1],
    ["kitten", "sitting", 3],
  ])("given %j and %j, when compared with room enough, then the distance is %i", (a, b, distance) => {
    expect(boundedEditDistance(a, b, 3)).toBe(distance);
  });

  it("given words further apart than the bound, when compared, then it answers bound + 1", () => {
    expect(boundedEditDistance("kitten", "sitting", 1)).toBe(2);
    expect(boundedEditDistance("a", "abcdef", 2)).toBe(3);
  });

  it("given any two words, when compared, then it agrees with the plain distance up to the bound", () => {
    const word = fc.string({ unit: fc.constantFrom(..."abcde"), maxLength: 80 });
    fc.assert(
      fc.property(word, word, fc.integer({ min: 0, max: 3 }), (a, b, max) => {
        expect(boundedEditDistance(a, b, max)).toBe(Math.min(referenceDistance(a, b), max + 1));
      }),
    );
  });
});

describe("the similarity of two tokens", () => {
  const similarity = (q: string, c: string, typing = false) =>
    tokenSimilarity(q, canonicalToken(q), c, canonicalToken(c), typing);

  it("given equal tokens, when compared, then they are fully similar", () => {
    expect(similarity("godzilla", "godzilla")).toBe(1);
  });

  it("given a number written in digits, words or Roman numerals, when compared, then they are nearly equal", () => {
    expect(similarity("seven", "7")).toBe(0.95);
    expect(similarity("ii", "2")).toBe(0.95);
    expect(similarity("three", "iii")).toBe(0.95);
  });

  it("given an abbreviation, when compared with its word, then they are nearly equal", () => {
    expect(similarity("vol", "volume")).toBe(0.95);
  });

  it("given a token being typed, when compared with the word it starts, then it is similar in proportion", () => {
    expect(similarity("k", "knight", true)).toBeCloseTo(0.6 + 0.35 / 6);
    expect(similarity("k", "knight", false)).toBe(0);
    expect(similarity("prof", "professional")).toBeGreaterThan(similarity("pro", "professional"));
  });

  it("given different numbers, when compared, then they are not similar, though a typed number may grow", () => {
    expect(similarity("2", "3")).toBe(0);
    expect(similarity("19", "1995", true)).toBeGreaterThan(0);
    expect(similarity("1995", "1996")).toBe(0);
  });

  it("given a typo, when compared, then one typo counts more than two, and short words allow none", () => {
    expect(similarity("matrx", "matrix")).toBe(0.85);
    expect(similarity("godfahter", "godfather")).toBe(0.85);
    expect(similarity("terminater", "terminatro")).toBe(0.7);
    expect(similarity("boss", "boy")).toBe(0);
    expect(similarity("cat", "car")).toBe(0);
  });
});

describe("the weighted soft Dice of two titles", () => {
  it("given the same tokens, when compared, then it is 1", () => {
    expect(softTokenDice(words("the", "dark", "knight"), words("the", "dark", "knight"), false)).toBe(1);
  });

  it("given no similar tokens, when compared, then it is 0", () => {
    expect(softTokenDice(words("heat"), words("toy", "story"), false)).toBe(0);
  });

  it("given a title being typed, when compared, then the shorter completion scores higher", () => {
    const typed = words("toy", "sto");
    expect(softTokenDice(typed, words("toy", "story"), true)).toBeGreaterThan(
      softTokenDice(typed, words("toy", "story", "2"), true),
    );
  });

  it("given a rare word and a common one, when only one matches, then the rare one counts more", () => {
    const weighted = (tokens: string[], weights: number[]): Words => ({
      tokens,
      canonical: tokens,
      weights,
    });
    const query = weighted(["the", "boss"], [1, 5]);
    expect(softTokenDice(query, weighted(["the", "boy"], [1, 4]), false)).toBeLessThan(
      softTokenDice(query, weighted(["a", "boss"], [1, 5]), false),
    );
  });

  it("given an empty side, when compared, then it is 0", () => {
    expect(softTokenDice(words(), words("heat"), false)).toBe(0);
  });
});

describe("the Dice of two gram sets", () => {
  it("given sorted ids, when compared, then shared ids count twice over both sizes", () => {
    expect(sortedDice(Int32Array.of(1, 2, 3), Int32Array.of(2, 3, 4, 5))).toBeCloseTo(4 / 7);
    expect(sortedDice(Int32Array.of(), Int32Array.of(1))).toBe(0);
  });
});

describe("the numbers of a title", () => {
  it("given a sequel title, when its numbers are keyed, then the key is canonical", () => {
    expect(numberKey(["rocky", "ii"])).toBe("2");
    expect(numberKey(["part", "two", "2"])).toBe("2");
    expect(numberKey(["toy", "story"])).toBe("");
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { roundHalfAwayFromZero, roundRatio } from "./round.ts";

describe("rounding a decimal number half away from zero", () => {
  it.each([
    [2.675, 2, 2.68],
    [1.005, 2, 1.01],
    [8.345, 2, 8.35],
    [1.45, 1, 1.5],
    [0.5, 0, 1],
    [2.5, 0, 3],
    [-2.675, 2, -2.68],
    [-0.5, 0, -1],
    [1.0049999, 2, 1],
    [123456.785, 2, 123456.79],
    [10.266666666666667, 1, 10.3],
    [7.75, 1, 7.8],
  ])("given %d, when rounded to %d digits, then it is %d", (value, digits, expected) => {
    expect(roundHalfAwayFromZero(value, digits)).toBe(expected);
  });

  it("given a tiny negative value, when rounded to zero, then the result is +0 (never -0)", () => {
    expect(Object.is(roundHalfAwayFromZero(-0.001, 2), 0)).toBe(true);
  });

  it("given a value that is not finite, when rounded, then it is returned unchanged", () => {
    expect(roundHalfAwayFromZero(Number.NaN, 2)).toBeNaN();
    expect(roundHalfAwayFromZero(Number.POSITIVE_INFINITY, 1)).toBe(Number.POSITIVE_INFINITY);
  });

  it("given toFixed's answer for 2.675, when compared, then ours differs from the binary rounding", () => {
    // The reason the helper exists: the double nearest 2.675 is just below it.
    expect((2.675).toFixed(2)).toBe("2.67");
    expect(roundHalfAwayFromZero(2.675, 2)).toBe(2.68);
  });
});

describe("rounding an exact fraction of integers", () => {
  it.each([
    [69, 8, 2, 8.63], // 8.625: a rating mean exactly on the half
    [1, 3, 2, 0.33],
    [2, 3, 2, 0.67],
    [1, 8, 2, 0.13],
    [616, 60, 1, 10.3],
    [100, 8, 1, 12.5],
    [200, 3, 1, 66.7],
    [0, 7, 1, 0],
    [-1, 8, 2, -0.13],
    [2675, 1000, 2, 2.68],
  ])(
    "given %d / %d, when rounded to %d digits, then it is %d",
    (numerator, denominator, digits, expected) => {
      expect(roundRatio(numerator, denominator, digits)).toBe(expected);
    },
  );

  it("given any small fraction, when rounded both ways, then the exact and the decimal helper agree", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1_000_000, max: 1_000_000 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 3 }),
        (numerator, denominator, digits) =>
          roundRatio(numerator, denominator, digits) ===
          roundHalfAwayFromZero(numerator / denominator, digits),
      ),
    );
  });

  it("given any fraction, when rounded, then it is within half a unit of the last digit", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 0, max: 2 }),
        (numerator, denominator, digits) => {
          // Checked in integers (exact below 2^53): |q/f − n/d| ≤ 1/(2f)  ⇔  |2·q·d − 2·n·f| ≤ d.
          // A float tolerance fails for large values, whose doubles are coarser than any fixed epsilon.
          const factor = 10 ** digits;
          const q = Math.round(roundRatio(numerator, denominator, digits) * factor);
          return Math.abs(2 * q * denominator - 2 * numerator * factor) <= denominator;
        },
      ),
    );
  });
});

/**
 * Rounding for displayed figures: half away from zero on decimal digits, the way a person rounds
 * (2.675 → 2.68, -0.5 → -1), not the way `toFixed` rounds the binary double (2.675 → "2.67").
 */

/**
 * Rounds `value` to `digits` decimal places, half away from zero.
 *
 * Multiplying by 10^digits brings back the binary error of the input (2.675 × 100 is
 * 267.49999999999997), so the product is first cut to 15 significant digits, which every double
 * represents faithfully, and only then rounded. Never returns -0.
 */
export const roundHalfAwayFromZero = (value: number, digits: number): number => {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  const scaled = Number((Math.abs(value) * factor).toPrecision(15));
  const rounded = Math.floor(scaled + 0.5) / factor;
  return value < 0 && rounded !== 0 ? -rounded : rounded;
};

/**
 * Rounds the exact fraction `numerator / denominator` to `digits` decimal places, half away from
 * zero, in integer arithmetic: no binary error at all. Every figure of the user statistics is such
 * a fraction of integers (doubled rating sums over counts, minutes over 60, counts × 100 over a
 * total), so this is what they use. Exact while |numerator| × 10^digits × 2 stays below 2^53;
 * `denominator` must be a positive integer.
 */
export const roundRatio = (numerator: number, denominator: number, digits: number): number => {
  const factor = 10 ** digits;
  const negative = numerator < 0;
  // round(|n| × f / d) = floor((2·|n|·f + d) / (2·d)), with the quotient corrected by its remainder.
  const top = 2 * Math.abs(numerator) * factor + denominator;
  const bottom = 2 * denominator;
  let quotient = Math.floor(top / bottom);
  const remainder = top - quotient * bottom;
  if (remainder < 0) quotient -= 1;
  else if (remainder >= bottom) quotient += 1;
  const rounded = quotient / factor;
  return negative && rounded !== 0 ? -rounded : rounded;
};

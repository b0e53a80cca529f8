/**
 * Log positions. Kafka offsets are 64-bit integers that clients hand out as decimal text (kafkajs
 * does); past 2^53 a JavaScript number loses them, so they stay text and are compared exactly.
 *
 * The exact meaning is BigInt order. The reducers compare an offset per event, and `BigInt(text)`
 * allocates, so canonical text (digits, no leading zero) is compared by length and then by
 * characters, which is the same order with no allocation; anything else goes through BigInt.
 * A property test checks the two agree.
 */

/** "Nothing applied yet": the position before offset 0. */
export const NO_OFFSET = "-1";

/** True when `text` is a non-negative integer in canonical decimal form ("0", "17", never "007"). */
export const isCanonicalOffset = (text: string): boolean => {
  const length = text.length;
  if (length === 0) return false;
  const first = text.charCodeAt(0);
  if (first === 48) return length === 1;
  if (first < 49 || first > 57) return false;
  for (let i = 1; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
};

/**
 * Orders two offsets given as decimal integer text (negative allowed, for `NO_OFFSET`): -1, 0 or 1.
 * Same contract as the event-log adapter's `compareOffsets`; text that is not an integer is a
 * programming error and throws (BigInt's SyntaxError).
 */
export const compareOffsets = (a: string, b: string): number => {
  if (isCanonicalOffset(a) && isCanonicalOffset(b)) {
    if (a.length !== b.length) return a.length < b.length ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** The canonical text of an offset ("007" → "7"); throws on text that is not an integer. */
export const canonicalOffset = (text: string): string =>
  isCanonicalOffset(text) ? text : BigInt(text).toString();

/** The position just before `offset`: where a state that streams from `offset` on has applied up to. */
export const previousOffset = (offset: string): string => (BigInt(offset) - 1n).toString();

/**
 * `a > b` for the hot loop: `a` must be canonical (the reducer makes it so), `b` canonical or
 * `NO_OFFSET` / another negative number (the only non-canonical values a state holds).
 */
export const isAfter = (a: string, b: string): boolean => {
  if (b.charCodeAt(0) === 45) return true; // "-…": every non-negative offset is after it
  if (a.length !== b.length) return a.length > b.length;
  return a > b;
};

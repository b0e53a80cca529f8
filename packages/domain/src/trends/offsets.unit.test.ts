import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalOffset, compareOffsets, isAfter, previousOffset } from "./offsets.ts";

const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);
const bigintOrder = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);

describe("log offsets as decimal text", () => {
  it("given any two 64-bit integers written in any decimal form, when compared, then the order is BigInt's", () => {
    const text = fc.tuple(fc.bigInt({ min: -1n, max: 2n ** 63n - 1n }), fc.nat(3)).map(([n, zeros]) => ({
      n,
      // Leading zeros are not canonical and must take the exact path.
      text: n < 0n ? n.toString() : "0".repeat(zeros) + n.toString(),
    }));
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(sign(compareOffsets(a.text, b.text))).toBe(bigintOrder(a.n, b.n));
      }),
    );
  });

  it("given canonical offsets, when the hot loop's test is used, then it agrees with compareOffsets", () => {
    const offset = fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map(String);
    fc.assert(
      fc.property(offset, fc.oneof(offset, fc.constant("-1")), (a, b) => {
        expect(isAfter(a, b)).toBe(compareOffsets(a, b) > 0);
      }),
    );
  });

  it("given offsets past 2^53, when compared, then neighbours are told apart", () => {
    expect(compareOffsets("9007199254740993", "9007199254740992")).toBe(1);
    expect(compareOffsets("9007199254740993", "9007199254740993")).toBe(0);
  });

  it("given a start position, when its predecessor is asked, then it is start - 1 exactly", () => {
    expect(previousOffset("0")).toBe("-1");
    expect(previousOffset("9007199254740993")).toBe("9007199254740992");
    expect(canonicalOffset("007")).toBe("7");
  });

  it("given text that is not an integer, when compared, then it throws (a programming error, not data)", () => {
    expect(() => compareOffsets("12a", "1")).toThrow();
  });
});

import { describe, expect, it } from "vitest";
import { decodeUtf8 } from "@cinematch/cli/catalog-import";

describe("file bytes", () => {
  it("given bytes that are not UTF-8 on line 2, when decoded, then line 2 is a problem", () => {
    const bytes = Uint8Array.from([
      ...new TextEncoder().encode("a,b\nL"),
      0xe9,
      ...new TextEncoder().encode("on,1\n"),
    ]);
    expect(decodeUtf8(bytes).problems).toEqual([{ line: 2, message: "bytes that are not UTF-8 text" }]);
  });

  it("given valid UTF-8 that holds a replacement character, when decoded, then nothing is reported", () => {
    expect(decodeUtf8(new TextEncoder().encode("a\n\uFFFD\n")).problems).toEqual([]);
  });
});

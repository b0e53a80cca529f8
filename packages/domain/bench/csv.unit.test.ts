import { describe, expect, it } from "vitest";
import { parseCsv, parseCsvRecords } from "./csv.ts";

describe("the measurement scripts' CSV reader", () => {
  it("given quoted fields with commas, doubled quotes and line breaks, when parsed, then each field is whole", () => {
    const text = 'id,title,genres\r\n29,"City of Lost Children, The (1995)",Drama\n7,"Say ""Hi""\nagain",\n';
    expect(parseCsv(text)).toEqual([
      ["id", "title", "genres"],
      ["29", "City of Lost Children, The (1995)", "Drama"],
      ["7", 'Say "Hi"\nagain', ""],
    ]);
  });

  it("given a header and no final line break, when read as records, then fields are keyed by the header", () => {
    expect(parseCsvRecords("\uFEFFRank,Title\n1,Guardians of the Galaxy")).toEqual([
      { Rank: "1", Title: "Guardians of the Galaxy" },
    ]);
  });

  it("given an empty text, when read, then there are no rows", () => {
    expect(parseCsv("")).toEqual([]);
    expect(parseCsvRecords("")).toEqual([]);
  });
});

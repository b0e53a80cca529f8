import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvTable, parseCsv } from "./csv.ts";

const fieldsOf = (text: string) => parseCsv(text).records.map((r) => r.fields);

describe("well-formed CSV", () => {
  it("given quoted fields with commas, doubled quotes and line breaks, when parsed, then each field reads as written", () => {
    const text = 'a,"b, c","say ""hi""","two\nlines",\n1,2,3,4,5\n';
    expect(fieldsOf(text)).toEqual([
      ["a", "b, c", 'say "hi"', "two\nlines", ""],
      ["1", "2", "3", "4", "5"],
    ]);
  });

  it("given CRLF, LF and CR line ends, when parsed, then they all end records", () => {
    expect(fieldsOf("a,b\r\nc,d\ne,f\rg,h")).toEqual([
      ["a", "b"],
      ["c", "d"],
      ["e", "f"],
      ["g", "h"],
    ]);
  });

  it("given a byte-order mark and blank lines, when parsed, then the mark is dropped and blank lines skipped", () => {
    const parsed = parseCsv("\uFEFFid,name\n\n1,x\n\n");
    expect(parsed.records).toEqual([
      { line: 1, fields: ["id", "name"] },
      { line: 3, fields: ["1", "x"] },
    ]);
    expect(parsed.problems).toEqual([]);
  });

  it("given a record spanning lines, when parsed, then it and the records after it carry their starting line", () => {
    const parsed = parseCsv('h1,h2\n1,"x\r\ny\nz"\n2,w\n');
    expect(parsed.records.map((r) => r.line)).toEqual([1, 2, 5]);
  });

  it("given a lone quote inside an unquoted field, when parsed, then it is kept as text", () => {
    expect(fieldsOf('12" Vinyl,ok\n')).toEqual([['12" Vinyl', "ok"]]);
  });

  it("given a comma at the very end of the text, when parsed, then the record ends with an empty field", () => {
    expect(fieldsOf("a,")).toEqual([["a", ""]]);
  });

  it("given any table of texts, when written with every field quoted and parsed again, then it is the same table", () => {
    const cell = fc.string({ unit: fc.constantFrom("a", "é", ",", '"', "\n", "\r\n", " ", "1") });
    const table = fc.array(fc.array(cell, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(table, fc.constantFrom("\n", "\r\n"), (rows, eol) => {
        const text = rows.map((row) => row.map((f) => `"${f.replaceAll('"', '""')}"`).join(",")).join(eol);
        const parsed = parseCsv(text);
        expect(parsed.problems).toEqual([]);
        expect(parsed.records.map((r) => r.fields)).toEqual(rows);
      }),
    );
  });
});

describe("malformed CSV", () => {
  it("given a quote that never closes, when parsed, then the problem names its line and the lines after it are still read", () => {
    const parsed = parseCsv('h1,h2\n1,ok\n2,"never closed\n3,fine\n4,also fine\n');
    expect(parsed.problems).toEqual([{ line: 3, message: "a quoted field opens here and is never closed" }]);
    expect(parsed.records.map((r) => [r.line, ...r.fields])).toEqual([
      [1, "h1", "h2"],
      [2, "1", "ok"],
      [4, "3", "fine"],
      [5, "4", "also fine"],
    ]);
  });

  it("given a stray quote that swallows lines until a later quote, when parsed, then it is reported at its line and reading resumes after it", () => {
    const parsed = parseCsv('h1,h2,h3\n1,"stray,x\n2,"quoted",y\n3,z,w\n');
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]).toMatchObject({ line: 2 });
    expect(parsed.problems[0]?.message).toMatch(/not closed properly .* line 3/);
    expect(parsed.records.map((r) => r.line)).toEqual([1, 3, 4]);
    expect(parsed.records[1]?.fields).toEqual(["2", "quoted", "y"]);
  });

  it("given text after a closing quote on one line, when parsed, then that record is reported and the next is read", () => {
    const parsed = parseCsv('a,b\n"x"y,2\n3,4\n');
    expect(parsed.problems).toEqual([{ line: 2, message: "text after the closing quote of field 1" }]);
    expect(parsed.records.map((r) => r.fields)).toEqual([
      ["a", "b"],
      ["3", "4"],
    ]);
  });

  it("given several bad lines, when parsed, then every one is reported in line order", () => {
    const parsed = parseCsv('h\n"a"b\nok\n"c"d\n"e"f\n');
    expect(parsed.problems.map((p) => p.line)).toEqual([2, 4, 5]);
  });
});

describe("a table with a header", () => {
  it("given rows with too few or too many fields, when tabled, then each is a problem at its line", () => {
    const table = csvTable(parseCsv("a,b,c\n1,2,3\n1,2\n1,2,3,4\n"), ["a", "c"]);
    expect(table.rows.map((r) => r.line)).toEqual([2]);
    expect(table.problems).toEqual([
      { line: 3, message: "2 fields where the header has 3" },
      { line: 4, message: "4 fields where the header has 3" },
    ]);
    expect(table.column("c")).toBe(2);
  });

  it("given a header without a required column, when tabled, then line 1 says which and no row is read", () => {
    const table = csvTable(parseCsv("movieId,name\n1,x\n"), ["movieId", "title"]);
    expect(table.rows).toEqual([]);
    expect(table.problems).toEqual([
      { line: 1, message: 'the header lacks "title" (found "movieId", "name")' },
    ]);
  });

  it("given an empty file, when tabled, then it is a problem at line 1", () => {
    expect(csvTable(parseCsv(""), ["a"]).problems).toEqual([
      { line: 1, message: "the file is empty (expected a header line)" },
    ]);
  });
});

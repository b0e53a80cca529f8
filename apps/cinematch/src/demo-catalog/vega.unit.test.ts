import { decoderFor, Film } from "@cinematch/domain";
import { Either } from "effect";
import { beforeAll, describe, expect, it } from "vitest";
import { describeVegaReport, loadVegaCatalog, type VegaCatalog, vegaCatalog, vegaMovieId } from "./vega.ts";

const row = (fields: Record<string, unknown>) => ({
  Title: "Some Film",
  "Release Date": "Jun 12 1998",
  "Major Genre": null,
  Director: null,
  "Running Time min": null,
  ...fields,
});

describe("the installed vega-datasets movies.json", () => {
  let catalog: VegaCatalog;
  beforeAll(async () => {
    catalog = await loadVegaCatalog();
  });
  const byTitle = (title: string, year?: number) =>
    catalog.entries.filter((e) => e.film.title === title && (year === undefined || e.film.year === year));

  it("given its 3,201 rows, when loaded, then every row is a film, a counted skip or a counted duplicate", () => {
    const { report } = catalog;
    expect(report.rows).toBe(3201);
    expect(report.films + report.skipped.length + report.duplicates.length).toBe(report.rows);
    expect(report.films).toBeGreaterThan(3150);
    expect(catalog.entries).toHaveLength(report.films);
  });

  it("given every loaded film, when decoded again with the domain's Film schema, then it decodes to itself", () => {
    const decode = decoderFor(Film, "film");
    for (const { film } of catalog.entries) expect(decode(film)).toEqual(Either.right(film));
  });

  it("given every loaded film, when ids are compared, then no two share one", () => {
    const ids = new Set(catalog.entries.map((e) => e.film.movie_id));
    expect(ids.size).toBe(catalog.entries.length);
  });

  it("given the row without a title, when loaded, then it is skipped with the reason", () => {
    expect(catalog.report.skipped).toEqual([{ row: 3053, reason: "no title" }]);
  });

  it("given titles stored as numbers, when loaded, then they are films titled by the number", () => {
    expect(catalog.report.cleaned.numeric_titles).toBe(9);
    expect(byTitle("1776", 1972)).toHaveLength(1);
    expect(byTitle("300", 2007)).toHaveLength(1);
  });

  it("given garbled accents, when loaded, then the titles read as written", () => {
    expect(byTitle("Léon")).toHaveLength(1);
    expect(byTitle("Die Fälscher")).toHaveLength(1);
    expect(catalog.entries.some((e) => /[ÈÍÛÙ‰˘]/u.test(e.film.title))).toBe(false);
  });

  it("given release dates in the wrong century, when loaded, then no film is dated after 2011", () => {
    expect(catalog.report.cleaned.years_moved_back_a_century).toBeGreaterThan(0);
    expect(byTitle("Gone with the Wind")[0]?.film.year).toBe(1939);
    expect(Math.max(...catalog.entries.map((e) => e.film.year ?? 0))).toBeLessThanOrEqual(2011);
  });

  it("given one film listed for two releases, when loaded, then it is one entry with the fields of both", () => {
    const fantasia = byTitle("Fantasia 2000");
    expect(fantasia).toHaveLength(1);
    expect(fantasia[0]?.film).toMatchObject({ year: 2000, runtime_minutes: 75, genres: ["Musical"] });
    expect(catalog.report.duplicates).toHaveLength(1);
  });

  it("given a film with director, genre and running time, when loaded, then all three are on the film", () => {
    expect(byTitle("2012", 2009)[0]?.film).toMatchObject({
      directors: ["Roland Emmerich"],
      genres: ["Action"],
      runtime_minutes: 158,
    });
  });

  it("given the report, when described, then the banner line names the counts", () => {
    expect(describeVegaReport(catalog.report)).toMatch(
      /^\d+ films from vega-datasets movies\.json \(3201 rows: 1 skipped/,
    );
  });
});

describe("movie ids", () => {
  it("given the same rows in another order, when loaded, then every film keeps its id", () => {
    const rows = [
      row({ Title: "Alpha", "Release Date": "Jan 01 2001" }),
      row({ Title: "Beta" }),
      row({ Title: "Gamma", "Release Date": "Feb 02 2002" }),
    ];
    const ids = (rs: unknown[]) =>
      new Map(vegaCatalog(rs).entries.map((e) => [e.film.title, e.film.movie_id]));
    expect(ids([...rows].reverse())).toEqual(ids(rows));
  });

  it("given titles that differ only in accents, case and punctuation, when identified, then they share an id", () => {
    expect(vegaMovieId("Léon", 1994)).toBe(vegaMovieId("LEON!", 1994));
    expect(vegaMovieId("Léon", 1994)).not.toBe(vegaMovieId("Léon", 1995));
    expect(vegaMovieId("Léon", 1994)).toMatch(/^vega-\d{1,10}$/);
  });
});

describe("rows that cannot be films", () => {
  it.each([
    ["a title that is only spaces", row({ Title: "   " }), "no title"],
    ["a title of the wrong type", row({ Title: true }), "Title"],
    ["a running time out of range", row({ "Running Time min": 0 }), "runtime_minutes"],
    ["a fractional running time", row({ "Running Time min": 90.5 }), "runtime_minutes"],
    ["not an object", "Alpha", "(row)"],
  ])("given %s, when loaded, then the row is skipped with a reason naming the field", (_, bad, reason) => {
    const { entries, report } = vegaCatalog([bad, row({ Title: "Fine" })]);
    expect(entries.map((e) => e.film.title)).toEqual(["Fine"]);
    expect(report.skipped).toHaveLength(1);
    expect(report.skipped[0]?.row).toBe(0);
    expect(report.skipped[0]?.reason).toContain(reason);
  });

  it("given something other than an array, when loaded, then it fails loudly", () => {
    expect(() => vegaCatalog({ Title: "x" })).toThrow(/expected an array/);
  });
});

import { describe, expect, it } from "vitest";
import { type CatalogItem, makeCatalogIndex } from "../catalog/catalog-index.ts";
import type { WatchedEntry } from "../schemas/entry.ts";
import type { Film } from "../schemas/film.ts";
import type { ExportFilm } from "./export-film.ts";
import { type ImportCatalog, importedChange, mergePlans, type PlannedFilm, planImport } from "./plan.ts";

const NOW = Date.UTC(2026, 11, 5);
const items: ReadonlyArray<CatalogItem & { ids: ReadonlyArray<string> }> = [
  { film: { movie_id: "ml-6", title: "Heat", year: 1995 }, ids: ["tt0113277", "tmdb-949"] },
  {
    film: { movie_id: "ml-4973", title: "Amélie", year: 2001 },
    aliases: ["Fabuleux destin d'Amélie Poulain, Le"],
    ids: ["tt0211915"],
  },
  { film: { movie_id: "ml-1", title: "Solaris", year: 1972 }, ids: ["tmdb-593"] },
  { film: { movie_id: "ml-2", title: "Solaris", year: 2002 }, ids: [] },
  { film: { movie_id: "ml-3", title: "Heat", year: 1986 }, ids: [] },
];
const catalog = (): ImportCatalog => {
  const byId = new Map<string, Film>();
  for (const item of items) for (const id of [item.film.movie_id, ...item.ids]) byId.set(id, item.film);
  const index = makeCatalogIndex(items);
  return { byId: (id) => byId.get(id), match: index.match };
};
const exported = (title: string, more: Partial<ExportFilm> = {}): ExportFilm => ({
  key: `${title}|${more.year ?? ""}`,
  title,
  watch_count: 1,
  ...more,
});
const plan = (films: ReadonlyArray<ExportFilm>) =>
  planImport({ films, problems: [], files: ["x"] }, catalog(), NOW);

describe("planning an import", () => {
  describe("films the source names by id", () => {
    it("given an IMDB id the catalog holds as an alias, when planned, then it is that film, whatever the title says", () => {
      const result = plan([exported("Heat (Director's cut)", { imdb_id: "tt0113277" })]);
      expect(result.films.map((f) => [f.film.movie_id, f.matched_by])).toEqual([["ml-6", "imdb_id"]]);
    });

    it("given only a TMDB id, when planned, then the catalog's tmdb alias finds the film", () => {
      const result = plan([exported("Солярис", { tmdb_id: "593", year: 1972 })]);
      expect(result.films.map((f) => [f.film.movie_id, f.matched_by])).toEqual([["ml-1", "tmdb_id"]]);
    });
  });

  describe("films named by title and year", () => {
    it("given an alternative title with accents dropped, when planned, then the matcher finds the film", () => {
      const result = plan([exported("Le fabuleux destin d'Amelie Poulain", { year: 2001 })]);
      expect(result.films.map((f) => [f.film.movie_id, f.matched_by])).toEqual([["ml-4973", "title"]]);
    });

    it("given a title two films share and no year, when planned, then it is unmatched as ambiguous, with both as candidates", () => {
      const result = plan([exported("Solaris", { rating: 8 })]);
      expect(result.films).toEqual([]);
      expect(result.unmatched[0]).toMatchObject({ title: "Solaris", reason: "ambiguous", rating: 8 });
      expect(result.unmatched[0]?.candidates.map((c) => c.film.movie_id).sort()).toEqual(["ml-1", "ml-2"]);
    });

    it("given a film missing from the catalog, when planned, then it is unmatched as not in the catalog", () => {
      const result = plan([exported("Portrait of a Lady on Fire", { year: 2019 })]);
      expect(result.unmatched.map((u) => u.reason)).toEqual(["not_in_catalog"]);
    });
  });

  describe("two export films that are one catalog film", () => {
    it("given them, when planned, then one film keeps the later watch, its rating and both counts", () => {
      const result = plan([
        exported("Heat", { year: 1995, rating: 6, watched_at: Date.UTC(2020, 0, 1), watch_count: 1 }),
        exported("Heat", {
          imdb_id: "tt0113277",
          rating: 9,
          watched_at: Date.UTC(2023, 0, 1),
          watch_count: 2,
        }),
      ]);
      expect(result.films).toEqual([
        {
          film: items[0]!.film,
          matched_by: "title",
          rating: 9,
          watched_at: Date.UTC(2023, 0, 1),
          watch_count: 3,
        },
      ]);
    });
  });

  describe("an export planned in slices", () => {
    it("given the same film in two slices, when the plans are merged, then it is one film as if planned at once", () => {
      const films = [
        exported("Heat", { year: 1995, rating: 6, watched_at: Date.UTC(2020, 0, 1) }),
        exported("Portrait of a Lady on Fire", { year: 2019 }),
        exported("Heat", {
          imdb_id: "tt0113277",
          rating: 9,
          watched_at: Date.UTC(2023, 0, 1),
          watch_count: 2,
        }),
      ];
      const sliced = mergePlans([plan(films.slice(0, 2)), plan(films.slice(2))]);
      expect(sliced).toEqual(plan(films));
    });
  });

  describe("a watch date in the future", () => {
    it("given a date two days ahead, when planned, then the date is dropped and reported", () => {
      const result = plan([exported("Heat", { year: 1995, watched_at: NOW + 2 * 86_400_000 })]);
      expect(result.films[0]?.watched_at).toBeUndefined();
      expect(result.problems[0]?.message).toMatch(/Heat \(1995\).*in the future/);
    });
  });
});

describe("bringing an entry up to the export", () => {
  const film: Film = { movie_id: "ml-6", title: "Heat", year: 1995 };
  const planned: PlannedFilm = {
    film,
    matched_by: "title",
    rating: 8,
    watched_at: Date.UTC(2022, 0, 1),
    watch_count: 2,
  };
  const entry = (more: Partial<WatchedEntry>): WatchedEntry => ({
    user_id: "u1",
    movie: film,
    watched_at: Date.UTC(2022, 0, 1),
    watch_count: 2,
    added_at: Date.UTC(2022, 0, 1),
    ...more,
  });

  it("given an entry exactly as the export says, when compared, then nothing changes (a second import is a no-op)", () => {
    expect(importedChange(planned, entry({ rating: 8 }))).toBeUndefined();
  });

  it("given an entry with another rating, when compared, then the rating changes", () => {
    expect(importedChange(planned, entry({ rating: 3 }))).toEqual({ rating: 8 });
  });

  it("given an entry watched later than the export says, when compared, then its date stays", () => {
    expect(importedChange(planned, entry({ rating: 8, watched_at: Date.UTC(2024, 0, 1) }))).toBeUndefined();
  });

  it("given an entry watched earlier and unrated, when compared, then both the date and the rating change", () => {
    expect(importedChange(planned, entry({ watched_at: Date.UTC(2020, 0, 1) }))).toEqual({
      rating: 8,
      watched_at: Date.UTC(2022, 0, 1),
    });
  });

  it("given an entry watched once (no count) and an export of two watches, when compared, then the count rises", () => {
    const { watch_count: _, ...once } = entry({ rating: 8 });
    expect(importedChange(planned, once)).toEqual({ watch_count: 2 });
  });

  it("given an entry watched more often than the export says, when compared, then its count stays", () => {
    expect(importedChange(planned, entry({ rating: 8, watch_count: 5 }))).toBeUndefined();
  });

  it("given an export without a rating, when compared with a rated entry, then the rating stays", () => {
    const { rating: _, ...unrated } = planned;
    expect(importedChange(unrated, entry({ rating: 5 }))).toBeUndefined();
  });
});

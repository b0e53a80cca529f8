import { describe, expect, it } from "vitest";
import { type CatalogItem, makeCatalogIndex, popularityPrior } from "./catalog-index.ts";

const item = (movie_id: string, title: string, year: number, votes?: CatalogItem["votes"]): CatalogItem => ({
  film: { movie_id, title, year },
  ...(votes === undefined ? {} : { votes }),
});
const firstIds = (index: ReturnType<typeof makeCatalogIndex>, text: string, n = 3) =>
  index
    .match({ text }, { limit: 10 })
    .slice(0, n)
    .map((c) => c.film.movie_id);

describe("searching as people type", () => {
  describe("a catalog where a film is known by its original title", () => {
    const index = makeCatalogIndex([
      item("amelie", "Le Fabuleux destin d'Amélie Poulain", 2001),
      item("amelia", "Amelia", 2009),
      item("other", "Le Destin", 1997),
    ]);

    it("given one word of the title, without accents, when searched, then the film holding that word comes first", () => {
      expect(firstIds(index, "amelie", 2)).toEqual(["amelie", "amelia"]);
    });

    it("given that word, when resolved, then the film is offered, not taken without asking", () => {
      const resolution = index.resolve({ text: "amelie" });
      expect(resolution._tag).toBe("Ambiguous");
    });
  });

  describe("a catalog with a series", () => {
    const index = makeCatalogIndex([
      item("sw1", "Star Wars Ep. I: The Phantom Menace", 1999, { imdb: 8_622 }),
      item("sw4", "Star Wars Ep. IV: A New Hope", 1977, { us_gross_usd: 460_998_007 }),
      item("sw5", "Star Wars: Episode V - The Empire Strikes Back", 1980, { movielens: 234 }),
      item("clone", "Star Wars: The Clone Wars", 2008, { imdb: 17_513 }),
    ]);

    it("given the series name, when searched, then every episode counts as the series and the most popular comes first", () => {
      const ranked = index.match({ text: "star wars" }, { limit: 10 });
      expect(ranked[0]?.film.movie_id).toBe("sw5");
      expect(ranked[1]?.film.movie_id).toBe("sw4");
      expect(ranked.slice(0, 4).map((c) => c.score)).toEqual([0.9, 0.9, 0.9, 0.9]);
    });
  });

  describe("the popularity prior", () => {
    it("given two films with the same title, when searched, then the more popular one comes first", () => {
      const index = makeCatalogIndex([
        item("gb2016", "Ghostbusters", 2016, { imdb: 150_000 }),
        item("gb1984", "Ghostbusters", 1984, { imdb: 350_000, movielens: 120 }),
      ]);
      expect(firstIds(index, "ghostbusters", 2)).toEqual(["gb1984", "gb2016"]);
    });

    it("given a far more popular film with a worse title match, when searched, then the better title still comes first", () => {
      const index = makeCatalogIndex([
        item("theheat", "The Heat", 2013, { imdb: 2_000_000 }),
        item("heat", "Heat", 1995),
      ]);
      expect(firstIds(index, "heat", 2)).toEqual(["heat", "theheat"]);
    });

    it("given votes, when weighed, then the bonus grows with them and never exceeds 0.035", () => {
      const values = [
        undefined,
        {},
        { imdb: 1_000 },
        { movielens: 300 },
        { imdb: 2_000_000 },
        { imdb: 1e12 },
      ].map(popularityPrior);
      expect(values[0]).toBe(0);
      expect(values[1]).toBe(0);
      expect(values[2]!).toBeLessThan(values[3]!);
      expect(values[3]!).toBeLessThan(values[4]!);
      expect(values[5]).toBeCloseTo(0.035, 10);
    });
  });

  describe("a typed title with one typo", () => {
    const index = makeCatalogIndex([item("pulp", "Pulp Fiction", 1994), item("fargo", "Fargo", 1996)]);

    it("given the only film it can be, when resolved, then it is taken", () => {
      const resolution = index.resolve({ text: "Pulp Fictoin" });
      expect(resolution._tag === "Matched" && resolution.film.movie_id).toBe("pulp");
    });
  });

  describe("an answer the matcher is unsure of", () => {
    it("given one candidate over the floor and others under it, when resolved, then it lists at least two", () => {
      const index = makeCatalogIndex([
        item("a", "The Long Goodbye", 1973),
        item("b", "Long Good Friday", 1980),
        item("c", "Goodbye Girl", 1977),
      ]);
      const resolution = index.resolve({ text: "long goodbey girl" });
      expect(resolution._tag).toBe("Ambiguous");
      if (resolution._tag === "Ambiguous") expect(resolution.candidates.length).toBeGreaterThanOrEqual(2);
    });
  });
});

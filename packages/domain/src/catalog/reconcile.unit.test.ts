import { describe, expect, it } from "vitest";
import { type CatalogRecord, idKind, reconcileCatalog } from "./reconcile.ts";

const vegaPulp: CatalogRecord = {
  film: {
    movie_id: "vega-11",
    title: "Pulp Fiction",
    year: 1994,
    genres: ["Thriller"],
    directors: ["Quentin Tarantino"],
    runtime_minutes: 154,
  },
  votes: { imdb: 417_703 },
};
const mlPulp: CatalogRecord = {
  film: {
    movie_id: "ml-296",
    title: "Pulp Fiction",
    year: 1994,
    genres: ["Comedy", "Crime", "Drama", "Thriller"],
  },
  ids: ["tt0110912", "tmdb-680"],
  votes: { movielens: 324 },
};
const imdbPulp: CatalogRecord = {
  film: {
    movie_id: "imdb-22",
    title: "Pulp Fiction",
    year: 1994,
    genres: ["Crime", "Drama"],
    directors: ["Quentin Tarantino"],
    actors: ["John Travolta", "Uma Thurman"],
    runtime_minutes: 154,
  },
  votes: { imdb: 1_500_000 },
};
const mlAmelie: CatalogRecord = {
  film: { movie_id: "ml-4973", title: "Amélie", year: 2001, genres: ["Comedy", "Romance"] },
  aliases: ["Fabuleux destin d'Amélie Poulain, Le"],
};
const vegaAmelie: CatalogRecord = {
  film: { movie_id: "vega-33", title: "Le Fabuleux destin d'Amélie Poulain", year: 2001, genres: ["Comedy"] },
};
const hamlet1990: CatalogRecord = { film: { movie_id: "ml-1", title: "Hamlet", year: 1990 } };
const hamlet1996: CatalogRecord = { film: { movie_id: "ml-2", title: "Hamlet", year: 1996 } };
const titanicMl: CatalogRecord = { film: { movie_id: "ml-1721", title: "Titanic", year: 1997 } };
const titanicMl1953: CatalogRecord = { film: { movie_id: "ml-2157", title: "Titanic", year: 1996 } };

const ids = (entries: ReadonlyArray<CatalogRecord>) => entries.map((e) => e.film.movie_id);

describe("reconciling a catalog", () => {
  describe("an empty catalog", () => {
    it("given films from one source, when reconciled, then each is new and written as given", () => {
      const result = reconcileCatalog([], [mlPulp, mlAmelie]);
      expect(ids(result.entries)).toEqual(["ml-296", "ml-4973"]);
      expect(result.changed).toEqual(result.entries);
      expect(result.entries[0]).toEqual({ ...mlPulp, ids: ["tmdb-680", "tt0110912"] });
      expect(result).toMatchObject({ added: 2, matched_stored: 0, retired: [] });
    });
  });

  describe("a catalog seeded with the demo films", () => {
    it("given MovieLens' copy of a stored demo film, when reconciled, then it is one film under the MovieLens id and the demo id is retired into it", () => {
      const result = reconcileCatalog([vegaPulp], [mlPulp]);
      expect(result.entries).toHaveLength(1);
      expect(result.entries[0]).toEqual({
        film: {
          movie_id: "ml-296",
          title: "Pulp Fiction",
          year: 1994,
          genres: ["Comedy", "Crime", "Drama", "Thriller"],
          directors: ["Quentin Tarantino"],
          runtime_minutes: 154,
        },
        ids: ["vega-11", "tmdb-680", "tt0110912"],
        votes: { imdb: 417_703, movielens: 324 },
      });
      expect(result.retired).toEqual([{ from: "vega-11", into: "ml-296" }]);
      expect(result).toMatchObject({ added: 0, matched_stored: 1 });
    });

    it("given a film whose demo title is MovieLens' alternative title, when reconciled, then the two are one film", () => {
      const result = reconcileCatalog([vegaAmelie], [mlAmelie]);
      expect(ids(result.entries)).toEqual(["ml-4973"]);
      expect(result.entries[0]?.aliases).toContain("Fabuleux destin d'Amélie Poulain, Le");
      expect(result.entries[0]?.ids).toEqual(["vega-33"]);
    });
  });

  describe("three sources in any order", () => {
    const orders: ReadonlyArray<ReadonlyArray<ReadonlyArray<CatalogRecord>>> = [
      [[vegaPulp], [imdbPulp], [mlPulp]],
      [[mlPulp], [imdbPulp], [vegaPulp]],
      [[imdbPulp], [vegaPulp], [mlPulp]],
      [[mlPulp, imdbPulp, vegaPulp]],
    ];
    const importInOrder = (steps: ReadonlyArray<ReadonlyArray<CatalogRecord>>) =>
      steps.reduce<ReadonlyArray<CatalogRecord>>(
        (stored, step) => reconcileCatalog(stored, step).entries,
        [],
      );

    it("given the same film from every source, when imported one after the other in any order, then the catalog is the same single entry", () => {
      const results = orders.map(importInOrder);
      for (const result of results) expect(result).toEqual(results[0]);
      expect(results[0]).toHaveLength(1);
      expect(results[0]![0]).toMatchObject({
        film: { movie_id: "ml-296", actors: ["John Travolta", "Uma Thurman"] },
        ids: ["imdb-22", "vega-11", "tmdb-680", "tt0110912"],
        votes: { imdb: 1_500_000, movielens: 324 },
      });
    });

    it("given a merged catalog, when a source is imported again, then nothing changes", () => {
      const stored = importInOrder(orders[0]!);
      for (const again of [[mlPulp], [imdbPulp], [vegaPulp], [mlPulp, imdbPulp, vegaPulp]]) {
        const result = reconcileCatalog(stored, again);
        expect(result.changed).toEqual([]);
        expect(result.retired).toEqual([]);
        expect(result.entries).toEqual(stored);
      }
    });
  });

  describe("a catalog holding duplicates", () => {
    it("given the same film stored twice, when reconciled with nothing new, then one survives and the other is retired into it", () => {
      const result = reconcileCatalog([vegaPulp, imdbPulp], []);
      expect(ids(result.entries)).toEqual(["imdb-22"]);
      expect(result.retired).toEqual([{ from: "vega-11", into: "imdb-22" }]);
      expect(ids(result.changed)).toEqual(["imdb-22"]);
    });

    it("given a catalog without duplicates, when reconciled, then nothing is written", () => {
      const result = reconcileCatalog([hamlet1990, hamlet1996, titanicMl], []);
      expect(result).toMatchObject({ changed: [], retired: [], added: 0 });
    });
  });

  describe("films that only look alike", () => {
    it("given two films with the same title years apart, when reconciled, then they stay two", () => {
      expect(ids(reconcileCatalog([], [hamlet1990, hamlet1996]).entries)).toEqual(["ml-1", "ml-2"]);
    });

    it("given two MovieLens films with the same title one year apart, when reconciled, then the source's own ids keep them two", () => {
      expect(ids(reconcileCatalog([titanicMl], [titanicMl1953]).entries)).toEqual(["ml-1721", "ml-2157"]);
    });

    it("given a demo film between two MovieLens films it could match, when reconciled, then it joins neither", () => {
      const vegaTitanic: CatalogRecord = { film: { movie_id: "vega-5", title: "Titanic", year: 1997 } };
      const close: CatalogRecord = { film: { movie_id: "ml-9", title: "Titanic", year: 1997 } };
      const result = reconcileCatalog([titanicMl, close], [vegaTitanic]);
      expect(ids(result.entries)).toEqual(["ml-1721", "ml-9", "vega-5"]);
    });
  });

  describe("ids", () => {
    it("given ids of each source, when classified, then the prefix or IMDB's tt form names the kind", () => {
      expect(["ml-1", "imdb-2", "vega-3", "tmdb-4", "tt0110912", "m1", "x-1"].map(idKind)).toEqual([
        "ml",
        "imdb",
        "vega",
        "tmdb",
        "tt",
        "other",
        "other",
      ]);
    });
  });
});

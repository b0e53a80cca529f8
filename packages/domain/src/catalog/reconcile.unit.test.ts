import fc from "fast-check";
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

/** Each step imported into the catalog the steps before it made. */
const importInOrder = (steps: ReadonlyArray<ReadonlyArray<CatalogRecord>>) =>
  steps.reduce<ReadonlyArray<CatalogRecord>>((stored, step) => reconcileCatalog(stored, step).entries, []);

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
        // What the next import merges again from: each source's own record.
        sources: [{ ...mlPulp, ids: ["tmdb-680", "tt0110912"] }, vegaPulp],
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

  describe("a series whose demo title differs from MovieLens' and a sequel only one source has", () => {
    // On the full files, importing IMDB before MovieLens left the demo's "Mad Max 2: The Road Warrior"
    // apart from MovieLens' "The Road Warrior (Mad Max 2)", while the other order merged them: each
    // import decided among the films stored so far. The catalog now merges again from every source.
    const vega: ReadonlyArray<CatalogRecord> = [
      {
        film: {
          movie_id: "vega-1",
          title: "Mad Max 2: The Road Warrior",
          year: 1982,
          directors: ["George Miller"],
        },
      },
      { film: { movie_id: "vega-2", title: "Mad Max", year: 1980 }, votes: { imdb: 36_548 } },
      {
        film: { movie_id: "vega-3", title: "Mad Max Beyond Thunderdome", year: 1985 },
        votes: { imdb: 24_273 },
      },
      vegaPulp,
      vegaAmelie,
    ];
    const movielens: ReadonlyArray<CatalogRecord> = [
      { film: { movie_id: "ml-3702", title: "Mad Max", year: 1979 }, ids: ["tt0079501"] },
      { film: { movie_id: "ml-3703", title: "The Road Warrior", year: 1981 }, aliases: ["Mad Max 2"] },
      { film: { movie_id: "ml-3704", title: "Mad Max Beyond Thunderdome", year: 1985 } },
      { film: { movie_id: "ml-122882", title: "Mad Max: Fury Road", year: 2015 } },
      mlPulp,
      mlAmelie,
      titanicMl,
      titanicMl1953,
    ];
    const imdb: ReadonlyArray<CatalogRecord> = [
      { film: { movie_id: "imdb-68", title: "Mad Max: Fury Road", year: 2015, runtime_minutes: 120 } },
      imdbPulp,
      { film: { movie_id: "imdb-9", title: "Titanic", year: 1997, runtime_minutes: 194 } },
    ];
    const everything = [...vega, ...movielens, ...imdb];
    const atOnce = reconcileCatalog([], everything).entries;

    it("given the three sources imported one after the other, when in any of the six orders, then the catalog is the one made from all at once", () => {
      const sources = [vega, movielens, imdb];
      for (const [a, b, c] of [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
      ] as const) {
        expect(importInOrder([sources[a]!, sources[b]!, sources[c]!]), `order ${a}${b}${c}`).toEqual(atOnce);
      }
      // The same film from several sources is one entry under the most trusted id.
      expect(ids(atOnce)).toEqual(expect.arrayContaining(["ml-122882", "ml-296", "ml-3702", "ml-3704"]));
      expect(ids(atOnce)).not.toEqual(expect.arrayContaining(["imdb-68"]));
    });

    it("given the records split into any steps in any order, when imported step by step, then the catalog is the one made from all at once", () => {
      fc.assert(
        fc.property(
          fc.array(fc.nat({ max: 3 }), { minLength: everything.length, maxLength: everything.length }),
          fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4, maxLength: 4 }),
          (stepOf, stepOrder) => {
            const steps = stepOrder.map((step) => everything.filter((_, i) => stepOf[i] === step));
            expect(importInOrder(steps)).toEqual(atOnce);
          },
        ),
        { numRuns: 60 },
      );
    });

    it("given the merged catalog, when any source is imported again, then nothing is written", () => {
      for (const again of [vega, movielens, imdb, everything]) {
        expect(reconcileCatalog(atOnce, again)).toMatchObject({ changed: [], retired: [], added: 0 });
      }
    });

    it("given a poster TMDB gave a merged film, when its sources are imported again, then the poster stays", () => {
      const poster = "https://image.tmdb.org/t/p/w342/pulp.jpg";
      const withPoster = atOnce.map((e) =>
        e.film.movie_id === "ml-296" ? { ...e, film: { ...e.film, poster_path: poster } } : e,
      );
      const result = reconcileCatalog(withPoster, [mlPulp, imdbPulp]);
      expect(result.changed).toEqual([]);
      expect(result.entries.find((e) => e.film.movie_id === "ml-296")?.film.poster_path).toBe(poster);
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

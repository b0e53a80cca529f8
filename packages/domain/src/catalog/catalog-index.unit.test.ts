import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Film } from "../schemas/film.ts";
import {
  type CatalogIndex,
  decideResolution,
  type MatchCandidate,
  makeCatalogIndex,
  type CatalogResolution,
} from "./catalog-index.ts";
import { movieLensRows } from "./fixtures/movielens-movies.ts";
import { movieLensCatalogItem } from "./movielens.ts";

const movieLens = makeCatalogIndex(movieLensRows.map((row) => movieLensCatalogItem(row, "ml-")));

const topId = (index: CatalogIndex, text: string, year?: number) =>
  index.match(year === undefined ? { text } : { text, year })[0]?.film.movie_id;

const matchedId = (resolution: CatalogResolution) =>
  resolution._tag === "Matched" ? resolution.film.movie_id : undefined;

describe("an index over MovieLens films, looked up by exact title and year", () => {
  it("given the title and year, when resolved, then the film is matched with score 1", () => {
    const resolution = movieLens.resolve({ text: "Toy Story", year: 1995 });
    expect(resolution).toMatchObject({ _tag: "Matched", score: 1 });
    expect(matchedId(resolution)).toBe("ml-1");
  });

  it("given the year written in the text, when resolved, then it is used as the year", () => {
    expect(matchedId(movieLens.resolve({ text: "Heat (1995)" }))).toBe("ml-6");
    expect(matchedId(movieLens.resolve({ text: "Heat (2013)" }))).toBe("ml-103372");
  });

  it("given a title with punctuation and accents left out, when resolved, then the film is matched", () => {
    expect(matchedId(movieLens.resolve({ text: "leon the professional", year: 1994 }))).toBe("ml-293");
  });
});

describe("an index over MovieLens films whose articles are written last", () => {
  it("given the article in front, when resolved, then the film whose title ends in the article is matched", () => {
    expect(matchedId(movieLens.resolve({ text: "Les Misérables", year: 2012 }))).toBe("ml-99149");
    expect(matchedId(movieLens.resolve({ text: "The City of Lost Children", year: 1995 }))).toBe("ml-29");
    expect(matchedId(movieLens.resolve({ text: "The Dark Knight", year: 2008 }))).toBe("ml-58559");
  });

  it("given the article last, as MovieLens writes it, when resolved, then the same film is matched", () => {
    expect(matchedId(movieLens.resolve({ text: "Misérables, Les", year: 1995 }))).toBe("ml-73");
    expect(matchedId(movieLens.resolve({ text: "City of Lost Children, The", year: 1995 }))).toBe("ml-29");
  });

  it("given the title without its article, when resolved, then it is matched a little below exact", () => {
    const resolution = movieLens.resolve({ text: "Intouchables", year: 2011 });
    expect(matchedId(resolution)).toBe("ml-92259");
    const withArticle = movieLens.match({ text: "The Intouchables", year: 2011 })[0];
    expect(withArticle?.film.movie_id).toBe("ml-92259");
    expect(withArticle?.score).toBeLessThan(1);
    expect(withArticle?.reason).toMatch(/article/);
  });
});

describe("an index over MovieLens films with alternative titles", () => {
  it.each([
    ["The Professional", 1994, "ml-293"],
    ["Léon", 1994, "ml-293"],
    ["Se7en", 1995, "ml-47"],
    ["Kynodontas", 2009, "ml-77307"],
    ["Cité des enfants perdus", 1995, "ml-29"],
    ["Laberinto del fauno", 2006, "ml-48394"],
    ["The Human Centipede (First Sequence)", 2009, "ml-77427"],
  ])("given the alias %j (%i), when resolved, then the film is matched", (text, year, id) => {
    expect(matchedId(movieLens.resolve({ text, year }))).toBe(id);
  });

  it("given an alias, when matched, then the reason names the alternative title", () => {
    expect(movieLens.match({ text: "Kynodontas" })[0]?.reason).toMatch(/alternative title "Kynodontas"/);
  });

  it("given only the part before a subtitle, when matched, then the film is found", () => {
    expect(topId(movieLens, "Pirates of the Caribbean")).toBe("ml-6539");
    expect(matchedId(movieLens.resolve({ text: "Pirates of the Caribbean", year: 2003 }))).toBe("ml-6539");
  });
});

describe("an index over MovieLens films, looked up with a year that is off", () => {
  it("given a year off by one, when resolved, then the film is still matched with a small penalty", () => {
    const resolution = movieLens.resolve({ text: "Ex Machina", year: 2014 });
    expect(matchedId(resolution)).toBe("ml-115713");
    expect(resolution._tag === "Matched" && resolution.score).toBeGreaterThan(0.85);
    expect(resolution._tag === "Matched" && resolution.score).toBeLessThan(1);
    expect(resolution._tag === "Matched" && resolution.reason).toMatch(/year off by 1/);
  });

  it("given a year off by many, when resolved, then the film is only a candidate", () => {
    const resolution = movieLens.resolve({ text: "Ex Machina", year: 2005 });
    expect(resolution._tag).toBe("Ambiguous");
    expect(resolution._tag === "Ambiguous" && resolution.candidates[0]?.film.movie_id).toBe("ml-115713");
  });

  it("given two films of one title a year apart, when resolved with one's year, then that one wins", () => {
    const index = makeCatalogIndex([
      { movie_id: "a", title: "Twin Film", year: 2010 },
      { movie_id: "b", title: "Twin Film", year: 2011 },
    ]);
    expect(matchedId(index.resolve({ text: "Twin Film", year: 2011 }))).toBe("b");
  });
});

describe("an index over MovieLens films, with several films answering", () => {
  it("given a title several films share and no year, when resolved, then it is ambiguous, all of them candidates", () => {
    const resolution = movieLens.resolve({ text: "Hamlet" });
    expect(resolution._tag).toBe("Ambiguous");
    const ids = resolution._tag === "Ambiguous" ? resolution.candidates.map((c) => c.film.movie_id) : [];
    expect(ids.slice(0, 6)).toEqual(["ml-1411", "ml-1941", "ml-2820", "ml-3598", "ml-3723", "ml-65665"]);
  });

  it("given the same title and a year, when resolved, then the film of that year is matched", () => {
    expect(matchedId(movieLens.resolve({ text: "Hamlet", year: 1996 }))).toBe("ml-1411");
  });

  it("given two sequels, when resolved by number, then the right one is matched", () => {
    expect(matchedId(movieLens.resolve({ text: "Nymphomaniac: Vol. I", year: 2013 }))).toBe("ml-108727");
    expect(matchedId(movieLens.resolve({ text: "Nymphomaniac: Vol. II", year: 2013 }))).toBe("ml-108981");
    expect(matchedId(movieLens.resolve({ text: "Toy Story 3" }))).toBe("ml-78499");
    expect(matchedId(movieLens.resolve({ text: "Furious Seven", year: 2015 }))).toBe("ml-130634");
  });

  it("given a sequel whose number differs from the only similar film, when resolved, then it is not matched", () => {
    const index = makeCatalogIndex([
      { movie_id: "p1", title: "Twilight Saga: Breaking Dawn - Part 1, The", year: 2011 },
    ]);
    const resolution = index.resolve({ text: "The Twilight Saga: Breaking Dawn - Part 2", year: 2011 });
    expect(resolution._tag).toBe("Ambiguous");
  });

  it("given films tied on score, when matched, then they are ordered by title before movie id", () => {
    const index = makeCatalogIndex([
      { film: { movie_id: "a", title: "Zebra Crossing" }, aliases: ["Common Name"] },
      { film: { movie_id: "b", title: "Apple Orchard" }, aliases: ["Common Name"] },
    ]);
    expect(index.match({ text: "Common Name" }).map((c) => c.film.movie_id)).toEqual(["b", "a"]);
  });

  it("given a title that is exact for one film and article-less for another, when resolved, then the exact one wins", () => {
    expect(matchedId(movieLens.resolve({ text: "Heat" }))).toBe("ml-6");
  });
});

describe("an index over MovieLens films, searched as the user types", () => {
  it("given the first letters of a title, when matched, then the films it starts rank first, shortest first", () => {
    const ids = movieLens.match({ text: "toy sto" }, { limit: 3 }).map((c) => c.film.movie_id);
    expect(ids[0]).toBe("ml-1");
    expect([...ids.slice(1)].sort()).toEqual(["ml-3114", "ml-78499"]);
  });

  it("given a partial last word, when matched, then the film it completes is first", () => {
    expect(topId(movieLens, "the dark kn")).toBe("ml-58559");
    expect(topId(movieLens, "spirited aw")).toBe("ml-5618");
  });

  it("given a typo, when matched, then the intended film is first", () => {
    expect(topId(movieLens, "Godfater")).toBe("ml-858");
    expect(topId(movieLens, "the matrx")).toBe("ml-2571");
    expect(topId(movieLens, "amelei")).toBe("ml-4973");
  });

  it("given a limit, when matched, then no more candidates than the limit come back", () => {
    expect(movieLens.match({ text: "the" }, { limit: 2 })).toHaveLength(2);
  });
});

describe("an index asked about nothing it knows", () => {
  it.each([[""], ["   "], ["?!-- ..."]])(
    "given the empty query %j, when matched, then there is no candidate",
    (text) => {
      expect(movieLens.match({ text })).toEqual([]);
      expect(movieLens.resolve({ text })._tag).toBe("NotFound");
    },
  );

  it("given a title no film resembles, when resolved, then it is not found", () => {
    expect(movieLens.resolve({ text: "Qwzxv Plmkj" })._tag).toBe("NotFound");
  });

  it("given an empty catalog, when resolved, then it is not found", () => {
    expect(makeCatalogIndex([]).resolve({ text: "Toy Story" })._tag).toBe("NotFound");
  });
});

describe("an index over plain catalog films", () => {
  it("given a film without a year whose title carries one, when matched by that year, then it matches exactly", () => {
    const index = makeCatalogIndex([{ movie_id: "x", title: "Toy Story (1995)" }]);
    expect(index.match({ text: "Toy Story", year: 1995 })[0]).toMatchObject({ score: 1 });
  });

  it("given a film whose own year differs from the one in its title, when matched, then its own year counts", () => {
    const index = makeCatalogIndex([{ movie_id: "x", title: "Toy Story (1995)", year: 1999 }]);
    expect(index.match({ text: "Toy Story", year: 1999 })[0]).toMatchObject({ score: 1 });
  });

  it("given extra aliases, when matched by one, then the film is found", () => {
    const index = makeCatalogIndex([
      { film: { movie_id: "x", title: "Spirited Away", year: 2001 }, aliases: ["千と千尋の神隠し"] },
    ]);
    expect(matchedId(index.resolve({ text: "千と千尋の神隠し" }))).toBe("x");
  });

  it("given & for and, when matched, then the two spellings meet", () => {
    const index = makeCatalogIndex([{ movie_id: "x", title: "Love and Other Drugs", year: 2010 }]);
    expect(index.match({ text: "Love & Other Drugs", year: 2010 })[0]).toMatchObject({ score: 1 });
  });

  it("given the film object, when matched, then the candidate carries it unchanged", () => {
    const film: Film = { movie_id: "x", title: "Misérables, Les (1995)", genres: ["Drama"] };
    expect(makeCatalogIndex([film]).match({ text: "Les Misérables" })[0]?.film).toBe(film);
  });
});

describe("match laws", () => {
  const films: Film[] = movieLensRows.map((row) => movieLensCatalogItem(row, "ml-").film);
  const queryText = fc.oneof(
    fc
      .constantFrom(...films.map((f) => f.title))
      .chain((title) => fc.integer({ min: 1, max: title.length }).map((n) => title.slice(0, n))),
    fc.string({ maxLength: 12 }),
  );
  const query = fc.record({
    text: queryText,
    year: fc.option(fc.integer({ min: 1900, max: 2020 }), { nil: undefined }),
  });
  const asQuery = (q: { text: string; year: number | undefined }) =>
    q.year === undefined ? { text: q.text } : { text: q.text, year: q.year };

  it("given any query, when matched, then scores lie in 0..1, descend, and each film appears once", () => {
    fc.assert(
      fc.property(query, (q) => {
        const candidates = movieLens.match(asQuery(q), { limit: 100 });
        const scores = candidates.map((c) => c.score);
        for (const s of scores) expect(s >= 0 && s <= 1).toBe(true);
        expect([...scores].sort((a, b) => b - a)).toEqual(scores);
        expect(new Set(candidates.map((c) => c.film.movie_id)).size).toBe(candidates.length);
      }),
    );
  });

  it("given any order of the same catalog, when matched, then the answer is the same (ties break by title, then id)", () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(films, { minLength: films.length }), query, (shuffled, q) => {
        const summary = (candidates: ReadonlyArray<MatchCandidate>) =>
          candidates.map((c) => `${c.film.movie_id}:${c.score}`);
        expect(summary(makeCatalogIndex(shuffled).match(asQuery(q)))).toEqual(
          summary(makeCatalogIndex(films).match(asQuery(q))),
        );
      }),
      { numRuns: 50 },
    );
  });

  it("given a catalog title, when looked up with its year, then its film is the top candidate", () => {
    fc.assert(
      fc.property(fc.constantFrom(...films), (film) => {
        expect(
          movieLens.match({ text: film.title, ...(film.year === undefined ? {} : { year: film.year }) })[0]
            ?.score,
        ).toBe(1);
      }),
    );
  });
});

describe("deciding from candidates", () => {
  const film = (id: string): Film => ({ movie_id: id, title: id });
  const candidate = (id: string, score: number): MatchCandidate => ({
    film: film(id),
    score,
    reason: "test",
  });

  it("given a clear winner, when decided, then it is matched", () => {
    expect(decideResolution([candidate("a", 0.95), candidate("b", 0.9)])._tag).toBe("Matched");
  });

  it("given two close candidates above the bar, when decided, then it is ambiguous", () => {
    const resolution = decideResolution([candidate("a", 0.95), candidate("b", 0.93), candidate("c", 0.2)]);
    expect(resolution._tag).toBe("Ambiguous");
    expect(resolution._tag === "Ambiguous" && resolution.candidates.map((c) => c.film.movie_id)).toEqual([
      "a",
      "b",
    ]);
  });

  it("given a best candidate below the bar, when decided, then it is ambiguous with that candidate", () => {
    expect(decideResolution([candidate("a", 0.7)])._tag).toBe("Ambiguous");
  });

  it("given only weak candidates or none, when decided, then it is not found", () => {
    expect(decideResolution([candidate("a", 0.45)])._tag).toBe("NotFound");
    expect(decideResolution([])._tag).toBe("NotFound");
  });

  it("given a stricter policy, when decided, then a match may become ambiguous", () => {
    const candidates = [candidate("a", 0.9)];
    expect(decideResolution(candidates)._tag).toBe("Matched");
    expect(decideResolution(candidates, { accept: 0.95, margin: 0.04, floor: 0.5 })._tag).toBe("Ambiguous");
  });
});

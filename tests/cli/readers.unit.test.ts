import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readImdbCsv } from "@cinematch/cli/catalog-import";
import { mergeCatalogs, mergeEntries } from "@cinematch/cli/catalog-import";
import { readMovieLensLinks, readMovieLensMovies } from "@cinematch/cli/catalog-import";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name), "utf8");

describe("an IMDB-1000 file without problems", () => {
  const read = readImdbCsv(fixture("imdb-good.csv"), "imdb-good.csv");

  it("given five rows, one spanning two lines, when read, then there are five films at their starting lines", () => {
    expect(read.problems).toEqual([]);
    expect(read.films.map((f) => [f.line, f.rank])).toEqual([
      [2, 1],
      [3, 2],
      [5, 3],
      [6, 4],
      [7, 5],
    ]);
  });

  it("given a row with quoted lists, when read, then genres, directors, actors and runtime are on the film", () => {
    expect(read.films[0]?.entry.film).toEqual({
      movie_id: expect.stringMatching(/^imdb-\d+$/),
      title: "Guardians of the Galaxy",
      year: 2014,
      genres: ["Action", "Adventure", "Sci-Fi"],
      directors: ["James Gunn"],
      actors: ["Chris Pratt", "Vin Diesel", "Bradley Cooper", "Zoe Saldana"],
      runtime_minutes: 121,
    });
  });

  it("given the same file read twice, when ids are compared, then they are equal (ids come from title and year)", () => {
    const again = readImdbCsv(fixture("imdb-good.csv"), "again.csv");
    expect(again.films.map((f) => f.entry.film.movie_id)).toEqual(
      read.films.map((f) => f.entry.film.movie_id),
    );
  });
});

describe("an IMDB-1000 file with bad lines", () => {
  const read = readImdbCsv(fixture("imdb-bad.csv"), "imdb-bad.csv");

  it("given eight bad lines among good ones, when read, then each bad line is reported once with its problem", () => {
    expect(read.problems.map((p) => [p.line, p.message])).toEqual([
      [4, '"Year": a year, got "twenty-twelve"'],
      [5, '"Title": a non-empty text'],
      [6, "7 fields where the header has 12"],
      [7, '"Runtime (Minutes)": a whole number of minutes, got "two hours"'],
      [8, '"Rank": 3 is already on line 5'],
      [9, "text after the closing quote of field 4"],
      [11, '"Year": Expected a number between 1870 and 2100, actual 1066'],
      [12, expect.stringMatching(/^a quoted field opens here and is not closed properly/)],
    ]);
    expect(read.problems.every((p) => p.file === "imdb-bad.csv")).toBe(true);
  });

  it("given the good lines between and after the bad ones, when read, then they are films", () => {
    expect(read.films.map((f) => [f.line, f.entry.film.title])).toEqual([
      [2, "Guardians of the Galaxy"],
      [10, "Mindhorn"],
      [13, "Fantastic Beasts and Where to Find Them"],
    ]);
  });
});

describe("a MovieLens folder", () => {
  it("given movies.csv with CRLF lines and MovieLens titles, when read, then titles read naturally with their aliases", () => {
    const read = readMovieLensMovies(fixture("movielens-good/movies.csv"), "movies.csv");
    expect(read.problems).toEqual([]);
    expect(read.films).toHaveLength(8);
    const city = read.films.find((f) => f.movielens_id === 7);
    expect(city?.entry).toEqual({
      film: {
        movie_id: "ml-7",
        title: "The City of Lost Children",
        year: 1995,
        genres: ["Adventure", "Drama", "Fantasy", "Mystery", "Sci-Fi"],
      },
      aliases: ["La Cité des enfants perdus", "The City of Lost Children (La Cité des enfants perdus)"],
    });
    expect(read.films.find((f) => f.movielens_id === 8)?.entry.film.genres).toBeUndefined();
  });

  it("given bad movies.csv and links.csv lines, when read, then each is reported with its line", () => {
    const movies = readMovieLensMovies(fixture("movielens-bad/movies.csv"), "movies.csv");
    expect(movies.problems.map((p) => [p.line, p.message])).toEqual([
      [3, '"movieId": a positive whole number, got "two"'],
      [4, '"movieId": 1 is already on line 2'],
      [5, '"title": a non-empty text'],
    ]);
    const links = readMovieLensLinks(
      fixture("movielens-bad/links.csv"),
      "links.csv",
      new Set(movies.films.map((f) => f.movielens_id)),
    );
    expect(links.problems.map((p) => [p.line, p.message])).toEqual([
      [4, '"movieId": 99 is not in movies.csv'],
      [5, '"movieId": 5 is already on line 3; "imdbId": digits, got "x113041"'],
    ]);
    expect(links.links.get(1)).toEqual({ line: 2, imdb_id: "tt0114709", tmdb_id: "862" });
  });
});

describe("merging the two catalogs", () => {
  const movielens = readMovieLensMovies(fixture("movielens-good/movies.csv"), "movies.csv").films;
  const links = readMovieLensLinks(
    fixture("movielens-good/links.csv"),
    "links.csv",
    new Set(movielens.map((f) => f.movielens_id)),
  ).links;
  const imdb = readImdbCsv(fixture("imdb-good.csv"), "imdb-good.csv").films;
  const { films, report } = mergeCatalogs(movielens, links, imdb);
  const byId = (id: string) => films.find((f) => f.entry.film.movie_id === id);

  it("given films in both sources, when merged, then each is one entry and the counts add up", () => {
    expect(report).toMatchObject({
      movielens_films: 8,
      imdb_films: 5,
      merged_exact: 2,
      imdb_only: 1,
      movielens_only: 4,
      total: 9,
    });
    expect(report.merged_fuzzy.map((m) => m.title)).toEqual(["The Intouchables", "Furious Seven"]);
    expect(new Set(films.map((f) => f.entry.film.movie_id)).size).toBe(films.length);
  });

  it("given a film in both, when merged, then it keeps the MovieLens id and title and takes IMDB's people and runtime", () => {
    const intouchables = byId("ml-2");
    expect(intouchables?.entry.film).toEqual({
      movie_id: "ml-2",
      title: "Intouchables",
      year: 2011,
      genres: ["Comedy", "Drama", "Biography"],
      directors: ["Olivier Nakache"],
      actors: ["François Cluzet", "Omar Sy", "Anne Le Ny", "Audrey Fleurot"],
      runtime_minutes: 112,
    });
    expect(intouchables?.entry.aliases).toEqual(["The Intouchables"]);
    expect(intouchables?.movielens?.link?.imdb_id).toBe("tt1675434");
    expect(intouchables?.imdb).toMatchObject({ line: 3, rank: 2 });
  });

  it("given two MovieLens films of one title in different years, when merged, then IMDB's goes to the right year", () => {
    expect(byId("ml-4")?.entry.film).toMatchObject({
      title: "Les Misérables",
      year: 2012,
      directors: ["Tom Hooper"],
    });
    expect(byId("ml-3")?.entry.film.directors).toBeUndefined();
  });

  it("given a film only IMDB has, when merged, then it stays with its own id", () => {
    const sing = films.find((f) => f.entry.film.title === "Sing Street");
    expect(sing?.entry.film.movie_id).toMatch(/^imdb-\d+$/);
    expect(sing?.movielens).toBeUndefined();
  });

  it("given two IMDB rows that match one MovieLens film, when merged, then the second stays apart as a conflict", () => {
    const twice = [...imdb.slice(0, 1), { ...imdb[0]!, line: 99, rank: 99 }];
    const result = mergeCatalogs(movielens, links, twice);
    expect(result.report.conflicts).toEqual([
      { imdb_line: 99, title: "Guardians of the Galaxy", taken_by_line: 2 },
    ]);
    expect(result.report.total).toBe(9);
  });

  it("given genre lists that overlap in another case, when united, then each genre appears once, MovieLens' first", () => {
    const merged = mergeEntries(
      { film: { movie_id: "ml-1", title: "X", genres: ["Sci-Fi", "Drama"] } },
      { film: { movie_id: "imdb-1", title: "X", genres: ["drama", "Sci-Fi", "Music"] } },
    );
    expect(merged.film.genres).toEqual(["Sci-Fi", "Drama", "Music"]);
    expect(merged.aliases).toBeUndefined();
  });
});

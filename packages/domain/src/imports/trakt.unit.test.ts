import { Either } from "effect";
import { describe, expect, it } from "vitest";
import { parseTraktExport } from "./trakt.ts";

const parse = (files: ReadonlyArray<{ name: string; text: string }>) => {
  const result = parseTraktExport(files);
  if (Either.isLeft(result)) throw new Error(result.left.message);
  return result.right;
};

const heat = {
  title: "Heat",
  year: 1995,
  ids: { trakt: 8, slug: "heat-1995", imdb: "tt0113277", tmdb: 949 },
};
const amelie = {
  title: "Amélie",
  year: 2001,
  ids: { trakt: 190, slug: "amelie-2001", imdb: "tt211915", tmdb: 194 },
};
const watched = JSON.stringify([
  {
    plays: 3,
    last_watched_at: "2023-05-01T20:11:00.000Z",
    last_updated_at: "2023-05-01T20:11:00.000Z",
    movie: heat,
  },
  {
    plays: 1,
    last_watched_at: "2019-11-11T09:00:00.000Z",
    last_updated_at: "2019-11-11T09:00:00.000Z",
    movie: amelie,
  },
  { plays: 2, last_watched_at: "2020-01-01T00:00:00.000Z", show: { title: "Dark", ids: { trakt: 1 } } },
]);
const ratings = JSON.stringify([
  { rated_at: "2023-05-02T08:00:00.000Z", rating: 9, type: "movie", movie: heat },
  {
    rated_at: "2018-01-01T08:00:00.000Z",
    rating: 7,
    type: "movie",
    movie: { title: "Solaris", year: 1972, ids: { trakt: 5, imdb: null, tmdb: 593 } },
  },
]);

describe("a Trakt export", () => {
  describe("watched and ratings files", () => {
    const parsed = parse([
      { name: "watched-movies.json", text: watched },
      { name: "ratings-movies.json", text: ratings },
    ]);
    const film = (title: string) => parsed.films.find((f) => f.title === title);

    it("given films in both files, when parsed, then each film is one film, shows are passed over", () => {
      expect(parsed.films.map((f) => f.title).sort()).toEqual(["Amélie", "Heat", "Solaris"]);
    });

    it("given plays and a rating, when parsed, then the film keeps its ids, its plays, its last watch and its 1–10 rating as is", () => {
      expect(film("Heat")).toEqual({
        key: "trakt:8",
        title: "Heat",
        year: 1995,
        imdb_id: "tt0113277",
        tmdb_id: "949",
        rating: 9,
        watched_at: Date.parse("2023-05-01T20:11:00.000Z"),
        watch_count: 3,
      });
    });

    it("given an IMDB id written with six digits, when parsed, then it is the catalog's seven-digit form", () => {
      expect(film("Amélie")?.imdb_id).toBe("tt0211915");
    });

    it("given a film only rated, when parsed, then it was seen once, by the day it was rated", () => {
      expect(film("Solaris")).toMatchObject({
        tmdb_id: "593",
        watch_count: 1,
        watched_at: Date.parse("2018-01-01T08:00:00.000Z"),
      });
      expect(film("Solaris")?.imdb_id).toBeUndefined();
    });
  });

  describe("a history file beside the watched file", () => {
    it("given the same plays in both, when parsed, then they are not counted twice", () => {
      const history = JSON.stringify([
        { id: 1, watched_at: "2020-01-01T10:00:00.000Z", action: "watch", type: "movie", movie: heat },
        { id: 2, watched_at: "2023-05-01T20:11:00.000Z", action: "watch", type: "movie", movie: heat },
      ]);
      const parsed = parse([
        { name: "watched-movies.json", text: watched },
        { name: "watched-history.json", text: history },
      ]);
      expect(parsed.films.find((f) => f.title === "Heat")?.watch_count).toBe(3);
      const alone = parse([{ name: "watched-history.json", text: history }]);
      expect(alone.films[0]).toMatchObject({
        watch_count: 2,
        watched_at: Date.parse("2023-05-01T20:11:00.000Z"),
      });
    });
  });

  describe("broken files", () => {
    it("given a bad item among good ones, when parsed, then the good ones are read and the bad one is a problem", () => {
      const parsed = parse([
        {
          name: "ratings-movies.json",
          text: JSON.stringify([
            { rating: 11, movie: heat },
            { rating: 4, movie: amelie },
          ]),
        },
      ]);
      expect(parsed.films.map((f) => f.title)).toEqual(["Amélie"]);
      expect(parsed.problems[0]?.message).toMatch(/item 1/);
    });

    it.each([
      ["not JSON", "{"],
      ["not an array", '{"movies":[]}'],
      ["no films", '[{"show":{"title":"Dark"}}]'],
    ])("given a file that is %s, when parsed, then the export is refused, saying why", (_, text) => {
      expect(Either.isLeft(parseTraktExport([{ name: "x.json", text }]))).toBe(true);
    });
  });
});

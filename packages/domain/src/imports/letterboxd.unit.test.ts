import { Either } from "effect";
import { describe, expect, it } from "vitest";
import { letterboxdStars, parseLetterboxdExport } from "./letterboxd.ts";

const day = (text: string) => Date.parse(`${text}T00:00:00Z`);
const parse = (files: ReadonlyArray<{ name: string; text: string }>) => {
  const result = parseLetterboxdExport(files);
  if (Either.isLeft(result)) throw new Error(result.left.message);
  return result.right;
};

const watched = [
  "Date,Name,Year,Letterboxd URI",
  "2021-03-01,Amélie,2001,https://boxd.it/2b0k",
  '2021-03-02,"Crouching Tiger, Hidden Dragon",2000,https://boxd.it/1Y8i',
  "2021-03-03,Heat,1995,https://boxd.it/2a6a",
].join("\n");
const ratings = [
  "Date,Name,Year,Letterboxd URI,Rating",
  "2022-01-05,Amélie,2001,https://boxd.it/2b0k,4.5",
  '2021-03-02,"Crouching Tiger, Hidden Dragon",2000,https://boxd.it/1Y8i,0.5',
].join("\n");
const diary = [
  "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date",
  "2021-03-01,Amélie,2001,https://letterboxd.com/u/film/amelie/,4,,,2021-02-27",
  '2022-01-05,Amélie,2001,https://letterboxd.com/u/film/amelie/1/,4.5,Yes,"paris, rewatch",2022-01-04',
  "2021-03-03,Heat,1995,https://letterboxd.com/u/film/heat/,,,,",
].join("\n");

describe("a Letterboxd export", () => {
  describe("a ZIP with watched, ratings and diary files", () => {
    const parsed = parse([
      { name: "watched.csv", text: watched },
      { name: "ratings.csv", text: ratings },
      { name: "diary.csv", text: diary },
      { name: "watchlist.csv", text: "Date,Name,Year,Letterboxd URI\n2021-01-01,Dune,2021,x\n" },
      { name: "deleted/diary.csv", text: diary },
      { name: "profile.csv", text: "Date Joined,Username\n2020-01-01,u\n" },
    ]);
    const film = (title: string) => parsed.films.find((f) => f.title === title);

    it("given the three history files, when parsed, then each film is one film, and films to watch or deleted are not history", () => {
      expect(parsed.films.map((f) => f.title).sort()).toEqual([
        "Amélie",
        "Crouching Tiger, Hidden Dragon",
        "Heat",
      ]);
      expect(parsed.files).toEqual(["watched.csv", "ratings.csv", "diary.csv"]);
    });

    it("given a film watched twice in the diary, when parsed, then it keeps the latest watched date and a count of two", () => {
      expect(film("Amélie")).toMatchObject({ year: 2001, watched_at: day("2022-01-04"), watch_count: 2 });
    });

    it("given half stars, when parsed, then they are doubled onto the 0.5–10 scale", () => {
      expect(film("Amélie")?.rating).toBe(9);
      expect(film("Crouching Tiger, Hidden Dragon")?.rating).toBe(1);
    });

    it("given a diary line without a watched date, when parsed, then the day it was logged is the watch date", () => {
      expect(film("Heat")).toMatchObject({ watched_at: day("2021-03-03"), watch_count: 1 });
      expect(film("Heat")?.rating).toBeUndefined();
    });

    it("given a film only marked watched, when parsed, then the day it was marked is the watch date", () => {
      expect(film("Crouching Tiger, Hidden Dragon")).toMatchObject({
        watched_at: day("2021-03-02"),
        watch_count: 1,
      });
    });
  });

  describe("a ratings file whose rating changed after the diary", () => {
    it("given a diary rating and a later ratings-file rating, when parsed, then the ratings file wins", () => {
      const parsed = parse([
        {
          name: "diary.csv",
          text: "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date\n2023-05-01,Heat,1995,u,5,,,2023-04-30\n",
        },
        { name: "ratings.csv", text: "Date,Name,Year,Letterboxd URI,Rating\n2020-01-01,Heat,1995,u,3\n" },
      ]);
      expect(parsed.films[0]?.rating).toBe(6);
    });
  });

  describe("one CSV uploaded alone", () => {
    it("given a diary file without its name, when parsed, then its header says what it is", () => {
      const parsed = parse([{ name: "", text: diary }]);
      expect(parsed.films.find((f) => f.title === "Amélie")?.watch_count).toBe(2);
    });

    it("given a CSV that is no Letterboxd file, when parsed, then it is refused, naming the header", () => {
      const result = parseLetterboxdExport([{ name: "x.csv", text: "a,b\n1,2\n" }]);
      expect(Either.isLeft(result) && result.left.message).toMatch(/not a Letterboxd .*header: a,b/);
    });
  });

  describe("odd rows", () => {
    const parsed = parse([
      {
        name: "diary.csv",
        text: [
          "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date",
          "2021-02-30,Leap,2001,u,3.5,,,2021-02-31",
          "2021-03-01,Odd,19x5,u,7,,,2021-03-01",
          "2021-03-01,,2000,u,3,,,2021-03-01",
          "2021-03-01,Short,2000,u",
        ].join("\r\n"),
      },
    ]);

    it("given days that do not exist, a year that is none and a rating out of range, when parsed, then the film stays and each problem names its line", () => {
      expect(parsed.films.map((f) => f.title)).toEqual(["Leap", "Odd"]);
      expect(parsed.films[0]).toMatchObject({ rating: 7 });
      expect(parsed.films[0]?.watched_at).toBeUndefined();
      expect(parsed.films[1]).toMatchObject({ watched_at: day("2021-03-01") });
      expect(parsed.films[1]?.year).toBeUndefined();
      expect(parsed.films[1]?.rating).toBeUndefined();
      expect(parsed.problems.map((p) => p.line)).toEqual([2, 3, 4, 5]);
      expect(parsed.problems[0]?.message).toMatch(/2021-02-30.*not a day.*2021-02-31/);
      expect(parsed.problems[1]?.message).toMatch(/19x5.*rating "7"/);
    });
  });

  describe("stars", () => {
    it.each([
      ["0.5", 1],
      ["3", 6],
      ["4.5", 9],
      ["5", 10],
      ["5.0", 10],
    ])("given %s stars, when read, then it is %d on our scale", (stars, rating) => {
      expect(letterboxdStars(stars)).toBe(rating);
    });

    it.each(["0", "5.5", "3.2", "-1", "10", "½"])("given %s, when read, then it is no rating", (stars) => {
      expect(letterboxdStars(stars)).toBeUndefined();
    });
  });
});

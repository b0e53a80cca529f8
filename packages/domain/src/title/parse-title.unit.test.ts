import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { moveArticleToFront, parseMovieLensTitle, parseTitle } from "./parse-title.ts";

describe("a MovieLens title with a year", () => {
  it('given "Toy Story (1995)", when parsed, then the title and year come apart', () => {
    expect(parseMovieLensTitle("Toy Story (1995)")).toEqual({
      title: "Toy Story",
      year: 1995,
      aliases: [],
      full_title: "Toy Story",
    });
  });

  it("given trailing and doubled spaces as in movies.csv, when parsed, then they are ignored", () => {
    expect(parseMovieLensTitle("Rocky VI (1986) ")).toMatchObject({ title: "Rocky VI", year: 1986 });
    expect(parseMovieLensTitle("Blind Side, The  (2009)")).toMatchObject({
      title: "The Blind Side",
      year: 2009,
    });
  });

  it("given a series with a year range, when parsed, then the first year is the year", () => {
    expect(parseMovieLensTitle("Fawlty Towers (1975-1979)")).toMatchObject({
      title: "Fawlty Towers",
      year: 1975,
    });
    expect(parseMovieLensTitle("Big Bang Theory, The (2007-)")).toMatchObject({
      title: "The Big Bang Theory",
      year: 2007,
    });
  });
});

describe("a MovieLens title with its article moved to the end", () => {
  it.each([
    ["Misérables, Les (1995)", "Les Misérables"],
    ["American President, The (1995)", "The American President"],
    ["Walk in the Clouds, A (1995)", "A Walk in the Clouds"],
    ["Awfully Big Adventure, An (1995)", "An Awfully Big Adventure"],
    ["Callejón de los milagros, El (1995)", "El Callejón de los milagros"],
    ["Superweib, Das (1996)", "Das Superweib"],
    ["Lord of the Rings: The Two Towers, The (2002)", "The Lord of the Rings: The Two Towers"],
    ["Good, the Bad and the Ugly, The (1966)", "The Good, the Bad and the Ugly"],
  ])("given %j, when parsed, then the title reads %j", (raw, title) => {
    expect(parseMovieLensTitle(raw).title).toBe(title);
  });

  it("given an elided article (L'), when moved to the front, then no space follows the apostrophe", () => {
    expect(moveArticleToFront("Uomo delle stelle, L'")).toBe("L'Uomo delle stelle");
  });

  it.each([["Monsters, Inc."], ["I, Robot"], ["Hail, Caesar!"], ["Paris, Texas"], ["Love, Rosie"]])(
    "given %j, whose last word is not an article, when parsed, then it is left as written",
    (title) => {
      expect(parseTitle(title).title).toBe(title);
    },
  );
});

describe("a MovieLens title with alternative titles", () => {
  it("given parentheses and a.k.a., when parsed, then every alias is listed, a.k.a. removed", () => {
    expect(parseMovieLensTitle("Léon: The Professional (a.k.a. The Professional) (Léon) (1994)")).toEqual({
      title: "Léon: The Professional",
      year: 1994,
      aliases: ["The Professional", "Léon"],
      full_title: "Léon: The Professional (Léon)",
    });
  });

  it("given an alias with its own trailing article, when parsed, then both articles move to the front", () => {
    expect(parseMovieLensTitle("City of Lost Children, The (Cité des enfants perdus, La) (1995)")).toEqual({
      title: "The City of Lost Children",
      year: 1995,
      aliases: ["La Cité des enfants perdus"],
      full_title: "The City of Lost Children (La Cité des enfants perdus)",
    });
  });

  it("given parentheses that are part of the name, when parsed, then the full title keeps them", () => {
    expect(parseMovieLensTitle("Human Centipede, The (First Sequence) (2009)")).toMatchObject({
      title: "The Human Centipede",
      aliases: ["First Sequence"],
      full_title: "The Human Centipede (First Sequence)",
    });
  });

  it("given a title that starts with parentheses, when parsed, then they stay in the title", () => {
    expect(parseTitle("(500) Days of Summer (2009)")).toMatchObject({
      title: "(500) Days of Summer",
      aliases: [],
    });
  });
});

describe("a title without year or parentheses", () => {
  it.each([["Hyena Road"], ["2046"], ["(1995)"], [""]])(
    "given %j, when parsed, then it comes back as is",
    (raw) => {
      expect(parseTitle(raw)).toEqual({ title: raw, aliases: [], full_title: raw });
    },
  );

  it("given a year outside the catalog's range, when parsed, then it is not taken as the year", () => {
    expect(parseTitle("Space Odyssey (3001)")).toEqual({
      title: "Space Odyssey",
      aliases: ["3001"],
      full_title: "Space Odyssey (3001)",
    });
  });
});

describe("parseTitle laws", () => {
  it("given a title and a year, when written MovieLens-style and parsed, then both come back", () => {
    const word = fc.string({
      unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzé0123456789'-!"),
      minLength: 1,
    });
    const plainTitle = fc
      .array(word, { minLength: 1, maxLength: 5 })
      .map((ws) => ws.join(" "))
      .filter((t) => !/,/.test(t));
    fc.assert(
      fc.property(plainTitle, fc.integer({ min: 1870, max: 2100 }), (title, year) => {
        expect(parseTitle(`${title} (${year})`)).toMatchObject({ title, year });
      }),
    );
  });
});

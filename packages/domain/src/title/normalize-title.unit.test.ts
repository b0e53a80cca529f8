import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeTitle } from "./normalize-title.ts";

/** Any text: arbitrary code points (combining marks, symbols, every script), and printable graphemes. */
const anyText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.string({
    unit: fc.constantFrom(..."Léon Città d'Ombra ß Æ œ Ø ł Đ þ ΟΔΟΣ ガ 기 न्दी -.,:!()"),
    maxLength: 30,
  }),
);

describe("normalizeTitle, the earlier system's example", () => {
  it('given "Città d\'Ombra", when normalized, then it is "citta d ombra"', () => {
    expect(normalizeTitle("Città d'Ombra")).toBe("citta d ombra");
  });
});

describe("normalizeTitle on Latin titles", () => {
  it.each([
    ["Léon", "leon"],
    ["Les Misérables", "les miserables"],
    ["Misérables, Les", "miserables les"],
    ["Mr. Smith Goes to Washington", "mr smith goes to washington"],
    ["Amélie", "amelie"],
    ["El laberinto del fauno — ¡Señor!", "el laberinto del fauno senor"],
    ["Die Straße", "die strasse"],
    ["DIE STRASSE / STRAẞE", "die strasse strasse"],
    ["Æon Flux", "aeon flux"],
    ["Œdipus; l'œuvre", "oedipus l oeuvre"],
    ["Ørnen: Smørrebrød", "ornen smorrebrod"],
    ["Łódź", "lodz"],
    ["Đorđe", "dorde"],
    ["Þór", "thor"],
    ["  Tabs\tand\nnew lines  ", "tabs and new lines"],
    ["Se7en", "se7en"],
    ["WALL·E", "wall e"],
    ["M*A*S*H", "m a s h"],
    ["(500) Days of Summer", "500 days of summer"],
  ])("given %j, when normalized, then it is %j", (title, expected) => {
    expect(normalizeTitle(title)).toBe(expected);
  });
});

describe("normalizeTitle on other scripts", () => {
  it.each([
    ["千と千尋の神隠し", "千と千尋の神隠し"],
    ["Sen to Chihiro no kamikakushi (千と千尋の神隠し)", "sen to chihiro no kamikakushi 千と千尋の神隠し"],
    ["기생충", "기생충"],
    ["ガンダム", "ガンダム"],
    ["Брат 2", "брат 2"],
    ["Ёлки", "елки"],
    ["ΟΔΟΣ", "οδοσ"],
    ["Ἀθῆναι", "αθηναι"],
    ["नमस्ते दुनिया", "नमस्ते दुनिया"],
    ["Ｔｏｋｙｏ　Ｓｔｏｒｙ", "tokyo story"],
  ])("given %j, when normalized, then letters of its script are kept: %j", (title, expected) => {
    expect(normalizeTitle(title)).toBe(expected);
  });
});

describe("normalizeTitle on text without letters or digits", () => {
  it.each([[""], ["   "], ["--- ... !!!"], ["\u0301\u0308"]])(
    "given %j, when normalized, then it is empty",
    (text) => {
      expect(normalizeTitle(text)).toBe("");
    },
  );
});

describe("normalizeTitle laws", () => {
  it("given any text, when normalized twice, then the second pass changes nothing (idempotent)", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const once = normalizeTitle(text);
        expect(normalizeTitle(once)).toBe(once);
      }),
      { numRuns: 5000 },
    );
  });

  it("given any text, when normalized, then there is no leading, trailing or double space", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const out = normalizeTitle(text);
        expect(out).toBe(out.trim());
        expect(out).not.toMatch(/\s\s/u);
        expect(out).not.toMatch(/[^\S ]/u);
      }),
      { numRuns: 5000 },
    );
  });

  it("given any text, when normalized, then it is lowercase", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const out = normalizeTitle(text);
        expect(out).toBe(out.toLowerCase());
      }),
      { numRuns: 5000 },
    );
  });

  it("given any text, when normalized, then only letters, digits, their marks and single spaces remain", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(normalizeTitle(text)).toMatch(/^(?:[\p{L}\p{N}][\p{L}\p{N}\p{M}]*(?: (?=[\p{L}\p{N}]))?)*$/u);
      }),
      { numRuns: 5000 },
    );
  });

  it("given two texts that differ only in punctuation and case, when normalized, then they are equal", () => {
    const words = fc.array(
      fc.string({ unit: fc.constantFrom(..."abcdeéñ0123"), minLength: 1, maxLength: 6 }),
      {
        minLength: 1,
        maxLength: 5,
      },
    );
    const separator = fc.constantFrom(" ", "  ", ", ", ": ", " - ", "'", ".", "!? ");
    fc.assert(
      fc.property(words, separator, separator, (ws, a, b) => {
        expect(normalizeTitle(ws.join(a).toUpperCase())).toBe(normalizeTitle(ws.join(b)));
      }),
    );
  });
});

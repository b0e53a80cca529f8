/**
 * The comparison form of a title, with the earlier system's rules: accents stripped (è→e, ñ→n),
 * ß→ss, æ→ae, œ→oe, ø→o, ł→l, đ→d, þ→th (and their capitals), lowercase, letters and digits of every
 * script kept, every run of anything else (punctuation, symbols, spaces) turned into one space, trimmed.
 *
 * `normalizeTitle("Città d'Ombra") === "citta d ombra"`.
 *
 * Decisions beyond the earlier rules, each chosen so the function stays idempotent:
 * - Compatibility forms fold too (NFKD): full-width `Ｔｏｋｙｏ` → `tokyo`, `ﬁ` → `fi`, `²` → `2`.
 * - Diacritics are stripped from Latin, Greek and Cyrillic letters only. In other scripts a combining
 *   mark is part of the letter (Devanagari vowel signs, the kana voicing marks of `ガ`), so it stays,
 *   and the result is recomposed (NFC) so Hangul and kana read as they were written.
 * - A few more letters without a decomposition fold the same way: ð→d, ı→i, ħ→h, ŧ→t, and the Greek
 *   final sigma ς→σ (lowercasing writes ς at the end of a word, so `ΟΔΟΣ` and `οδοσ` must meet).
 * - A combining mark with no letter or digit before it is dropped like punctuation.
 */
export const normalizeTitle = (text: string): string =>
  text
    .normalize("NFKD")
    .toLowerCase()
    .normalize("NFKD")
    .replace(accentedLetter, "$1")
    .replace(foldableLetter, (letter) => letterFolds[letter] ?? letter)
    .replace(orphanMarks, "")
    .replace(separatorRun, " ")
    .normalize("NFC")
    .trim();

const accentedLetter = /([\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}])\p{M}+/gu;
const orphanMarks = /(?<![\p{L}\p{N}\p{M}])\p{M}+/gu;
const separatorRun = /[^\p{L}\p{N}\p{M}]+/gu;

const letterFolds: Readonly<Record<string, string>> = {
  ß: "ss",
  æ: "ae",
  œ: "oe",
  ø: "o",
  ł: "l",
  đ: "d",
  þ: "th",
  ð: "d",
  ı: "i",
  ħ: "h",
  ŧ: "t",
  ς: "σ",
};
const foldableLetter = /[ßæœøłđþðıħŧς]/gu;

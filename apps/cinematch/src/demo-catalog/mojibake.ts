/**
 * Repairs titles whose Windows-1252 bytes were once read as Mac OS Roman, as in vega-datasets'
 * `movies.json` (`LÈon` for `Léon`, `F‰lscher` for `Fälscher`, `2Ω` for `2½`, `Ö` for `…`).
 *
 * The repair is a guess, so it is taken only when it makes the text more plausible: every character
 * must exist in Mac OS Roman (`Alien³` cannot be such a misreading and stays), and the repaired text
 * must have fewer implausible characters than the original (`Ri¢hie Ri¢h` reads the same either way
 * and stays).
 */
export const repairMacRomanMojibake = (text: string): string => {
  const bytes: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x80) bytes.push(code);
    else {
      const byte = macRomanByte.get(char);
      if (byte === undefined) return text;
      bytes.push(byte);
    }
  }
  const repaired = windows1252.decode(Uint8Array.from(bytes));
  return implausibility(repaired) < implausibility(text) ? repaired : text;
};

const macRoman = new TextDecoder("macintosh");
const windows1252 = new TextDecoder("windows-1252");

const macRomanByte: ReadonlyMap<string, number> = new Map(
  Array.from({ length: 128 }, (_, i) => [macRoman.decode(Uint8Array.of(0x80 + i)), 0x80 + i] as const),
);

/** Non-letters a real title may well contain, next to letters or digits. */
const plausibleSymbols = new Set([..."¹²³¼½¾¢£€¥©®™°…–—‘’“”«»¡¿"]);

const isLetter = (c: string | undefined) => c !== undefined && /\p{L}/u.test(c);
const isLower = (c: string | undefined) => c !== undefined && /\p{Ll}/u.test(c);
const isUpper = (c: string | undefined) => c !== undefined && /\p{Lu}/u.test(c);
const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);

/**
 * How many non-ASCII characters look misplaced: a letter of another script in a Latin title (`2Ω`),
 * a capital right after a small letter (`arrÍtÈ`) or between a capital and a small one (`LÈon`), an odd symbol touching a word (`F‰lscher`, `pi˘`),
 * or a capital standing alone as a word (`You Ö Don't`).
 */
const implausibility = (text: string): number => {
  const chars = [...text];
  let count = 0;
  chars.forEach((c, i) => {
    if (c.charCodeAt(0) < 0x80) return;
    const before = chars[i - 1];
    const after = chars[i + 1];
    if (isLetter(c)) {
      if (!/\p{Script=Latin}/u.test(c)) count += 1;
      else if (isUpper(c) && isLower(before)) count += 1;
      else if (isUpper(c) && isUpper(before) && isLower(after)) count += 1;
      else if (isUpper(c) && !isWordChar(before) && !isWordChar(after)) count += 1;
    } else if (!plausibleSymbols.has(c) && (isWordChar(before) || isWordChar(after))) count += 1;
  });
  return count;
};

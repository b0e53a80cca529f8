import type { CsvProblem } from "@cinematch/domain";

/** Decodes file bytes as UTF-8; each line holding bytes that are not UTF-8 is a problem (the line is still read). */
export const decodeUtf8 = (
  bytes: Uint8Array,
): { readonly text: string; readonly problems: ReadonlyArray<CsvProblem> } => {
  const text = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false }).decode(bytes);
  const problems: CsvProblem[] = [];
  if (text.includes("\uFFFD")) {
    // Only a decoding failure makes U+FFFD unless the file itself holds one; tell them apart.
    text.split(/\r\n|\n|\r/u).forEach((lineText, i) => {
      if (lineText.includes("\uFFFD"))
        problems.push({ line: i + 1, message: "bytes that are not UTF-8 text" });
    });
    const strict = new TextDecoder("utf-8", { fatal: true });
    try {
      strict.decode(bytes);
      return { text, problems: [] };
    } catch {
      return { text, problems };
    }
  }
  return { text, problems };
};

import { normalizeTitle } from "@cinematch/domain";

/**
 * A movie id that depends on what identifies the film, not on where it sits in a file: FNV-1a
 * (32 bits, decimal) of the normalized title and the year, after a source prefix. Importing the
 * same file again, reordered or extended, gives every film the id it had.
 */
export const stableMovieId = (prefix: string, title: string, year: number | undefined): string => {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(`${normalizeTitle(title)}|${year ?? ""}`)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `${prefix}${hash}`;
};

import { Data } from "effect";
import type { Film } from "../schemas/film.ts";

export interface MatchQuery {
  /** Free text: a title as typed, possibly partial, possibly with `(1995)` or `, The` in it. */
  readonly text: string;
  /** The year, when known; wins over a year written in `text`. */
  readonly year?: number;
}

export interface MatchOptions {
  /** How many candidates at most (default 10, at most 100). */
  readonly limit?: number;
}

export interface MatchCandidate {
  readonly film: Film;
  /** 0..1; 1 is the exact (normalized) title with the right year. */
  readonly score: number;
  /** Which title of the film matched and how, in words, e.g. `alternative title "Léon"; year off by 1`. */
  readonly reason: string;
}

/** The outcome of looking one film up: the API answers 200, 409 with the candidates, or 404. */
export type CatalogResolution = Data.TaggedEnum<{
  Matched: { readonly film: Film; readonly score: number; readonly reason: string };
  Ambiguous: { readonly candidates: ReadonlyArray<MatchCandidate> };
  NotFound: {};
}>;
export const CatalogResolution = Data.taggedEnum<CatalogResolution>();

export interface ResolvePolicy {
  /** The top candidate must score at least this to be taken without asking (default 0.85). */
  readonly accept: number;
  /** ...and lead the next film by at least this much (default 0.04). */
  readonly margin: number;
  /** Candidates below this are not worth showing; none above it means NotFound (default 0.5). */
  readonly floor: number;
  /**
   * A candidate with no other over the floor is taken from this score, when its title is similar
   * as a whole (a typo: `Pulp Fictoin`), not just holding the query's words (default 0.8; a policy
   * without it takes a lone candidate only from `accept`).
   */
  readonly alone?: number;
}

export const defaultResolvePolicy: ResolvePolicy = { accept: 0.85, margin: 0.04, floor: 0.5, alone: 0.8 };

/**
 * A candidate whose whole title (not a part before or after a colon, not words inside it) is
 * similar to the query: the only kind a lone candidate is taken on (`The Purge` must not take
 * `The Purge: Anarchy`).
 */
const wholeTitleTypo = /^similar to (?:title|full title|alternative title) /u;

/**
 * Decides from ranked candidates (as `match` returns them) whether the lookup found one film.
 * Exposed on its own so a caller that already holds the candidates does not search twice.
 */
export const decideResolution = (
  candidates: ReadonlyArray<MatchCandidate>,
  policy: ResolvePolicy = defaultResolvePolicy,
): CatalogResolution => {
  const worth = candidates.filter((c) => c.score >= policy.floor);
  const [top, second] = worth;
  if (top === undefined) return CatalogResolution.NotFound();
  const lone =
    second === undefined && top.score >= (policy.alone ?? policy.accept) && wholeTitleTypo.test(top.reason);
  if (
    lone ||
    (top.score >= policy.accept && (second === undefined || top.score - second.score >= policy.margin))
  ) {
    return CatalogResolution.Matched({ film: top.film, score: top.score, reason: top.reason });
  }
  // Every candidate it weighed: one lone candidate under the bar would read as "several films"
  // with one listed, so the next ones below the floor come along (at least two when there are two).
  return CatalogResolution.Ambiguous({
    candidates: worth.length >= 2 ? worth : candidates.slice(0, 2),
  });
};

import { type MatchCandidate, ErrorBody } from "@cinematch/domain";

/** Error answers of a route for its OpenAPI description. */
export const errors = (...list: ReadonlyArray<readonly [number, string]>) =>
  list.map(([status, description]) => ({ status, description, schema: ErrorBody }));

export const DAY = 86_400_000;

/** A matcher candidate as the API shows it (score rounded to 3 places). */
export const asMatch = (candidate: MatchCandidate) => ({
  film: candidate.film,
  score: Math.round(candidate.score * 1000) / 1000,
  reason: candidate.reason,
});

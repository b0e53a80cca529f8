import { Data } from "effect";

/**
 * A store could not answer: its server is down, slow past its bound, or returned something that
 * does not decode. Every store port (watchlist, accounts, catalog, read models, trend state) fails
 * with this one error, named after what the caller can do about it (retry later, answer 503)
 * rather than after the backend: the in-memory layers raise it too (as injected faults), and the
 * real layers translate their driver's errors into it at their edge (`tryMongo`).
 * The ports' domain answers (an email already taken, a film already on the list) are not errors of
 * this kind: each port names those itself.
 */
export class StoreUnavailable extends Data.TaggedError("StoreUnavailable")<{
  readonly operation: string;
  readonly message: string;
  readonly cause?: unknown;
}> {}

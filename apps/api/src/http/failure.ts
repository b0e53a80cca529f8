import type { CatalogMatch, FieldIssue } from "@cinematch/domain";
import { Data } from "effect";

/**
 * An answer other than success, decided by a handler: the status, a stable `code`, a sentence, and
 * for bad input the failing fields. Anything else a handler fails or dies with becomes a 503
 * (storage or broker unavailable) or a 500 with an error id; see `server.ts`.
 */
export class HttpFailure extends Data.TaggedError("HttpFailure")<{
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly issues?: ReadonlyArray<FieldIssue>;
  /** Encoded catalog matches (409 ambiguous title). */
  readonly candidates?: ReadonlyArray<typeof CatalogMatch.Encoded>;
  readonly headers?: Readonly<Record<string, string>>;
}> {}

export const badRequest = (message: string, issues?: ReadonlyArray<FieldIssue>) =>
  new HttpFailure({ status: 400, code: "bad_request", message, ...(issues ? { issues } : {}) });

/** Well-formed input that fails its schema: 422 with every failing field named. */
export const validationFailed = (issues: ReadonlyArray<FieldIssue>) =>
  new HttpFailure({
    status: 422,
    code: "validation_failed",
    message: issues.map((i) => `${i.path || "(body)"}: ${i.message}`).join("; "),
    issues,
  });

export const unauthorized = (message: string) =>
  new HttpFailure({
    status: 401,
    code: "unauthorized",
    message,
    headers: { "www-authenticate": 'Bearer realm="cinematch"' },
  });

export const notFound = (message: string) => new HttpFailure({ status: 404, code: "not_found", message });

export const tooManyRequests = (retryAfterMs: number) =>
  new HttpFailure({
    status: 429,
    code: "too_many_requests",
    message: "too many attempts; try again later",
    headers: { "retry-after": String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
  });

export const payloadTooLarge = (limit: number) =>
  new HttpFailure({
    status: 413,
    code: "payload_too_large",
    message: `the body is larger than ${limit} bytes`,
    headers: { connection: "close" },
  });

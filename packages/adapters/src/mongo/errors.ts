import { Data, Effect } from "effect";
import { StoreUnavailable } from "../store-errors.ts";

/**
 * A write hit a unique index (server error 11000; MongoDB and FerretDB 1.24 both report it, checked
 * by the int tier). Distinct from `StoreUnavailable` so a store can turn it into a domain answer
 * ("already present") with `Effect.catchTag("DuplicateKeyError", ...)` instead of treating it as a crash.
 */
export class DuplicateKeyError extends Data.TaggedError("DuplicateKeyError")<{
  readonly operation: string;
  readonly message: string;
  /** The clashing key as the server reported it, when it did (MongoDB does; FerretDB may not). */
  readonly keyValue?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}> {}

const DUPLICATE_KEY_CODES = new Set([11000, 11001]);

const codeOf = (value: unknown): unknown =>
  typeof value === "object" && value !== null ? (value as { code?: unknown }).code : undefined;

/**
 * Whether a driver error (or a `StoreUnavailable` wrapping one) is a unique-index violation: the error's
 * own code, or — for bulk writes (`insertMany`, `bulkWrite`) — any of its write errors' codes.
 */
export const isDuplicateKeyError = (error: unknown): boolean => {
  if (error instanceof StoreUnavailable || error instanceof DuplicateKeyError)
    return isDuplicateKeyError(error.cause);
  if (DUPLICATE_KEY_CODES.has(codeOf(error) as number)) return true;
  const writeErrors =
    typeof error === "object" && error !== null
      ? (error as { writeErrors?: unknown }).writeErrors
      : undefined;
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors === undefined ? [] : [writeErrors];
  return list.some((writeError) => DUPLICATE_KEY_CODES.has(codeOf(writeError) as number));
};

const messageOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause));

const keyValueOf = (cause: unknown): Readonly<Record<string, unknown>> | undefined => {
  const keyValue =
    typeof cause === "object" && cause !== null ? (cause as { keyValue?: unknown }).keyValue : undefined;
  return typeof keyValue === "object" && keyValue !== null
    ? (keyValue as Record<string, unknown>)
    : undefined;
};

/** Runs a driver call; any rejection becomes a `StoreUnavailable` naming the operation. */
export const tryMongo = <A>(operation: string, f: () => Promise<A>): Effect.Effect<A, StoreUnavailable> =>
  Effect.tryPromise({
    try: f,
    catch: (cause) => new StoreUnavailable({ operation, message: messageOf(cause), cause }),
  });

/**
 * Like `tryMongo`, but a unique-index violation is a `DuplicateKeyError`. For a bulk write that
 * partly succeeded, the driver's error (with its `result`) is the `cause`.
 */
export const tryMongoWrite = <A>(
  operation: string,
  f: () => Promise<A>,
): Effect.Effect<A, StoreUnavailable | DuplicateKeyError> =>
  Effect.tryPromise({
    try: f,
    catch: (cause): StoreUnavailable | DuplicateKeyError => {
      if (!isDuplicateKeyError(cause))
        return new StoreUnavailable({ operation, message: messageOf(cause), cause });
      const keyValue = keyValueOf(cause);
      return new DuplicateKeyError({
        operation,
        message: messageOf(cause),
        ...(keyValue === undefined ? {} : { keyValue }),
        cause,
      });
    },
  });

import { Effect, Either, ParseResult, Schema } from "effect";
import { StoreUnavailable } from "../store-errors.ts";

/**
 * A decoder for documents read back from MongoDB. A stored document that no longer fits its schema
 * is reported as a `StoreUnavailable` naming the operation and every failing field, not passed on.
 */
export const decodeStored = <A, I>(schema: Schema.Schema<A, I, never>, operation: string) => {
  const decode = Schema.decodeUnknownEither(schema, { onExcessProperty: "ignore", errors: "all" });
  return (doc: unknown): Effect.Effect<A, StoreUnavailable> =>
    Either.match(decode(doc), {
      onLeft: (error) =>
        Effect.fail(
          new StoreUnavailable({
            operation,
            message: `stored document does not fit its schema: ${ParseResult.TreeFormatter.formatErrorSync(error)}`,
            cause: error,
          }),
        ),
      onRight: Effect.succeed,
    });
};

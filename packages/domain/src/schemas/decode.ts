import { Either, ParseResult, Schema } from "effect";

export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** Input that does not fit a schema; lists every failing field, so a client or a dead-letter reader can fix all at once. */
export class DecodeError extends Schema.TaggedError<DecodeError>()("DecodeError", {
  subject: Schema.String,
  issues: Schema.Array(Schema.Struct({ path: Schema.String, message: Schema.String })),
}) {
  override get message(): string {
    return `invalid ${this.subject}: ${this.issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ")}`;
  }
}

const toFieldIssues = (error: ParseResult.ParseError): ReadonlyArray<FieldIssue> =>
  ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));

/** A decoder that reports all failing fields at once as a tagged `DecodeError`. */
export const decoderFor = <A, I>(schema: Schema.Schema<A, I, never>, subject: string) => {
  const decode = Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "ignore" });
  return (input: unknown): Either.Either<A, DecodeError> =>
    Either.mapLeft(decode(input), (error) => new DecodeError({ subject, issues: toFieldIssues(error) }));
};

/** Parses JSON text and decodes it; malformed JSON is a `DecodeError` at the root. */
export const jsonDecoderFor = <A, I>(schema: Schema.Schema<A, I, never>, subject: string) =>
  jsonDecoderFrom(decoderFor(schema, subject), subject);

/** Parses JSON text and hands it to `decode`; malformed JSON is a `DecodeError` at the root. */
export const jsonDecoderFrom = <A>(
  decode: (input: unknown) => Either.Either<A, DecodeError>,
  subject: string,
) => {
  return (text: string): Either.Either<A, DecodeError> => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      return Either.left(
        new DecodeError({ subject, issues: [{ path: "", message: `malformed JSON: ${String(cause)}` }] }),
      );
    }
    return decode(parsed);
  };
};

export const encoderFor = <A, I>(schema: Schema.Schema<A, I, never>) => Schema.encodeSync(schema);

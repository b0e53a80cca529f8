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
  readableIssues(
    ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => ({
      path: issue.path.map(String).join("."),
      message: issue.message,
    })),
  );

const EXPECTED = /^Expected (.+), actual (.+)$/su;

/** How a type the schema printed reads to a person: `{ readonly rating?: ... }` is "a JSON object". */
const typeInWords = (type: string): string => {
  if (type.startsWith("{")) return "a JSON object";
  if (type.startsWith("ReadonlyArray<") || type.startsWith("readonly [")) return "a JSON array";
  if (type === "number" || type === "string" || type === "boolean") return `a ${type}`;
  if (type === "null") return "null";
  return "a value of another kind";
};

/** What was sent, briefly: no echo of a whole document. */
const actualInWords = (actual: string): string => {
  if (actual.startsWith("[")) return "an array";
  if (actual.startsWith("{")) return "an object";
  return actual.length > 40 ? `${actual.slice(0, 37)}...` : actual;
};

/**
 * One issue per field, in words. The schema library reports a union field once per member
 * ("Expected \"7d\", actual \"1y\"" three times, or "Expected null" beside the rating's own rule)
 * and prints whole types for a body of the wrong shape; a client should read each field once.
 */
export const readableIssues = (issues: ReadonlyArray<FieldIssue>): ReadonlyArray<FieldIssue> => {
  const byPath = new Map<string, string[]>();
  for (const { path, message } of issues) byPath.set(path, [...(byPath.get(path) ?? []), message]);
  return [...byPath].map(([path, messages]): FieldIssue => {
    const expected = messages.map((m) => EXPECTED.exec(m));
    // A rule of the field's own (a range, a format) says more than "it is not null".
    const specific = messages.filter((_, i) => expected[i] === null);
    if (specific.length > 0) return { path, message: [...new Set(specific)].join("; ") };
    const types = [...new Set(expected.map((m) => m![1]!))];
    // One plain expectation ("Expected number, actual \"two\"") already reads well, and so does
    // one the schema wrote in words ("Expected a number between 1870 and 2100, actual 1066").
    const inWords = expected.findIndex((m) => /^an? /u.test(m![1]!));
    if (inWords >= 0) return { path, message: messages[inWords]! };
    if (types.length === 1 && !types[0]!.startsWith("{") && !types[0]!.includes("readonly"))
      return { path, message: messages[0]! };
    const actual = actualInWords(expected[0]![2]!);
    if (types.every((t) => t.startsWith('"'))) {
      const choices = types.length === 1 ? types[0]! : `${types.slice(0, -1).join(", ")} or ${types.at(-1)}`;
      return { path, message: `must be ${types.length === 1 ? "" : "one of "}${choices}, not ${actual}` };
    }
    const words = [...new Set(types.map(typeInWords))];
    const choices = words.length === 1 ? words[0]! : `${words.slice(0, -1).join(", ")} or ${words.at(-1)}`;
    return { path, message: `must be ${choices}, not ${actualInWords(actual)}` };
  });
};

/** A decoder that reports all failing fields at once as a tagged `DecodeError`. */
export const decoderFor = <A, I>(schema: Schema.Schema<A, I, never>, subject: string) => {
  const decode = Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "ignore" });
  return (input: unknown): Either.Either<A, DecodeError> =>
    Either.mapLeft(decode(input), (error) => new DecodeError({ subject, issues: toFieldIssues(error) }));
};

/** Deeper than any document we accept, far shallower than what overflows the stack. */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether JSON text opens more than `max` arrays or objects inside one another. A linear scan
 * before parsing: decoding and reporting on a value thousands of levels deep recurses once per
 * level and overflows the stack, whatever the schema.
 */
export const jsonNestedDeeperThan = (text: string, max: number): boolean => {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      depth++;
      if (depth > max) return true;
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return false;
};

const tooDeep = (subject: string) =>
  new DecodeError({
    subject,
    issues: [{ path: "", message: `nested too deeply: more than ${MAX_JSON_DEPTH} levels` }],
  });

/**
 * Parses JSON text and decodes it; malformed JSON is a `DecodeError` at the root, and so is JSON
 * nested deeper than `MAX_JSON_DEPTH` (its message starts "nested too deeply"), checked before
 * parsing: what clients send (request bodies) goes through here.
 */
export const jsonDecoderFor = <A, I>(schema: Schema.Schema<A, I, never>, subject: string) => {
  const decode = jsonDecoderFrom(decoderFor(schema, subject), subject);
  return (text: string): Either.Either<A, DecodeError> =>
    jsonNestedDeeperThan(text, MAX_JSON_DEPTH) ? Either.left(tooDeep(subject)) : decode(text);
};

/**
 * Parses JSON text and hands it to `decode`; malformed JSON is a `DecodeError` at the root. No
 * depth scan up front (the runners' hot path); a document so deep that decoding it overflows the
 * stack is a "nested too deeply" `DecodeError` instead of a crash.
 */
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
    try {
      return decode(parsed);
    } catch (cause) {
      if (String(cause).includes("Maximum call stack size exceeded")) return Either.left(tooDeep(subject));
      throw cause;
    }
  };
};

export const encoderFor = <A, I>(schema: Schema.Schema<A, I, never>) => Schema.encodeSync(schema);

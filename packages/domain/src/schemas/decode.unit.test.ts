import { Either, Schema } from "effect";
import { describe, expect, it } from "vitest";
import { UpdateMovieRequest } from "../api/http.ts";
import { TrendWindow } from "../trends/schema.ts";
import { decoderFor, type FieldIssue } from "./decode.ts";

const issuesOf = <A, I>(schema: Schema.Schema<A, I, never>, input: unknown): ReadonlyArray<FieldIssue> =>
  Either.match(decoderFor(schema, "body")(input), {
    onLeft: (error) => error.issues,
    onRight: () => [],
  });

describe("decode errors a client reads", () => {
  it("given a rating out of range where null is also allowed, when decoded, then the field is named once with its rule and no 'Expected null'", () => {
    expect(issuesOf(UpdateMovieRequest, { rating: 11 })).toEqual([
      { path: "rating", message: "a rating from 0.5 to 10 in steps of 0.5" },
    ]);
  });

  it("given a rating of the wrong type, when decoded, then one issue says what it may be, in words", () => {
    expect(issuesOf(UpdateMovieRequest, { rating: "x" })).toEqual([
      { path: "rating", message: 'must be a number or null, not "x"' },
    ]);
  });

  it("given a JSON array where an object is expected, when decoded, then it says so without printing the schema's type", () => {
    const issues = issuesOf(UpdateMovieRequest, [1, 2]);
    expect(issues).toEqual([{ path: "", message: "must be a JSON object, not an array" }]);
  });

  it("given a window that is none of the allowed ones, when decoded, then one issue lists the choices", () => {
    expect(issuesOf(Schema.Struct({ window: TrendWindow }), { window: "1y" })).toEqual([
      { path: "window", message: 'must be one of "7d", "30d" or "all", not "1y"' },
    ]);
  });

  it("given an empty change, when decoded, then the body is blamed, not one of its fields", () => {
    expect(issuesOf(UpdateMovieRequest, {})).toEqual([
      { path: "", message: "give rating and/or watched_at" },
    ]);
  });
});

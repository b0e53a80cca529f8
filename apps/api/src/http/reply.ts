import { Schema } from "effect";
import type { Reply } from "./route.ts";

const JSON_TYPE = "application/json; charset=utf-8";

const encoders = new WeakMap<object, (value: unknown) => unknown>();
const encoderOf = <A, I>(schema: Schema.Schema<A, I, never>) => {
  let encode = encoders.get(schema);
  if (encode === undefined) {
    encode = Schema.encodeSync(schema as Schema.Schema<unknown, unknown, never>);
    encoders.set(schema, encode);
  }
  return encode as (value: A) => I;
};

/** A JSON answer encoded by its schema (a value that does not fit is a defect: 500). */
export const json = <A, I>(
  status: number,
  schema: Schema.Schema<A, I, never>,
  value: NoInfer<A>,
  headers?: Record<string, string>,
): Reply => ({
  _tag: "Body",
  status,
  contentType: JSON_TYPE,
  text: JSON.stringify(encoderOf(schema)(value)),
  ...(headers ? { headers } : {}),
});

/** JSON text made earlier (the trends cache keeps its answers serialized). */
export const jsonText = (status: number, text: string, headers?: Record<string, string>): Reply => ({
  _tag: "Body",
  status,
  contentType: JSON_TYPE,
  text,
  ...(headers ? { headers } : {}),
});

export const textReply = (
  status: number,
  contentType: string,
  text: string | Buffer,
  headers?: Record<string, string>,
): Reply => ({
  _tag: "Body",
  status,
  contentType,
  text,
  ...(headers ? { headers } : {}),
});

export const noContent: Reply = { _tag: "Body", status: 204, contentType: "", text: "" };

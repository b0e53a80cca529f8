import type { IncomingMessage } from "node:http";
import { decoderFor, jsonDecoderFor } from "@cinematch/domain";
import { Effect, type Either, type Schema } from "effect";
import { badRequest, type HttpFailure, payloadTooLarge } from "./failure.ts";

/**
 * The parts of a request the listener reads before a handler runs: the body (bounded), the bearer
 * token, and the route's schemas as decoders, made once per schema.
 */

/** Reads the body up to `limit` bytes; more is 413 (Content-Length is checked before reading). */
export const readBody = (req: IncomingMessage, limit: number) =>
  Effect.async<Buffer, HttpFailure>((resume) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) {
      resume(Effect.fail(payloadTooLarge(limit)));
      return;
    }
    const chunks: Array<Buffer> = [];
    let size = 0;
    let done = false;
    const finish = (effect: Effect.Effect<Buffer, HttpFailure>) => {
      if (done) return;
      done = true;
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      resume(effect);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish(Effect.fail(payloadTooLarge(limit)));
      } else chunks.push(chunk);
    };
    const onEnd = () => finish(Effect.succeed(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    const onError = () => finish(Effect.fail(badRequest("the request body could not be read")));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });

export const isJsonType = (type: string | undefined) =>
  type === undefined || type === "" || type.includes("json") || type.startsWith("text/plain");

export const bearerOf = (header: string | undefined) => {
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
};

const decoders = new WeakMap<
  object,
  (input: unknown) => Either.Either<unknown, { issues: ReadonlyArray<{ path: string; message: string }> }>
>();
export const decoderOf = (schema: Schema.Schema<unknown, unknown, never>, subject: string) => {
  let decode = decoders.get(schema);
  if (decode === undefined) {
    decode = decoderFor(schema, subject);
    decoders.set(schema, decode);
  }
  return decode;
};
const bodyParsers = new WeakMap<
  object,
  (text: string) => Either.Either<unknown, { issues: ReadonlyArray<{ path: string; message: string }> }>
>();
export const bodyParserOf = (schema: Schema.Schema<unknown, unknown, never>) => {
  let parse = bodyParsers.get(schema);
  if (parse === undefined) {
    parse = jsonDecoderFor(schema, "request body");
    bodyParsers.set(schema, parse);
  }
  return parse;
};

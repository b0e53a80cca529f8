import type { IncomingMessage, ServerResponse } from "node:http";
import type { Effect, Schema } from "effect";

export type Method = "GET" | "POST" | "PATCH" | "DELETE";

/** Who is calling, from a valid bearer token. */
export interface Caller {
  readonly user_id: string;
  readonly expires_at: number;
}

export interface RequestContext<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** Set when the route's auth is `required` (always) or `optional` (when a token came). */
  readonly caller: Caller | undefined;
  readonly ip: string;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}

/**
 * What a handler answers: a body (JSON text already encoded by a schema, or other text), or
 * `Streamed` when the handler wrote the response itself (server-sent events).
 */
export type Reply =
  | {
      readonly _tag: "Body";
      readonly status: number;
      readonly contentType: string;
      readonly text: string | Buffer;
      readonly headers?: Readonly<Record<string, string>>;
    }
  | { readonly _tag: "Streamed" };

export interface UploadDoc {
  readonly contentTypes: ReadonlyArray<string>;
  readonly description: string;
}

export interface ResponseDoc {
  readonly status: number;
  readonly description: string;
  readonly schema?: Schema.Schema.Any;
  /** Default `application/json` when a schema is given. */
  readonly contentType?: string;
}

// biome-ignore lint/suspicious/noExplicitAny: schemas are typed per route by `route()`, erased in the table.
type AnySchema = Schema.Schema<any, any, never>;

export interface RouteSpec<P, Q, B, R> {
  /** Also the `operationId` and the metrics label. */
  readonly name: string;
  readonly method: Method;
  /** With `{param}` segments, as in OpenAPI. */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  readonly auth: "required" | "optional" | "none";
  /** The bearer token may come as `?token=` too (EventSource cannot send headers). */
  readonly tokenInQuery?: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: path parameters decode from text fields.
  readonly params?: Schema.Schema<P, any, never>;
  // biome-ignore lint/suspicious/noExplicitAny: query strings decode from text fields.
  readonly query?: Schema.Schema<Q, any, never>;
  // biome-ignore lint/suspicious/noExplicitAny: bodies decode from parsed JSON.
  readonly body?: Schema.Schema<B, any, never>;
  readonly responses: ReadonlyArray<ResponseDoc>;
  /** Left out of the OpenAPI document (the docs page itself). */
  readonly hidden?: boolean;
  /** A body that is a file, read by the handler itself (no JSON schema): its media types, for the document. */
  readonly upload?: UploadDoc;
  readonly handler: (context: RequestContext<P, Q, B>) => Effect.Effect<Reply, unknown, R>;
}

/** A route as the table holds it: its schemas and handler with their types erased. */
export interface Route<R>
  extends Omit<RouteSpec<unknown, unknown, unknown, R>, "params" | "query" | "body" | "handler"> {
  readonly params?: AnySchema;
  readonly query?: AnySchema;
  readonly body?: AnySchema;
  // biome-ignore lint/suspicious/noExplicitAny: erased; `route()` checked it against the schemas.
  readonly handler: (context: RequestContext<any, any, any>) => Effect.Effect<Reply, unknown, R>;
}

/** Declares a route; the handler's input types come from its schemas. */
export const route = <P = undefined, Q = undefined, B = undefined, R = never>(
  spec: RouteSpec<P, Q, B, R>,
): Route<R> => spec as unknown as Route<R>;

import { ErrorBody } from "@cinematch/domain";
import { JSONSchema, type SchemaAST } from "effect";
import type { ResponseDoc, Route } from "./route.ts";

type Json = Record<string, unknown>;

/**
 * The OpenAPI 3.1 document, made from the route table: every path, query and body schema is the
 * one the server decodes with, every response schema the one it encodes with (JSONSchema.fromAST),
 * shared definitions under `components.schemas`.
 */
export const makeOpenApiDocument = (
  routes: ReadonlyArray<Route<unknown>>,
  info: { readonly title: string; readonly version: string; readonly description: string },
): Json => {
  const definitions: Record<string, JSONSchema.JsonSchema7> = {};
  const toSchema = (schema: { readonly ast: SchemaAST.AST }, skipTop = false) =>
    JSONSchema.fromAST(schema.ast, {
      definitions,
      definitionPath: "#/components/schemas/",
      target: "openApi3.1",
      topLevelReferenceStrategy: skipTop ? "skip" : "keep",
      additionalPropertiesStrategy: "allow",
    }) as unknown as Json;

  const parametersOf = (schema: Route<unknown>["params"], where: "path" | "query") => {
    if (schema === undefined) return [];
    const object = toSchema(schema, true);
    const properties = (object.properties ?? {}) as Record<string, Json>;
    const required = new Set((object.required ?? []) as Array<string>);
    return Object.entries(properties).map(([name, property]) => ({
      name,
      in: where,
      required: where === "path" || required.has(name),
      schema: property,
      ...(typeof property.description === "string" ? { description: property.description } : {}),
    }));
  };

  /**
   * The answers the request listener itself gives, whatever the handler: a route's own list never
   * has to repeat them, and the document never misses one.
   */
  const listenerResponses = (route: Route<unknown>): ReadonlyArray<ResponseDoc> => {
    const error = (status: number, description: string) => ({ status, description, schema: ErrorBody });
    return [
      ...(route.params || route.query
        ? [error(400, "A path or query parameter is invalid (each is named in `issues`)")]
        : []),
      ...(route.body
        ? [
            error(400, "The body is empty or not valid JSON"),
            error(413, "The body is larger than CINEMATCH_MAX_BODY_BYTES"),
            error(415, "The body is not JSON"),
            error(422, "The body does not fit its schema (each failing field is named in `issues`)"),
          ]
        : []),
      ...(route.auth !== "none" ? [error(401, "The bearer token is missing, invalid or expired")] : []),
      error(431, "The URL or the header block is too large"),
      error(500, "Unexpected error; the answer carries an `error_id` that is in the log"),
      error(
        503,
        "The database or the broker is unavailable, the API is at capacity (CINEMATCH_MAX_WAITING_REQUESTS already wait), or no answer within CINEMATCH_REQUEST_DEADLINE_MS (always with Retry-After)",
      ),
    ];
  };

  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    if (route.hidden) continue;
    const parameters = [...parametersOf(route.params, "path"), ...parametersOf(route.query, "query")];
    if (route.tokenInQuery) {
      parameters.push({
        name: "token",
        in: "query",
        required: false,
        schema: { type: "string" },
        description: "The bearer token, for clients that cannot send headers (EventSource).",
      });
    }
    const responses: Record<string, Json> = {};
    const own = new Set(route.responses.map((response) => response.status));
    const general = listenerResponses(route).filter((response) => !own.has(response.status));
    for (const response of [...route.responses, ...general]) {
      const existing = responses[String(response.status)];
      const content =
        response.schema !== undefined
          ? { [response.contentType ?? "application/json"]: { schema: toSchema(response.schema) } }
          : response.contentType !== undefined
            ? { [response.contentType]: { schema: { type: "string" } } }
            : undefined;
      responses[String(response.status)] = existing
        ? { ...existing, description: `${existing.description as string}; ${response.description}` }
        : { description: response.description, ...(content ? { content } : {}) };
    }
    const operation: Json = {
      operationId: route.name,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: [route.tag],
      ...(route.auth === "required"
        ? { security: [{ bearerAuth: [] }] }
        : route.auth === "optional"
          ? { security: [{ bearerAuth: [] }, {}] }
          : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: toSchema(route.body) } },
            },
          }
        : route.upload
          ? {
              requestBody: {
                required: true,
                description: route.upload.description,
                content: Object.fromEntries(
                  route.upload.contentTypes.map((type) => [
                    type,
                    { schema: { type: "string", format: "binary" } },
                  ]),
                ),
              },
            }
          : {}),
      responses,
    };
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation };
  }

  return {
    openapi: "3.1.0",
    info,
    servers: [{ url: "/" }],
    paths,
    components: {
      schemas: definitions,
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "From POST /auth/login or /auth/signup" },
      },
    },
  };
};

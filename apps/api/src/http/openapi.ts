import { JSONSchema, type SchemaAST } from "effect";
import type { Route } from "./route.ts";

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
    for (const response of route.responses) {
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

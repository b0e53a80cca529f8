import { HealthResponse, ReadyResponse } from "@cinematch/domain";
import { Duration, Effect } from "effect";
import { contentSecurityPolicyFor } from "../http/hardening.ts";
import { metricsAccess } from "../http/metrics.ts";
import { json, jsonText, textReply } from "../http/reply.ts";
import { type Route, route } from "../http/route.ts";
import type { RouteDependencies, RouteServices } from "./dependencies.ts";
import { errors } from "./shared.ts";
import { processSamples } from "./metrics-samples.ts";

/** Health, readiness, metrics, the OpenAPI document and docs page. */
export const operationRoutes = (deps: RouteDependencies): ReadonlyArray<Route<RouteServices>> => {
  let docsPolicy: string | undefined;
  const metricsAllowed = metricsAccess(deps.metricsToken);

  return [
    route({
      name: "health",
      method: "GET",
      path: "/health",
      tag: "operations",
      summary: "The process is up",
      auth: "none",
      responses: [{ status: 200, description: "Up", schema: HealthResponse }],
      handler: () => Effect.succeed(json(200, HealthResponse, { status: "ok" })),
    }),
    route({
      name: "ready",
      method: "GET",
      path: "/ready",
      tag: "operations",
      summary: "Kafka and MongoDB answer (503 when one does not)",
      auth: "none",
      responses: [
        { status: 200, description: "Ready", schema: ReadyResponse },
        { status: 503, description: "Not ready", schema: ReadyResponse },
      ],
      handler: () =>
        Effect.gen(function* () {
          const checks = yield* Effect.forEach(
            deps.readiness,
            ({ name, check }) =>
              check.pipe(
                // Well inside the request deadline, so /ready answers with its own body.
                Effect.timeoutFail({
                  duration: Duration.seconds(1),
                  onTimeout: () => "no answer within 1 s",
                }),
                Effect.match({
                  onSuccess: () => ({ name, ok: true }),
                  onFailure: (error) => ({
                    name,
                    ok: false,
                    message:
                      typeof error === "string"
                        ? error
                        : error instanceof Error ||
                            (typeof error === "object" && error !== null && "message" in error)
                          ? String((error as { message: unknown }).message)
                          : "failed",
                  }),
                }),
              ),
            { concurrency: "unbounded" },
          );
          const ready = checks.every((c) => c.ok);
          return json(ready ? 200 : 503, ReadyResponse, { status: ready ? "ready" : "not_ready", checks });
        }),
    }),
    route({
      name: "metrics",
      method: "GET",
      path: "/metrics",
      tag: "operations",
      summary: "Prometheus metrics (text format 0.0.4)",
      description:
        "With `CINEMATCH_METRICS_TOKEN` set, send it as a bearer token; without it, only clients on the API's own machine may scrape. Never touches the database: the outbox backlog is a count kept in the background.",
      auth: "none",
      responses: [
        { status: 200, description: "Metrics", contentType: "text/plain; version=0.0.4" },
        ...errors([401, "The metrics token is missing or wrong"], [403, "Not from this machine"]),
      ],
      handler: ({ req }) =>
        Effect.gen(function* () {
          const refusal = metricsAllowed(req);
          if (refusal !== undefined) return yield* Effect.fail(refusal);
          const samples = yield* processSamples(deps);
          return textReply(200, "text/plain; version=0.0.4; charset=utf-8", deps.metrics.render(samples));
        }),
    }),
    route({
      name: "openapi",
      method: "GET",
      path: "/openapi.json",
      tag: "operations",
      summary: "This API's OpenAPI 3.1 document",
      auth: "none",
      responses: [{ status: 200, description: "OpenAPI document", contentType: "application/json" }],
      handler: () => Effect.sync(() => jsonText(200, deps.openapi())),
    }),
    route({
      name: "docs",
      method: "GET",
      path: "/docs",
      tag: "operations",
      summary: "Interactive API documentation (works offline)",
      auth: "none",
      hidden: true,
      responses: [{ status: 200, description: "HTML page", contentType: "text/html" }],
      handler: () =>
        Effect.sync(() => {
          const page = deps.docsPage();
          docsPolicy ??= contentSecurityPolicyFor(page);
          return textReply(200, "text/html; charset=utf-8", page, { "content-security-policy": docsPolicy });
        }),
    }),
  ];
};

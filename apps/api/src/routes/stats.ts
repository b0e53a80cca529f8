import { UserStatsStore } from "@cinematch/adapters";
import { DEFAULT_TREND_WINDOW, MyStatsResponse, TrendsQuery, TrendsResponse } from "@cinematch/domain";
import { Effect, Option } from "effect";
import { json, jsonText } from "../http/reply.ts";
import { type Route, route } from "../http/route.ts";
import type { RouteDependencies, RouteServices } from "./dependencies.ts";
import { errors } from "./shared.ts";

/** The read models: my stats, the community trends, the live stream. */
export const statsRoutes = (deps: RouteDependencies): ReadonlyArray<Route<RouteServices>> => {
  const { trends } = deps;
  return [
    route({
      name: "my_stats",
      method: "GET",
      path: "/stats/me",
      tag: "statistics",
      summary: "My statistics (the user_stats document)",
      description:
        'Before the user-stats runner has written anything for me: 200 `{status: "not_computed_yet"}`.',
      auth: "required",
      responses: [
        { status: 200, description: "My statistics or not_computed_yet", schema: MyStatsResponse },
        ...errors([401, "No valid token"]),
      ],
      handler: ({ caller }) =>
        Effect.gen(function* () {
          const doc = yield* (yield* UserStatsStore).get(caller!.user_id);
          return json(
            200,
            MyStatsResponse,
            Option.match(doc, {
              onNone: () => ({
                status: "not_computed_yet" as const,
                message: "your statistics have not been computed yet: add a film, they follow within seconds",
              }),
              onSome: (d) => ({ status: "ready" as const, ...d }),
            }),
          );
        }),
    }),
    route({
      name: "global_trends",
      method: "GET",
      path: "/trends/global",
      tag: "statistics",
      summary: "Community trends (the global_stats document of a window)",
      description: "Served from an in-process copy refreshed every few hundred milliseconds.",
      auth: "none",
      query: TrendsQuery,
      responses: [
        { status: 200, description: "Trends or not_computed_yet", schema: TrendsResponse },
        ...errors([400, "Unknown window"]),
      ],
      handler: ({ query }) =>
        Effect.succeed(jsonText(200, trends.body(query.window ?? DEFAULT_TREND_WINDOW))),
    }),
    route({
      name: "live",
      method: "GET",
      path: "/live",
      tag: "statistics",
      summary: "Server-sent events: `trends` and (with a token) `stats`, data `{updated_at}`",
      description:
        "EventSource cannot send headers, so the token may come as `?token=`. Without a token only `trends` events arrive. A comment every 15 s keeps the stream open.",
      auth: "optional",
      tokenInQuery: true,
      responses: [
        { status: 200, description: "An event stream", contentType: "text/event-stream" },
        ...errors([401, "Invalid token"]),
      ],
      handler: ({ res, caller }) =>
        Effect.as(deps.live.open(res, caller?.user_id), { _tag: "Streamed" } as const),
    }),
  ];
};

import type { Route } from "../http/route.ts";
import { accountRoutes } from "./accounts.ts";
import { catalogRoutes } from "./catalog.ts";
import type { RouteDependencies, RouteServices } from "./dependencies.ts";
import { importRoutes } from "./imports.ts";
import { movieRoutes } from "./movies.ts";
import { operationRoutes } from "./operations.ts";
import { statsRoutes } from "./stats.ts";

export type { ReadinessCheck, RouteDependencies, RouteServices } from "./dependencies.ts";

/** Every route of the API, in the order the OpenAPI document lists them. */
export const makeRoutes = (deps: RouteDependencies): ReadonlyArray<Route<RouteServices>> => [
  ...accountRoutes(deps),
  ...movieRoutes(deps),
  ...catalogRoutes(deps),
  ...importRoutes(deps),
  ...statsRoutes(deps),
  ...operationRoutes(deps),
];

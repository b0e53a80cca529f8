import { CatalogSearchQuery, CatalogSearchResponse, Film, MoviePath } from "@cinematch/domain";
import { Effect, Option } from "effect";
import { notFound } from "../http/failure.ts";
import { json } from "../http/reply.ts";
import { type Route, route } from "../http/route.ts";
import type { RouteDependencies, RouteServices } from "./dependencies.ts";
import { asMatch, errors } from "./shared.ts";

/** Catalog search and film lookup (the in-memory index). */
export const catalogRoutes = (deps: RouteDependencies): ReadonlyArray<Route<RouteServices>> => {
  const { catalog } = deps;
  return [
    route({
      name: "search_catalog",
      method: "GET",
      path: "/catalog/search",
      tag: "catalog",
      summary: "Fuzzy search of the catalog (title, optional year)",
      description: "Uses the domain's normalizeTitle and matcher over an in-memory index; scores are 0..1.",
      auth: "none",
      query: CatalogSearchQuery,
      responses: [
        { status: 200, description: "Ranked matches", schema: CatalogSearchResponse },
        ...errors([400, "Missing or invalid q"]),
      ],
      handler: ({ query }) =>
        Effect.succeed(
          json(200, CatalogSearchResponse, {
            query: query.q,
            results: catalog.search(query.q, query.year, query.limit ?? 10).map(asMatch),
          }),
        ),
    }),
    route({
      name: "get_catalog_film",
      method: "GET",
      path: "/catalog/{movieId}",
      tag: "catalog",
      summary: "One catalog film",
      auth: "none",
      params: MoviePath,
      responses: [{ status: 200, description: "The film", schema: Film }, ...errors([404, "No such film"])],
      handler: ({ params }) =>
        Effect.gen(function* () {
          const film = yield* catalog.film(params.movieId);
          if (Option.isNone(film)) return yield* Effect.fail(notFound("no film with this id in the catalog"));
          return json(200, Film, film.value);
        }),
    }),
  ];
};

import { WatchlistCommands, WatchlistStore } from "@cinematch/adapters";
import {
  AddMovieRequest,
  AddMovieResponse,
  MoviePath,
  MoviesPage,
  MoviesQuery,
  UpdateMovieRequest,
  WatchedEntry,
} from "@cinematch/domain";
import { Clock, Effect, Option } from "effect";
import { notFound, validationFailed } from "../http/failure.ts";
import { json, noContent } from "../http/reply.ts";
import { type Route, route } from "../http/route.ts";
import type { RouteDependencies, RouteServices } from "./dependencies.ts";
import { DAY, errors } from "./shared.ts";
import { resolveFilm } from "./film-resolution.ts";

/** The caller's own list: add (by id or title), change, remove, read. */
export const movieRoutes = (deps: RouteDependencies): ReadonlyArray<Route<RouteServices>> => {
  const { catalog } = deps;
  const notInFuture = (watched_at: number | undefined) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      watched_at !== undefined && watched_at > now + DAY
        ? Effect.fail(validationFailed([{ path: "watched_at", message: "a date that is not in the future" }]))
        : Effect.void,
    );

  const filmFor = resolveFilm(catalog);

  return [
    route({
      name: "add_movie",
      method: "POST",
      path: "/movies",
      tag: "my films",
      summary: "Add a watched film to my list",
      description:
        "By `movie_id`, or by `title` (+ optional `year`) resolved with the catalog matcher. Adding a film already in the list changes nothing (200, `already_present`).",
      auth: "required",
      body: AddMovieRequest,
      responses: [
        { status: 201, description: "Added", schema: AddMovieResponse },
        { status: 200, description: "Already in the list; nothing changed", schema: AddMovieResponse },
        ...errors(
          [401, "No valid token"],
          [409, "The title matches several films; `candidates` lists them"],
          [413, "Body too large"],
          [422, "Invalid input, unknown movie_id or no match for the title"],
        ),
      ],
      handler: ({ body, caller }) =>
        Effect.gen(function* () {
          yield* notInFuture(body.watched_at);
          const film = yield* filmFor(body);
          const result = yield* (yield* WatchlistCommands).add(caller!.user_id, {
            movie: film,
            ...(body.rating === undefined ? {} : { rating: body.rating }),
            ...(body.watched_at === undefined ? {} : { watched_at: body.watched_at }),
          });
          return result.status === "added"
            ? json(201, AddMovieResponse, result, {
                location: `/movies/${encodeURIComponent(film.movie_id)}`,
              })
            : json(200, AddMovieResponse, result);
        }),
    }),
    route({
      name: "list_movies",
      method: "GET",
      path: "/movies",
      tag: "my films",
      summary: "My films, newest added first, paged",
      auth: "required",
      query: MoviesQuery,
      responses: [
        { status: 200, description: "A page of my list", schema: MoviesPage },
        ...errors([400, "Invalid paging"], [401, "No valid token"]),
      ],
      handler: ({ query, caller }) =>
        Effect.gen(function* () {
          const offset = query.offset ?? 0;
          const limit = query.limit ?? 20;
          const page = yield* (yield* WatchlistStore).list(caller!.user_id, { offset, limit });
          return json(200, MoviesPage, { items: page.entries, total: page.total, offset, limit });
        }),
    }),
    route({
      name: "get_movie",
      method: "GET",
      path: "/movies/{movieId}",
      tag: "my films",
      summary: "One film of my list",
      auth: "required",
      params: MoviePath,
      responses: [
        { status: 200, description: "The entry", schema: WatchedEntry },
        ...errors([401, "No valid token"], [404, "Not in my list"]),
      ],
      handler: ({ params, caller }) =>
        Effect.gen(function* () {
          const entry = yield* (yield* WatchlistStore).get(caller!.user_id, params.movieId);
          if (Option.isNone(entry)) return yield* Effect.fail(notFound("this film is not in your list"));
          return json(200, WatchedEntry, entry.value);
        }),
    }),
    route({
      name: "update_movie",
      method: "PATCH",
      path: "/movies/{movieId}",
      tag: "my films",
      summary: "Change the rating (null clears it) or the day watched",
      auth: "required",
      params: MoviePath,
      body: UpdateMovieRequest,
      responses: [
        { status: 200, description: "The changed entry", schema: WatchedEntry },
        ...errors([401, "No valid token"], [404, "Not in my list"], [422, "Invalid input"]),
      ],
      handler: ({ params, body, caller }) =>
        Effect.gen(function* () {
          yield* notInFuture(body.watched_at);
          const changed = yield* (yield* WatchlistCommands).update(caller!.user_id, params.movieId, {
            ...(body.rating === undefined ? {} : { rating: body.rating }),
            ...(body.watched_at === undefined ? {} : { watched_at: body.watched_at }),
          });
          if (Option.isNone(changed)) return yield* Effect.fail(notFound("this film is not in your list"));
          return json(200, WatchedEntry, changed.value);
        }),
    }),
    route({
      name: "remove_movie",
      method: "DELETE",
      path: "/movies/{movieId}",
      tag: "my films",
      summary: "Remove a film from my list",
      auth: "required",
      params: MoviePath,
      responses: [
        { status: 204, description: "Removed" },
        ...errors([401, "No valid token"], [404, "Not in my list"]),
      ],
      handler: ({ params, caller }) =>
        Effect.gen(function* () {
          const removed = yield* (yield* WatchlistCommands).remove(caller!.user_id, params.movieId);
          if (Option.isNone(removed)) return yield* Effect.fail(notFound("this film is not in your list"));
          return noContent;
        }),
    }),
  ];
};

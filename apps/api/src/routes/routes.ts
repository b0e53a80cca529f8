import {
  type AccountsStore,
  type IdGenerator,
  OutboxPublisher,
  UserStatsStore,
  WatchlistCommands,
  WatchlistStore,
} from "@cinematch/adapters";
import {
  AddMovieRequest,
  AddMovieResponse,
  AuthToken,
  CatalogMatch,
  CatalogSearchQuery,
  CatalogSearchResponse,
  Credentials,
  DEFAULT_TREND_WINDOW,
  ErrorBody,
  Film,
  type FieldIssue,
  HealthResponse,
  MoviePath,
  MoviesPage,
  MoviesQuery,
  MyStatsResponse,
  type MatchCandidate,
  ReadyResponse,
  TrendsQuery,
  TrendsResponse,
  UpdateMovieRequest,
  WatchedEntry,
} from "@cinematch/domain";
import { Clock, Duration, Effect, Option, type Redacted, Schema } from "effect";
import type { Auth } from "../auth/service.ts";
import { HttpFailure, notFound, validationFailed } from "../http/failure.ts";
import { contentSecurityPolicyFor } from "../http/hardening.ts";
import { type HttpMetrics, metricsAccess, type Sample } from "../http/metrics.ts";
import { json, jsonText, noContent, textReply } from "../http/reply.ts";
import { type Route, route } from "../http/route.ts";
import type { BacklogGauge } from "../services/backlog-gauge.ts";
import type { CatalogCache } from "../services/catalog-cache.ts";
import type { LiveHub } from "../services/live-hub.ts";
import type { TrendsCache } from "../services/trends-cache.ts";

/** A named check behind `GET /ready` (Kafka ping, MongoDB ping); each is bounded by the route. */
export interface ReadinessCheck {
  readonly name: string;
  readonly check: Effect.Effect<void, unknown>;
}

export interface RouteDependencies {
  readonly auth: Auth;
  readonly trends: TrendsCache;
  readonly catalog: CatalogCache;
  readonly live: LiveHub;
  readonly metrics: HttpMetrics;
  readonly metricsToken: Option.Option<Redacted.Redacted<string>>;
  readonly backlog: BacklogGauge;
  readonly readiness: ReadonlyArray<ReadinessCheck>;
  /** The OpenAPI document and docs page, made from the routes themselves. */
  readonly openapi: () => string;
  readonly docsPage: () => string;
}

export type RouteServices =
  | WatchlistCommands
  | WatchlistStore
  | AccountsStore
  | IdGenerator
  | UserStatsStore
  | OutboxPublisher;

const errors = (...list: ReadonlyArray<readonly [number, string]>) =>
  list.map(([status, description]) => ({ status, description, schema: ErrorBody }));

const DAY = 86_400_000;

const asMatch = (candidate: MatchCandidate) => ({
  film: candidate.film,
  score: Math.round(candidate.score * 1000) / 1000,
  reason: candidate.reason,
});

const encodeMatches = Schema.encodeSync(Schema.Array(CatalogMatch));

export const makeRoutes = (deps: RouteDependencies): ReadonlyArray<Route<RouteServices>> => {
  const { auth, catalog, trends } = deps;
  let docsPolicy: string | undefined;
  const metricsAllowed = metricsAccess(deps.metricsToken);

  const notInFuture = (watched_at: number | undefined) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      watched_at !== undefined && watched_at > now + DAY
        ? Effect.fail(validationFailed([{ path: "watched_at", message: "a date that is not in the future" }]))
        : Effect.void,
    );

  /** The film to add: by id from the catalog, or by title through the matcher (409 when ambiguous). */
  const resolveFilm = (body: AddMovieRequest) =>
    Effect.gen(function* () {
      if (body.movie_id !== undefined) {
        const film = yield* catalog.film(body.movie_id);
        if (Option.isNone(film)) {
          return yield* Effect.fail(
            validationFailed([{ path: "movie_id", message: "no film with this id in the catalog" }]),
          );
        }
        return film.value;
      }
      const resolution = catalog.resolve(body.title!.trim(), body.year);
      switch (resolution._tag) {
        case "Matched": {
          const film = yield* catalog.film(resolution.film.movie_id);
          return Option.getOrElse(film, () => resolution.film);
        }
        case "Ambiguous":
          return yield* Effect.fail(
            new HttpFailure({
              status: 409,
              code: "ambiguous_title",
              message: `"${body.title}" matches several films: add one of the candidates by movie_id`,
              candidates: encodeMatches(resolution.candidates.slice(0, 10).map(asMatch)),
            }),
          );
        case "NotFound": {
          const issues: Array<FieldIssue> = [
            { path: "title", message: "no film in the catalog matches this title" },
          ];
          return yield* Effect.fail(validationFailed(issues));
        }
      }
    });

  const outboxSamples = Effect.gen(function* () {
    const publisher = yield* OutboxPublisher;
    const backlog = yield* deps.backlog.read;
    const stats = yield* publisher.stats;
    const samples: Array<Sample> = [
      {
        name: "cinematch_events_published_total",
        help: "Watchlist events published to the event log by this process.",
        type: "counter",
        value: stats.events_published_total,
      },
      {
        name: "cinematch_event_publish_failures_total",
        help: "Failed publications (each is retried by the outbox relay).",
        type: "counter",
        value: stats.publish_failures_total,
      },
      {
        name: "cinematch_outbox_backlog",
        help: "Watchlist events stored but not yet published, as last counted (-1: not counted yet, or the count failed).",
        type: "gauge",
        value: backlog.value,
      },
      {
        name: "cinematch_outbox_backlog_age_seconds",
        help: "Age of that count (counted in the background, at most every CINEMATCH_METRICS_BACKLOG_MAX_AGE_MS).",
        type: "gauge",
        value: backlog.ageSeconds,
      },
      {
        name: "cinematch_outbox_degraded",
        help: "1 while publication is failing or a backlog drains (writes then leave publishing to the relay).",
        type: "gauge",
        value: stats.degraded ? 1 : 0,
      },
      {
        name: "cinematch_live_clients",
        help: "Open /live streams.",
        type: "gauge",
        value: deps.live.clients(),
      },
      {
        name: "cinematch_catalog_films",
        help: "Films in the in-memory catalog index.",
        type: "gauge",
        value: catalog.size(),
      },
      {
        name: "process_resident_memory_bytes",
        help: "Resident memory size in bytes.",
        type: "gauge",
        value: process.memoryUsage.rss(),
      },
    ];
    return samples;
  });

  return [
    // ---- accounts ------------------------------------------------------------------------------
    route({
      name: "signup",
      method: "POST",
      path: "/auth/signup",
      tag: "accounts",
      summary: "Create an account and get a bearer token",
      description: "The email is trimmed and lowercased. Passwords are hashed with scrypt and never logged.",
      auth: "none",
      body: Credentials,
      responses: [
        { status: 201, description: "Account created", schema: AuthToken },
        ...errors(
          [409, "Email already registered"],
          [422, "Invalid email or password"],
          [429, "Too many signups from this address"],
        ),
      ],
      handler: ({ body, ip }) => Effect.map(auth.signup(body, ip), (token) => json(201, AuthToken, token)),
    }),
    route({
      name: "login",
      method: "POST",
      path: "/auth/login",
      tag: "accounts",
      summary: "Log in and get a bearer token",
      description: "Rate-limited per email and per client address (429 with Retry-After).",
      auth: "none",
      body: Credentials,
      responses: [
        { status: 200, description: "Logged in", schema: AuthToken },
        ...errors([401, "Wrong email or password"], [422, "Invalid input"], [429, "Too many attempts"]),
      ],
      handler: ({ body, ip }) => Effect.map(auth.login(body, ip), (token) => json(200, AuthToken, token)),
    }),

    // ---- my films ------------------------------------------------------------------------------
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
          const film = yield* resolveFilm(body);
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

    // ---- catalog -------------------------------------------------------------------------------
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

    // ---- statistics and trends -----------------------------------------------------------------
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

    // ---- operations ----------------------------------------------------------------------------
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
          const samples = yield* outboxSamples;
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

import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StoreUnavailable } from "@cinematch/adapters";
import type { GlobalStatsDocument, UserStatsDocument } from "@cinematch/domain";
import { Effect } from "effect";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eventuallyAsync } from "@cinematch/adapters/testing";
import { POLL, signUp, startWorld, type World } from "./testing/world.ts";

describe("requests the API cannot serve", () => {
  let world: World;
  let token: string;
  beforeEach(async () => {
    world = await startWorld({
      // Two catalog ids that break the store: one dies (a bug), one fails as MongoDB would.
      catalog: (memory) => ({
        ...memory,
        get: (id) =>
          id === "ml-boom"
            ? Effect.die(new Error("secret internal detail at Object.<anonymous> (/app/x.ts:1:1)"))
            : id === "ml-down"
              ? Effect.fail(
                  new StoreUnavailable({ operation: "catalog.get", message: "connection refused 10.0.0.5" }),
                )
              : memory.get(id),
      }),
    });
    ({ token } = await signUp(world, "ops@example.com"));
  });
  afterEach(() => world.close());

  it("given an unknown route, when called, then 404 JSON", async () => {
    const response = await world.call("GET", "/nope");
    expect(response.status).toBe(404);
    expect(response.json().error).toBe("not_found");
  });

  it("given a known path with the wrong method, when called, then 405 with Allow", async () => {
    const response = await world.call("PUT", "/movies");
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toContain("POST");
  });

  it("given a body over the limit, when posted, then 413", async () => {
    const response = await world.call("POST", "/movies", {
      token,
      rawBody: JSON.stringify({ movie_id: "ml-1", padding: "x".repeat(70 * 1024) }),
      headers: { "content-type": "application/json" },
    });
    expect(response.status).toBe(413);
    expect(response.json().error).toBe("payload_too_large");
  });

  it("given malformed JSON or a form body, when posted, then 400 and 415", async () => {
    const malformed = await world.call("POST", "/movies", {
      token,
      rawBody: "{oops",
      headers: { "content-type": "application/json" },
    });
    const form = await world.call("POST", "/movies", {
      token,
      rawBody: "movie_id=ml-1",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.json().message).toMatch(/not valid JSON/);
    expect(form.status).toBe(415);
  });

  it("given a defect behind a route, when called, then 500 with an error id and no internal detail", async () => {
    const response = await world.call("POST", "/movies", { token, body: { movie_id: "ml-boom" } });
    expect(response.status).toBe(500);
    const body = response.json();
    expect(body.error).toBe("internal_error");
    expect(body.error_id).toMatch(/^id-\d+$/);
    expect(response.text).not.toMatch(/secret internal detail|\.ts:\d|at Object/);
  });

  it("given the database failing behind a route, when called, then 503 with an error id and no driver message", async () => {
    const response = await world.call("POST", "/movies", { token, body: { movie_id: "ml-down" } });
    expect(response.status).toBe(503);
    expect(response.json()).toMatchObject({ error: "storage_unavailable" });
    expect(response.json().error_id).toBeDefined();
    expect(response.text).not.toContain("10.0.0.5");
  });
});

describe("operations endpoints", () => {
  let world: World;
  beforeEach(async () => {
    world = await startWorld();
  });
  afterEach(() => world.close());

  it("given a running API, when asked for health and readiness, then ok and ready; with the broker down, 503", async () => {
    expect((await world.call("GET", "/health")).json()).toEqual({ status: "ok" });
    expect((await world.call("GET", "/ready")).json()).toEqual({
      status: "ready",
      checks: [{ name: "event_log", ok: true }],
    });
    await world.run(world.control.setBrokerDown(true));
    const down = await world.call("GET", "/ready");
    expect(down.status).toBe(503);
    expect(down.json().checks[0]).toMatchObject({ name: "event_log", ok: false });
  });

  it("given some requests, when scraping metrics, then counts and latency histograms by route are there", async () => {
    await world.call("GET", "/health");
    await world.call("GET", "/trends/global");
    const text = (await world.call("GET", "/metrics")).text;
    expect(text).toMatch(/http_requests_total\{route="health",method="GET",status="200"\} 1/);
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{route="global_trends",method="GET",le="0.005"\}/,
    );
    expect(text).toMatch(/cinematch_outbox_backlog 0/);
    expect(text).toMatch(/cinematch_events_published_total 0/);
  });

  it("given the route table, when reading /openapi.json, then every route is described with its schemas", async () => {
    const doc = (await world.call("GET", "/openapi.json")).json();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/auth/signup",
        "/auth/login",
        "/movies",
        "/movies/{movieId}",
        "/catalog/search",
        "/catalog/{movieId}",
        "/stats/me",
        "/trends/global",
        "/live",
        "/health",
        "/ready",
        "/metrics",
      ]),
    );
    expect(doc.paths["/movies"].post.requestBody.content["application/json"].schema.$ref).toBe(
      "#/components/schemas/AddMovieRequest",
    );
    expect(doc.paths["/movies"].get.parameters.map((p: { name: string }) => p.name)).toEqual([
      "offset",
      "limit",
    ]);
    expect(doc.paths["/movies/{movieId}"].patch.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.components.schemas.AddMovieRequest.properties.rating).toBeDefined();
  });

  it("given the docs page, when loaded, then it is HTML that reads /openapi.json and loads nothing from elsewhere", async () => {
    const response = await world.call("GET", "/docs", { headers: { accept: "text/html" } });
    expect(response.headers.get("content-type")).toMatch(/text\/html/);
    expect(response.text).toContain('fetch("/openapi.json")');
    expect(response.text).not.toMatch(/(src|href)="https?:/);
  });

  it("given no dashboard build, when opening /, then it says the dashboard is not built yet", async () => {
    const response = await world.call("GET", "/", { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    expect(response.text).toMatch(/not built yet/);
  });
});

describe("a built dashboard", () => {
  let world: World;
  beforeEach(async () => {
    const dist = mkdtempSync(join(tmpdir(), "cinematch-web-"));
    mkdirSync(join(dist, "assets"));
    writeFileSync(join(dist, "index.html"), "<!doctype html><title>dash</title>");
    writeFileSync(join(dist, "assets", "app-123.js"), "console.log(1)");
    world = await startWorld({ config: { webDist: dist } });
  });
  afterEach(() => world.close());

  it("given its files, when requested, then served with types; unknown HTML paths get index.html", async () => {
    const index = await world.call("GET", "/", { headers: { accept: "text/html" } });
    const asset = await world.call("GET", "/assets/app-123.js");
    const deep = await world.call("GET", "/films/42", { headers: { accept: "text/html,*/*" } });
    expect(index.text).toContain("<title>dash</title>");
    expect(asset.headers.get("content-type")).toMatch(/javascript/);
    expect(asset.headers.get("cache-control")).toMatch(/immutable/);
    expect(deep.text).toContain("<title>dash</title>");
  });

  it("given a missing file or a path escaping the folder, when requested without HTML, then 404", async () => {
    expect((await world.call("GET", "/assets/missing.js")).status).toBe(404);
    expect((await world.call("GET", "/..%2f..%2fetc%2fpasswd")).status).toBe(404);
  });
});

const statsDoc = (user_id: string, last_updated: number): UserStatsDocument =>
  ({
    user_id,
    last_updated,
    stats: {
      stats_version: 2,
      total_watched: 1,
      rated_count: 0,
      avg_rating: null,
      rating_chart_data: [],
      top_rated_movies: [],
      recent_movies: [],
      genre_data: [],
      favorite_genre: null,
      watch_time_hours: 0,
      best_rated_directors: [],
      most_watched_actors: [],
      films_per_year: [],
      films_per_month: [],
      decades: [],
      weekdays: [],
      longest_streak: { days: 0, start: null, end: null },
      milestones: [],
      missing_data: {
        without_runtime: 0,
        without_genres: 0,
        without_directors: 0,
        without_actors: 0,
        without_year: 0,
      },
    },
  }) as UserStatsDocument;

const trendsDoc = (updated_at: number): GlobalStatsDocument => ({
  type: "global_trends",
  window: "30d",
  top_movies: [{ movie_id: "ml-1", title: "Toy Story", poster_path: null, count: 3 }],
  trending_genres: [{ genre: "Animation", count: 3, percentage: 100 }],
  total_movies_analyzed: 3,
  source: "streaming_incremental",
  updated_at,
});

describe("statistics and trends before and after the runners wrote them", () => {
  let world: World;
  beforeEach(async () => {
    world = await startWorld();
  });
  afterEach(() => world.close());

  it("given nothing computed, when reading, then 200 not_computed_yet for both", async () => {
    const { token } = await signUp(world, "s@example.com");
    expect((await world.call("GET", "/stats/me", { token })).json().status).toBe("not_computed_yet");
    expect((await world.call("GET", "/trends/global")).json().status).toBe("not_computed_yet");
    expect((await world.call("GET", "/trends/global?window=7d")).json().status).toBe("not_computed_yet");
    expect((await world.call("GET", "/trends/global?window=1y")).status).toBe(400);
  });

  it("given documents written, when reading, then my stats and the window's trends in the earlier shape; nobody else's", async () => {
    const alice = await signUp(world, "a@example.com");
    const bob = await signUp(world, "b@example.com");
    world.readModels.users.set(alice.user_id, statsDoc(alice.user_id, Date.UTC(2026, 10, 1)));
    world.readModels.windows.set("30d", trendsDoc(Date.UTC(2026, 10, 1)));
    const mine = (await world.call("GET", "/stats/me", { token: alice.token })).json();
    expect(mine).toMatchObject({ status: "ready", user_id: alice.user_id, stats: { total_watched: 1 } });
    expect((await world.call("GET", "/stats/me", { token: bob.token })).json().status).toBe(
      "not_computed_yet",
    );
    const trends = await eventuallyAsync(
      async () => (await world.call("GET", "/trends/global?window=30d")).json(),
      (body) => body.type === "global_trends",
      POLL,
    );
    expect(trends).toMatchObject({
      window: "30d",
      top_movies: [{ movie_id: "ml-1", count: 3 }],
      updated_at: "2026-11-01T00:00:00.000Z",
    });
  });

  it("given a live stream, when trends and my stats change, then a trends and a stats event arrive", async () => {
    const alice = await signUp(world, "live@example.com");
    const controller = new AbortController();
    const response = await fetch(`${world.url}/live?token=${encodeURIComponent(alice.token)}`, {
      signal: controller.signal,
    });
    expect(response.headers.get("content-type")).toMatch(/text\/event-stream/);
    const reader = response.body!.getReader();
    let received = "";
    const readUntil = async (pattern: RegExp) => {
      const deadline = Date.now() + 5000;
      while (!pattern.test(received)) {
        if (Date.now() > deadline) throw new Error(`no ${pattern} in ${received}`);
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        received += new TextDecoder().decode(value);
      }
    };
    await readUntil(/: connected/);
    world.readModels.windows.set("30d", trendsDoc(Date.UTC(2026, 10, 2)));
    await readUntil(/event: trends\ndata: \{"updated_at":"2026-11-02T00:00:00.000Z","window":"30d"\}/);
    world.readModels.users.set(alice.user_id, statsDoc(alice.user_id, Date.UTC(2026, 10, 3)));
    await readUntil(/event: stats\ndata: \{"updated_at":"2026-11-03T00:00:00.000Z"\}/);
    controller.abort();
    await eventuallyAsync(
      async () => (await world.call("GET", "/metrics")).text,
      (text) => /cinematch_live_clients 0/.test(text),
      POLL,
    );
  });

  it("given an invalid token, when opening the live stream, then 401", async () => {
    expect((await world.call("GET", "/live?token=nonsense")).status).toBe(401);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, type Embedded, embeddedEnv, freePort, pollUntil, startEmbedded } from "./support.ts";

// A cheap scrypt keeps sign-ups fast; the dashboard build is the web tests' business.
const quick = { CINEMATCH_SCRYPT_N: "1024", CINEMATCH_WEB_BUILD: "never", HOST: "127.0.0.1" };

/** The embedded default on a free port, once it answers GET /health. */
const startHealthy = async (args: ReadonlyArray<string>, env: Record<string, string>): Promise<Embedded> => {
  const port = await freePort();
  const app = startEmbedded([...args], embeddedEnv({ ...env, PORT: String(port) }), port);
  await pollUntil(
    "GET /health",
    app,
    async () => ((await call(app.url, "GET", "/health")).status === 200 ? true : undefined),
    90_000,
  );
  return app;
};

describe("the embedded default, started without real servers", () => {
  let app: Embedded;
  let alice = "";
  let bob = "";
  const topIds = async (window: string) => {
    const trends = await call(app.url, "GET", `/trends/global?window=${window}`);
    return trends.body?.type === "global_trends"
      ? (trends.body.top_movies as Array<{ movie_id: string; count: number }>)
      : undefined;
  };
  const myStats = async (token: string) => {
    const stats = await call(app.url, "GET", "/stats/me", { token });
    return stats.body?.status === "ready" ? stats.body : undefined;
  };

  beforeAll(async () => {
    app = await startHealthy([], quick);
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
  });

  it("given it started, when its output is read, then it prints the URL on localhost and the catalog it loaded", async () => {
    const port = new URL(app.url).port;
    await pollUntil("the URL line", app, async () =>
      app.output().includes(`http://localhost:${port}`) ? true : undefined,
    );
    expect(app.output()).toContain(`CineMatch is running: http://localhost:${port}`);
    expect(app.output()).toMatch(/demo catalog: 31\d\d films from vega-datasets movies\.json/);
  });

  it("given two sign-ups, when they answer, then each user has a bearer token", async () => {
    for (const email of ["alice@example.com", "bob@example.com"]) {
      const answer = await call(app.url, "POST", "/auth/signup", {
        body: { email, password: "correct horse battery" },
      });
      expect(answer.status).toBe(201);
      expect(answer.body.token_type).toBe("Bearer");
    }
    alice = (
      await call(app.url, "POST", "/auth/login", {
        body: { email: "alice@example.com", password: "correct horse battery" },
      })
    ).body.token;
    bob = (
      await call(app.url, "POST", "/auth/login", {
        body: { email: "bob@example.com", password: "correct horse battery" },
      })
    ).body.token;
    expect(alice).not.toBe("");
    expect(bob).not.toBe("");
  });

  it("given the demo catalog, when a user adds films by title (one typed without its accent), then both are resolved and added", async () => {
    const leon = await call(app.url, "POST", "/movies", { token: alice, body: { title: "leon", rating: 9 } });
    expect(leon.status).toBe(201);
    expect(leon.body.entry.movie).toMatchObject({
      title: "Léon",
      movie_id: expect.stringMatching(/^vega-\d+$/),
    });
    const wind = await call(app.url, "POST", "/movies", {
      token: alice,
      body: { title: "Gone with the Wind", year: 1939, rating: 8 },
    });
    expect(wind.status).toBe(201);
    expect(wind.body.entry.movie).toMatchObject({ title: "Gone with the Wind", year: 1939 });
    const again = await call(app.url, "POST", "/movies", {
      token: alice,
      body: { movie_id: wind.body.entry.movie.movie_id },
    });
    expect(again.body.status).toBe("already_present");
  });

  it("given the adds, when the runners have seen them, then the user's statistics count both films", async () => {
    const stats = await pollUntil("alice's stats with 2 films", app, async () => {
      const s = await myStats(alice);
      return s?.stats.total_watched === 2 ? s : undefined;
    });
    expect(stats.stats.rated_count).toBe(2);
    expect(stats.stats.avg_rating).toBe(8.5);
  });

  it("given the adds, when the trends runner has seen them, then both films are in the 30-day trends", async () => {
    const leonId = (await call(app.url, "GET", "/catalog/search?q=leon")).body.results[0].film.movie_id;
    const top = await pollUntil("Léon in the 30-day trends", app, async () => {
      const t = await topIds("30d");
      return t?.some((m) => m.movie_id === leonId) ? t : undefined;
    });
    expect(top.find((m) => m.movie_id === leonId)?.count).toBe(1);
  });

  it("given another user, when they read their films and statistics, then they see none of the first user's", async () => {
    const theirs = await call(app.url, "GET", "/movies", { token: bob });
    expect(theirs.status).toBe(200);
    expect(theirs.body.total).toBe(0);
    const stats = await call(app.url, "GET", "/stats/me", { token: bob });
    expect(stats.body.status).toBe("not_computed_yet");
  });

  it("given a film in the list, when it is removed, then the statistics and the trends drop it", async () => {
    const list = await call(app.url, "GET", "/movies", { token: alice });
    const leon = list.body.items.find((e: { movie: { title: string } }) => e.movie.title === "Léon");
    const removed = await call(app.url, "DELETE", `/movies/${leon.movie.movie_id}`, { token: alice });
    expect(removed.status).toBeLessThan(300);
    await pollUntil("alice's stats with 1 film", app, async () =>
      (await myStats(alice))?.stats.total_watched === 1 ? true : undefined,
    );
    await pollUntil("Léon gone from the trends", app, async () => {
      const t = await topIds("30d");
      return t !== undefined && !t.some((m) => m.movie_id === leon.movie.movie_id) ? true : undefined;
    });
  });

  it("given it runs, when it gets SIGTERM, then it shuts down cleanly with exit status 0", async () => {
    const result = await app.stop();
    expect(result).toEqual({ code: 0, signal: null });
    expect(app.output()).toContain("cinematch: stopped");
  });
});

describe("the embedded default with --demo", () => {
  let app: Embedded;
  beforeAll(async () => {
    app = await startHealthy(["--demo"], {
      ...quick,
      CINEMATCH_DEMO_INTERVAL_MS: "100",
      CINEMATCH_DEMO_USERS: "4",
    });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
  });

  it("given nobody signed up, when the simulated users act, then the trends fill and keep moving", async () => {
    const first = await pollUntil("demo trends", app, async () => {
      const t = await call(app.url, "GET", "/trends/global?window=all");
      return t.body?.type === "global_trends" && t.body.top_movies.length > 0 ? t.body : undefined;
    });
    const moved = await pollUntil("the trends to change", app, async () => {
      const t = await call(app.url, "GET", "/trends/global?window=all");
      return t.body?.updated_at !== first.updated_at ? t.body : undefined;
    });
    expect(moved.total_movies_analyzed).toBeGreaterThan(0);
    expect(app.output()).toContain("4 simulated users");
  });
});

describe("the embedded default when real servers are named", () => {
  it("given KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL, when started, then it points to stack:up and exits 1", async () => {
    const port = await freePort();
    const app = startEmbedded(
      [],
      embeddedEnv(
        {
          ...quick,
          PORT: String(port),
          KAFKA_BOOTSTRAP_SERVERS: "127.0.0.1:1",
          MONGODB_URL: "mongodb://127.0.0.1:1/x",
        },
        true,
      ),
      port,
    );
    const result = await app.exit;
    expect(result.code).toBe(1);
    expect(app.output()).toContain("npm run stack:up");
    expect(app.output()).toContain("--embedded");
  }, 60_000);
});

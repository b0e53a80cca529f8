import { Effect, Option, Redacted } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import { signUp, startWorld, type World } from "./testing/world.ts";

const backlogOf = (text: string) => Number(/^cinematch_outbox_backlog (-?\d+)$/m.exec(text)?.[1]);
const writtenOf = (text: string, kind: string) =>
  Number(
    new RegExp(`^cinematch_store_written_documents_total\\{kind="${kind}"\\} (\\d+)$`, "m").exec(text)?.[1],
  );

describe("/metrics", () => {
  let world: World | undefined;
  afterEach(() => world?.close());

  it("given a store whose backlog count never finishes, when scraped six times at once, then every scrape answers at once with the last count and only one count runs", async () => {
    let counts = 0;
    world = await startWorld({
      config: { metricsBacklogMaxAgeMs: 0, metricsScrapeWaitMs: 5 },
      watchlist: (memory) => ({
        ...memory,
        pendingCount: Effect.suspend(() => {
          counts += 1;
          return Effect.never;
        }),
      }),
    });
    const scrapes = await Promise.all(Array.from({ length: 6 }, () => world!.call("GET", "/metrics")));
    expect(scrapes.map((s) => s.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(scrapes.map((s) => backlogOf(s.text))).toEqual([-1, -1, -1, -1, -1, -1]);
    expect(counts).toBe(1);
  });

  it("given a count younger than its maximum age, when scraped again and again, then the store is counted once", async () => {
    let counts = 0;
    world = await startWorld({
      config: { metricsBacklogMaxAgeMs: 60_000 },
      watchlist: (memory) => ({
        ...memory,
        pendingCount: Effect.suspend(() => {
          counts += 1;
          return memory.pendingCount;
        }),
      }),
    });
    for (let i = 0; i < 5; i++) {
      const scrape = await world.call("GET", "/metrics");
      expect(backlogOf(scrape.text)).toBe(0);
      expect(scrape.text).toMatch(/^cinematch_outbox_backlog_age_seconds \d/m);
    }
    expect(counts).toBe(1);
  });

  it("given two films added and one re-rated, when scraped, then the store's writes are counted by kind under one HELP each", async () => {
    world = await startWorld();
    const { token } = await signUp(world, "writer@example.com");
    for (const movie_id of ["ml-1", "ml-2"]) {
      expect((await world.call("POST", "/movies", { token, body: { movie_id } })).status).toBe(201);
    }
    expect((await world.call("PATCH", "/movies/ml-1", { token, body: { rating: 7 } })).status).toBe(200);

    const scrape = await world.call("GET", "/metrics");
    expect([writtenOf(scrape.text, "insert"), writtenOf(scrape.text, "update")]).toEqual([2, 1]);
    expect(scrape.text).toMatch(/^cinematch_store_write_seconds_total\{kind="clear"\} \d/m);
    expect(scrape.text.match(/^# HELP cinematch_store_write_calls_total /gm)).toHaveLength(1);
  });

  it("given CINEMATCH_METRICS_TOKEN, when scraped without it, with a wrong one and with it, then 401, 401, 200", async () => {
    world = await startWorld({ config: { metricsToken: Option.some(Redacted.make("scrape-secret")) } });
    const none = await world.call("GET", "/metrics");
    const wrong = await world.call("GET", "/metrics", { token: "nope" });
    const right = await world.call("GET", "/metrics", { token: "scrape-secret" });
    expect([none.status, wrong.status, right.status]).toEqual([401, 401, 200]);
    expect(right.text).toMatch(/http_requests_total/);
  });

  it("given no metrics token, when a request forwarded by a proxy scrapes, then 403; straight from this machine, 200", async () => {
    world = await startWorld();
    const forwarded = await world.call("GET", "/metrics", { headers: { "x-forwarded-for": "203.0.113.9" } });
    expect(forwarded.status).toBe(403);
    expect((await world.call("GET", "/metrics")).status).toBe(200);
  });
});

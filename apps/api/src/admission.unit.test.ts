import { Effect } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import { POLL, signUp, startWorld, type World } from "./testing/world.ts";

describe("an API at its concurrent-request bound", () => {
  let world: World | undefined;
  afterEach(() => world?.close());

  it("given two slots and a store that stalls, when six lists are asked at once, then only two reach the store, all six answer 503 by the deadline, the cached trends still answer, and the slots come back once the store answers", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let stalled = false;
    let running = 0;
    let mostAtOnce = 0;
    let reachedStore = 0;
    world = await startWorld({
      config: { requestDeadlineMs: 300, maxConcurrentRequests: 2 },
      watchlist: (memory) => ({
        ...memory,
        list: (user_id, page) =>
          Effect.suspend(() => {
            if (!stalled) return memory.list(user_id, page);
            reachedStore += 1;
            running += 1;
            mostAtOnce = Math.max(mostAtOnce, running);
            return Effect.promise(() => gate).pipe(
              Effect.zipRight(memory.list(user_id, page)),
              Effect.ensuring(Effect.sync(() => (running -= 1))),
            );
          }),
      }),
    });
    const { token } = await signUp(world, "bound@example.com");
    stalled = true;

    const answers = await Promise.all(
      Array.from({ length: 6 }, () => world!.call("GET", "/movies", { token })),
    );
    expect(answers.map((a) => a.status)).toEqual([503, 503, 503, 503, 503, 503]);
    expect(reachedStore).toBe(2);
    expect(mostAtOnce).toBe(2);
    // The two cut-off handlers still hold their slots: a new list waits and is refused too, while
    // what needs no slot answers.
    expect((await world.call("GET", "/movies", { token })).status).toBe(503);
    expect(reachedStore).toBe(2);
    expect((await world.call("GET", "/health")).status).toBe(200);
    expect((await world.call("GET", "/trends/global?window=7d")).status).toBe(200);

    stalled = false;
    release();
    const deadline = Date.now() + POLL.timeoutMs;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await world.call("GET", "/movies", { token })).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, POLL.intervalMs));
    }
    expect(status).toBe(200);
  });

  it("given one slot held by a stalled list and one request waiting, when a third comes, then it is answered 503 at once (the capacity, not the deadline), with Retry-After, and /metrics shows the line", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let stalled = false;
    world = await startWorld({
      // A deadline far beyond the test's own timeout: only the line's bound can answer in time.
      config: { requestDeadlineMs: 600_000, maxConcurrentRequests: 1, maxWaitingRequests: 1 },
      watchlist: (memory) => ({
        ...memory,
        list: (user_id, page) =>
          stalled
            ? Effect.promise(() => gate).pipe(Effect.zipRight(memory.list(user_id, page)))
            : memory.list(user_id, page),
      }),
    });
    const { token } = await signUp(world, "line@example.com");
    stalled = true;
    const held = world.call("GET", "/movies", { token });
    const waiting = world.call("GET", "/movies", { token });
    const deadline = Date.now() + POLL.timeoutMs;
    let metrics = "";
    while (Date.now() < deadline && !metrics.includes("cinematch_http_requests_waiting 1")) {
      metrics = (await world.call("GET", "/metrics")).text;
      if (!metrics.includes("cinematch_http_requests_waiting 1"))
        await new Promise((resolve) => setTimeout(resolve, POLL.intervalMs));
    }
    expect(metrics).toContain("cinematch_http_requests_running 1");
    expect(metrics).toContain("cinematch_http_requests_waiting 1");

    const refused = await world.call("GET", "/movies", { token });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(refused.json()).toMatchObject({
      error: "unavailable",
      message: expect.stringContaining("at capacity"),
    });

    stalled = false;
    release();
    expect((await held).status).toBe(200);
    expect((await waiting).status).toBe(200);
  });
});

import { Effect } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import { signUp, startWorld, type World } from "./testing/world.ts";

describe("an API whose store stops answering", () => {
  let world: World | undefined;
  afterEach(() => world?.close());

  it("given reads and writes that hang, when called, then 503 unavailable with Retry-After; once the store answers again, the same calls succeed without a restart", async () => {
    let hanging = false;
    const hangWhileDown = <A, E>(effect: Effect.Effect<A, E>) =>
      Effect.suspend(() => (hanging ? Effect.never : effect));
    world = await startWorld({
      config: { requestDeadlineMs: 300 },
      watchlist: (memory) => ({
        ...memory,
        list: (user_id, page) => hangWhileDown(memory.list(user_id, page)),
        get: (user_id, movie_id) => hangWhileDown(memory.get(user_id, movie_id)),
        commit: (write) => hangWhileDown(memory.commit(write)),
      }),
    });
    const { token } = await signUp(world, "down@example.com");
    hanging = true;
    const answers = await Promise.all([
      world.call("GET", "/movies", { token }),
      world.call("POST", "/movies", { token, body: { movie_id: "ml-1" } }),
      world.call("GET", "/movies/ml-1", { token }),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(answer.json().error).toBe("unavailable");
      expect(Number(answer.headers.get("retry-after"))).toBeGreaterThan(0);
    }
    // What needs no store still answers.
    expect((await world.call("GET", "/health")).status).toBe(200);
    expect((await world.call("GET", "/catalog/search?q=heat")).status).toBe(200);

    hanging = false;
    expect((await world.call("POST", "/movies", { token, body: { movie_id: "ml-2" } })).status).toBe(201);
    expect((await world.call("GET", "/movies", { token })).json().total).toBe(1);
  });
});

import { jsonDecoderFor, USER_MOVIE_EVENTS_TOPIC, WatchlistEvent } from "@cinematch/domain";
import { Either } from "effect";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eventuallyAsync } from "@cinematch/adapters/testing";
import { POLL, signUp, startWorld, type World } from "./testing/world.ts";

const decode = jsonDecoderFor(WatchlistEvent, "event");
const backlogOf = (metrics: string) => Number(/^cinematch_outbox_backlog (-?\d+)$/m.exec(metrics)?.[1]);

describe("the API's outbox", () => {
  let world: World;
  beforeEach(async () => {
    world = await startWorld();
  });
  afterEach(() => world.close());

  const topic = async () =>
    (await world.run(world.control.records(USER_MOVIE_EVENTS_TOPIC))).map((record) => ({
      key: record.key,
      event: Either.getOrThrow(decode(record.value)),
    }));

  it("given the broker up, when a film is added, then the answer comes once it is stored and its ADD follows on the topic", async () => {
    const alice = await signUp(world, "up@example.com");
    expect(
      (await world.call("POST", "/movies", { token: alice.token, body: { movie_id: "ml-1" } })).status,
    ).toBe(201);
    const events = await eventuallyAsync(topic, (found) => found.length > 0, POLL);
    expect(events.map((e) => [e.key, e.event.event_type, e.event.movie.movie_id])).toEqual([
      [alice.user_id, "ADD", "ml-1"],
    ]);
    expect(
      backlogOf(
        await eventuallyAsync(
          async () => (await world.call("GET", "/metrics")).text,
          (text) => backlogOf(text) === 0,
          POLL,
        ),
      ),
    ).toBe(0);
  });

  it("given the broker down, when users write, then writes succeed, the backlog shows, and it drains in order per user once it returns", async () => {
    const alice = await signUp(world, "alice@example.com");
    const bob = await signUp(world, "bob@example.com");
    await world.run(world.control.setBrokerDown(true));

    const writes: Array<[string, string, string, unknown?]> = [
      [alice.token, "POST", "/movies", { movie_id: "ml-1" }],
      [bob.token, "POST", "/movies", { movie_id: "ml-1" }],
      [alice.token, "POST", "/movies", { movie_id: "ml-2" }],
      [alice.token, "PATCH", "/movies/ml-1", { rating: 7 }],
      [bob.token, "POST", "/movies", { title: "Heat" }],
      [alice.token, "DELETE", "/movies/ml-2"],
      [bob.token, "PATCH", "/movies/ml-5", { rating: 3 }],
      [alice.token, "POST", "/movies", { movie_id: "ml-2" }],
    ];
    for (const [token, method, path, body] of writes) {
      const response = await world.call(method, path, { token, ...(body === undefined ? {} : { body }) });
      expect(response.status).toBeLessThan(300);
    }
    const whileDown = (await world.call("GET", "/metrics")).text;
    expect(backlogOf(whileDown)).toBe(8);
    expect(whileDown).toMatch(/cinematch_outbox_degraded 1/);
    expect(await topic()).toEqual([]);

    await world.run(world.control.setBrokerDown(false));
    const drained = await eventuallyAsync(
      async () => (await world.call("GET", "/metrics")).text,
      (text) => backlogOf(text) === 0 && /cinematch_outbox_degraded 0/.test(text),
      POLL,
    );
    expect(drained).toMatch(/cinematch_events_published_total 8/);

    const events = await topic();
    const ids = events.map((e) => e.event.event_id);
    expect(new Set(ids).size).toBe(8);
    const story = (user: string) =>
      events.filter((e) => e.key === user).map((e) => `${e.event.event_type}:${e.event.movie.movie_id}`);
    expect(story(alice.user_id)).toEqual(["ADD:ml-1", "ADD:ml-2", "UPDATE:ml-1", "DELETE:ml-2", "ADD:ml-2"]);
    expect(story(bob.user_id)).toEqual(["ADD:ml-1", "ADD:ml-5", "UPDATE:ml-5"]);

    // Back to normal: the next write is published again.
    await world.call("POST", "/movies", { token: bob.token, body: { movie_id: "ml-2" } });
    expect((await eventuallyAsync(topic, (found) => found.length >= 9, POLL)).length).toBe(9);
  });
});

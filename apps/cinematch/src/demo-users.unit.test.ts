import { type CatalogEntry, WatchlistCommands, type WatchlistCommandsService } from "@cinematch/adapters";
import { Duration, Effect, Layer, Option, TestClock, TestContext } from "effect";
import { describe, expect, it } from "vitest";
import { type DemoAction, DemoUsersLive, makeDemoPlan, seededRandom } from "./demo-users.ts";

const catalog: CatalogEntry[] = Array.from({ length: 200 }, (_, i) => ({
  film: {
    movie_id: `vega-${i}`,
    title: `Film ${i}`,
    year: 1990 + (i % 20),
    genres: [i % 2 ? "Drama" : "Comedy"],
  },
}));
const options = { users: 5, intervalMs: 1000, seed: 7, historyPerUser: 4 };

const play = (seed: number, steps: number) => {
  const plan = makeDemoPlan(catalog, { ...options, seed });
  const actions: DemoAction[] = [];
  for (let k = 0; k < steps; k++) {
    const action = plan.next();
    actions.push(action);
    plan.applied(action, true);
  }
  return { plan, actions };
};

describe("a demo session's plan", () => {
  it("given one seed, when played twice, then the sessions are identical", () => {
    expect(play(3, 300).actions).toEqual(play(3, 300).actions);
    expect(play(3, 300).actions).not.toEqual(play(4, 300).actions);
  });

  it("given any session, when played, then users only rate or remove films on their own list", () => {
    const plan = makeDemoPlan(catalog, options);
    for (let k = 0; k < 2000; k++) {
      const action = plan.next();
      if (action.kind !== "add") expect(plan.lists.get(action.user_id)?.has(action.movie_id)).toBe(true);
      plan.applied(action, true);
    }
  });

  it("given a long session, when the adds are counted, then all three kinds of change happen and a few films lead", () => {
    const { actions } = play(11, 3000);
    const kinds = new Set(actions.map((a) => a.kind));
    expect(kinds).toEqual(new Set(["add", "rate", "remove"]));
    const counts = new Map<string, number>();
    for (const a of actions)
      if (a.kind === "add") counts.set(a.film.movie_id, (counts.get(a.film.movie_id) ?? 0) + 1);
    const adds = [...counts.values()].reduce((x, y) => x + y, 0);
    const top10 = [...counts.values()]
      .sort((x, y) => y - x)
      .slice(0, 10)
      .reduce((x, y) => x + y, 0);
    expect(top10 / adds).toBeGreaterThan(0.3);
  });

  it("given any session, when ratings are drawn, then each is on the 0.5-10 scale in steps of 0.5", () => {
    const plan = makeDemoPlan(catalog, options);
    for (let k = 0; k < 1000; k++) {
      const r = plan.rating();
      expect(r).toBeGreaterThanOrEqual(0.5);
      expect(r).toBeLessThanOrEqual(10);
      expect(Number.isInteger(r * 2)).toBe(true);
    }
  });

  it("given an empty catalog, when planned, then it fails loudly", () => {
    expect(() => makeDemoPlan([], options)).toThrow(/at least one film/);
  });

  it("given a seed, when the generator runs, then it yields floats in [0, 1)", () => {
    const random = seededRandom(1);
    for (let k = 0; k < 1000; k++) {
      const x = random();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });
});

describe("the demo users running", () => {
  it("given the layer, when three intervals pass, then the history and then one change per interval go through WatchlistCommands", async () => {
    const calls: Array<{ kind: string; user_id: string; added_at?: number | undefined }> = [];
    const recording: WatchlistCommandsService = {
      add: (user_id, input) =>
        Effect.sync(() => {
          calls.push({ kind: "add", user_id, added_at: input.added_at });
          return {
            status: "added" as const,
            entry: { user_id, movie: input.movie, watched_at: 0, added_at: input.added_at ?? 0 },
          };
        }),
      update: (user_id) =>
        Effect.sync(() => {
          calls.push({ kind: "rate", user_id });
          return Option.none();
        }),
      remove: (user_id) =>
        Effect.sync(() => {
          calls.push({ kind: "remove", user_id });
          return Option.none();
        }),
    };
    const program = Effect.gen(function* () {
      yield* TestClock.adjust(Duration.days(100));
      yield* Layer.launch(DemoUsersLive(catalog, options)).pipe(Effect.forkScoped);
      yield* Effect.yieldNow();
      yield* TestClock.adjust(Duration.millis(3 * options.intervalMs));
      yield* Effect.yieldNow();
    });
    await Effect.runPromise(
      program.pipe(
        Effect.scoped,
        Effect.provide(Layer.succeed(WatchlistCommands, recording)),
        Effect.provide(TestContext.TestContext),
      ),
    );
    const history = calls.slice(0, options.users * options.historyPerUser);
    expect(history.every((c) => c.kind === "add" && c.added_at !== undefined)).toBe(true);
    const now = 100 * 24 * 3600 * 1000;
    expect(history.every((c) => c.added_at! <= now && c.added_at! > now - 61 * 24 * 3600 * 1000)).toBe(true);
    expect(calls.length).toBe(options.users * options.historyPerUser + 3);
  });
});

import { type CatalogEntry, WatchlistCommands } from "@cinematch/adapters";
import type { Film } from "@cinematch/domain";
import { Clock, Duration, Effect, Layer, Option } from "effect";

/**
 * `npm start -- --demo`: a handful of simulated users who add, rate and remove films about once a
 * second, through the same `WatchlistCommands` the API uses (so through the outbox, the event log
 * and both runners), so that the trends move while a newcomer looks at the dashboard.
 *
 * Each user first gets a short history spread over the past 60 days (`added_at` in the past, as a
 * replay may set it), so the 7-day, 30-day and all-time rankings differ from the start. Films are
 * drawn from a few dozen "popular" ones most of the time, so a top 10 forms. Randomness comes from
 * a seeded generator: the same seed plays the same session.
 */
export interface DemoOptions {
  readonly users: number;
  readonly intervalMs: number;
  readonly seed: number;
  /** Films each user has watched before the session starts. */
  readonly historyPerUser: number;
}

export const defaultDemoOptions: DemoOptions = { users: 6, intervalMs: 1000, seed: 42, historyPerUser: 12 };

/** mulberry32: a tiny seeded generator of floats in [0, 1). */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

export type DemoAction =
  | { readonly kind: "add"; readonly user_id: string; readonly film: Film; readonly rating?: number }
  | { readonly kind: "rate"; readonly user_id: string; readonly movie_id: string; readonly rating: number }
  | { readonly kind: "remove"; readonly user_id: string; readonly movie_id: string };

export const demoUserId = (n: number): string => `demo-user-${n}`;

/**
 * The simulation's state and its next move, without any I/O: `next()` says what a random user does
 * now, `applied()` records what really happened (an add of a film already there changes nothing).
 */
export const makeDemoPlan = (catalog: ReadonlyArray<CatalogEntry>, options: DemoOptions) => {
  if (catalog.length === 0) throw new Error("the demo needs a catalog with at least one film");
  const random = seededRandom(options.seed);
  const pick = <A>(items: ReadonlyArray<A>): A => items[Math.floor(random() * items.length)]!;
  // A few dozen popular films, picked once, carry most of the activity; the rest is the long tail.
  const shuffled = [...catalog];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const popular = shuffled.slice(0, Math.min(40, shuffled.length));
  const film = (): Film => {
    if (random() < 0.8) {
      // Within the popular films, lower ranks are likelier (a Zipf-like skew).
      const rank = Math.floor(popular.length * random() ** 2);
      return popular[rank]!.film;
    }
    return pick(catalog).film;
  };
  const rating = (): number =>
    Math.min(10, Math.max(0.5, Math.round((5 + 5 * random() + 3 * random() - 2) * 2) / 2));
  const users = Array.from({ length: options.users }, (_, i) => demoUserId(i + 1));
  const lists = new Map<string, Set<string>>(users.map((u) => [u, new Set<string>()]));

  const next = (): DemoAction => {
    const user_id = pick(users);
    const list = lists.get(user_id)!;
    const roll = random();
    if (list.size < 3 || roll < 0.6) {
      const chosen = film();
      return random() < 0.85
        ? { kind: "add", user_id, film: chosen, rating: rating() }
        : { kind: "add", user_id, film: chosen };
    }
    const movie_id = pick([...list]);
    return roll < 0.8
      ? { kind: "rate", user_id, movie_id, rating: rating() }
      : { kind: "remove", user_id, movie_id };
  };

  const applied = (action: DemoAction, changed: boolean) => {
    const list = lists.get(action.user_id)!;
    if (action.kind === "add") list.add(action.film.movie_id);
    else if (action.kind === "remove" || !changed) list.delete(action.movie_id);
  };

  return { users, next, applied, film, rating, random, lists };
};

/** The simulation as a layer: history first, then one action per interval until the scope closes. */
export const DemoUsersLive = (
  catalog: ReadonlyArray<CatalogEntry>,
  options: DemoOptions = defaultDemoOptions,
): Layer.Layer<never, never, WatchlistCommands> =>
  Layer.scopedDiscard(
    Effect.gen(function* () {
      const commands = yield* WatchlistCommands;
      const plan = makeDemoPlan(catalog, options);
      const day = 24 * 3600 * 1000;

      const history = Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis;
        for (const user_id of plan.users) {
          for (let k = 0; k < options.historyPerUser; k++) {
            const at = now - Math.floor(plan.random() * 60 * day);
            const film = plan.film();
            const result = yield* commands.add(user_id, {
              movie: film,
              rating: plan.rating(),
              watched_at: at,
              added_at: at,
            });
            plan.applied({ kind: "add", user_id, film }, result.status === "added");
          }
        }
      });

      const step = Effect.gen(function* () {
        const action = plan.next();
        switch (action.kind) {
          case "add": {
            const result = yield* commands.add(action.user_id, {
              movie: action.film,
              ...(action.rating === undefined ? {} : { rating: action.rating }),
            });
            plan.applied(action, result.status === "added");
            break;
          }
          case "rate": {
            const changed = yield* commands.update(action.user_id, action.movie_id, {
              rating: action.rating,
            });
            plan.applied(action, Option.isSome(changed));
            break;
          }
          case "remove": {
            const removed = yield* commands.remove(action.user_id, action.movie_id);
            plan.applied(action, Option.isSome(removed));
            break;
          }
        }
        yield* Effect.logDebug("demo user", action.kind, action.user_id);
      });

      const session = Effect.gen(function* () {
        yield* history;
        yield* Effect.logInfo(
          `demo: ${options.users} simulated users (${plan.users[0]}…) add, rate and remove a film every ${options.intervalMs} ms`,
        );
        for (;;) {
          yield* Effect.sleep(Duration.millis(options.intervalMs));
          // A failed step (a store hiccup) is logged and the session goes on.
          yield* step.pipe(
            Effect.catchAll((error) => Effect.logWarning("demo: a simulated change failed", error)),
          );
        }
      });
      yield* Effect.forkScoped(
        session.pipe(
          Effect.catchAll((error) => Effect.logWarning("demo: the simulated history failed", error)),
        ),
      );
    }),
  );

import { WatchlistStore } from "@cinematch/adapters";
import { Duration, Effect, Fiber, type Scope } from "effect";

/**
 * The outbox backlog for `/metrics`, without a scrape ever waiting on a collection scan (counting
 * pending events is one on FerretDB: seconds on a large collection). A scrape reads the last
 * count; when it is older than `maxAgeMs` a new count starts in the background, one at a time, and
 * the scrape waits for it only `waitMs` (enough for an in-memory store or an indexed MongoDB).
 */
export interface BacklogGauge {
  /** The last count (`-1`: none yet or the last one failed) and its age in seconds. */
  readonly read: Effect.Effect<{ readonly value: number; readonly ageSeconds: number }>;
}

export const makeBacklogGauge = (options: {
  readonly maxAgeMs: number;
  readonly waitMs: number;
}): Effect.Effect<BacklogGauge, never, WatchlistStore | Scope.Scope> =>
  Effect.gen(function* () {
    const store = yield* WatchlistStore;
    const scope = yield* Effect.scope;
    let value = -1;
    let countedAt = Number.NEGATIVE_INFINITY;
    let counting: Fiber.RuntimeFiber<void> | undefined;

    const count = store.pendingCount.pipe(
      Effect.timeout(Duration.seconds(60)),
      Effect.match({
        onFailure: () => {
          value = -1;
        },
        onSuccess: (n) => {
          value = n;
        },
      }),
      Effect.zipRight(
        Effect.sync(() => {
          countedAt = performance.now();
          counting = undefined;
        }),
      ),
    );

    const read = Effect.gen(function* () {
      if (counting === undefined && performance.now() - countedAt >= options.maxAgeMs) {
        counting = yield* Effect.forkIn(count, scope);
      }
      if (counting !== undefined && options.waitMs > 0) {
        yield* Effect.timeout(Fiber.join(counting), Duration.millis(options.waitMs)).pipe(Effect.option);
      }
      const age = countedAt === Number.NEGATIVE_INFINITY ? -1 : (performance.now() - countedAt) / 1000;
      return { value, ageSeconds: age };
    });
    return { read };
  });

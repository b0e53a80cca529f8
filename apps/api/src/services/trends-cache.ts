import { GlobalStatsStore } from "@cinematch/adapters";
import { GlobalStatsDocument, NotComputedYet, TREND_WINDOWS, type TrendWindow } from "@cinematch/domain";
import { Duration, Effect, Option, Schema, type Scope } from "effect";

/**
 * `GET /trends/global` answers from here: a copy of each window's `global_stats` document, already
 * serialized, refreshed from the store every `refreshMs` by one background fiber. So the hot path
 * is a map lookup, and the store sees a few reads per second whatever the request rate.
 */
export interface TrendsCache {
  /** The JSON answer for the window (the document, or `not_computed_yet`). */
  readonly body: (window: TrendWindow) => string;
  /** `updated_at` of the window's document, when there is one. */
  readonly updatedAt: (window: TrendWindow) => number | undefined;
  /** Called after a refresh that saw any window's `updated_at` change. */
  readonly onChange: (listener: (windows: ReadonlyArray<TrendWindow>) => void) => () => void;
  /** One refresh now (tests; the loop does it every `refreshMs`). */
  readonly refresh: Effect.Effect<void>;
}

const encodeDocument = Schema.encodeSync(GlobalStatsDocument);
const encodeNotComputed = Schema.encodeSync(NotComputedYet);

const notComputedBody = (window: TrendWindow) =>
  JSON.stringify(
    encodeNotComputed({
      status: "not_computed_yet",
      message: `no trends for window ${window} yet: the trends runner has not written them`,
    }),
  );

export const makeTrendsCache = (
  refreshMs: number,
): Effect.Effect<TrendsCache, never, GlobalStatsStore | Scope.Scope> =>
  Effect.gen(function* () {
    const store = yield* GlobalStatsStore;
    const bodies = new Map<TrendWindow, string>(TREND_WINDOWS.map((w) => [w, notComputedBody(w)]));
    const updated = new Map<TrendWindow, number>();
    const listeners = new Set<(windows: ReadonlyArray<TrendWindow>) => void>();
    let failing = false;

    const refresh = Effect.gen(function* () {
      const changed: Array<TrendWindow> = [];
      for (const window of TREND_WINDOWS) {
        const doc = yield* store.get(window);
        if (Option.isNone(doc)) continue;
        if (updated.get(window) === doc.value.updated_at && bodies.has(window)) continue;
        bodies.set(window, JSON.stringify(encodeDocument(doc.value)));
        updated.set(window, doc.value.updated_at);
        changed.push(window);
      }
      if (failing) {
        failing = false;
        yield* Effect.logInfo("trends cache: reading global_stats again");
      }
      if (changed.length > 0) for (const listener of listeners) listener(changed);
    }).pipe(
      Effect.catchAll((error) =>
        failing
          ? Effect.void
          : Effect.sync(() => {
              failing = true;
            }).pipe(
              Effect.zipRight(
                Effect.logWarning(
                  "trends cache: cannot read global_stats; serving the last copy",
                  error.message,
                ),
              ),
            ),
      ),
    );

    yield* refresh;
    yield* Effect.forkScoped(
      Effect.forever(Effect.zipRight(Effect.sleep(Duration.millis(refreshMs)), refresh)),
    );

    return {
      body: (window) => bodies.get(window) ?? notComputedBody(window),
      updatedAt: (window) => updated.get(window),
      onChange: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      refresh,
    };
  });

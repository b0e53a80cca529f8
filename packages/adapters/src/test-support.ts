import { Cause, Clock, Duration, Effect } from "effect";

/**
 * Test helpers shared by every test tier of the project (exported through `@cinematch/adapters/testing`).
 * Readiness is polled, never slept: every wait in a test goes through `eventually`.
 */

export interface EventuallyOptions {
  /** Give up after this long. Default 20 000 ms. */
  readonly timeoutMs?: number;
  /** Pause between attempts. Default 25 ms. */
  readonly intervalMs?: number;
}

/**
 * Runs `check` until it succeeds (no failure, no defect such as a failed `expect`) and returns its
 * value; after `timeoutMs` dies with the last attempt's cause, so the test fails saying why.
 */
export const eventually = <A, E, R>(
  check: Effect.Effect<A, E, R>,
  options: EventuallyOptions = {},
): Effect.Effect<A, never, R> =>
  Effect.gen(function* () {
    const timeoutMs = options.timeoutMs ?? 20_000;
    const interval = Duration.millis(options.intervalMs ?? 25);
    const deadline = (yield* Clock.currentTimeMillis) + timeoutMs;
    while (true) {
      const exit = yield* Effect.exit(check);
      if (exit._tag === "Success") return exit.value;
      if ((yield* Clock.currentTimeMillis) >= deadline) {
        return yield* Effect.dieMessage(
          `condition still not met after ${timeoutMs} ms; last attempt: ${Cause.pretty(exit.cause)}`,
        );
      }
      yield* Effect.sleep(interval);
    }
  });

/**
 * `eventually` for a probe whose value must pass `holds`; the failure shows the last value.
 */
export const eventuallyHolds = <A, E, R>(
  probe: Effect.Effect<A, E, R>,
  holds: (value: A) => boolean,
  options: EventuallyOptions = {},
): Effect.Effect<A, never, R> =>
  eventually(
    Effect.flatMap(probe, (value) =>
      holds(value) ? Effect.succeed(value) : Effect.dieMessage(`last value: ${JSON.stringify(value)}`),
    ),
    options,
  );

/**
 * `eventuallyHolds` for tests written with promises (HTTP probes of a running process). A probe
 * that rejects is tried again, like one whose value does not hold yet.
 */
export const eventuallyAsync = <A>(
  probe: () => Promise<A>,
  holds: (value: A) => boolean,
  options: EventuallyOptions = {},
): Promise<A> => Effect.runPromise(eventuallyHolds(Effect.promise(probe), holds, options));

/** A name no other test run uses (topics, groups, databases): `<prefix>-<time>-<random>`. */
export const uniqueName = (prefix: string): string =>
  `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/**
 * Reads a variable an integration test cannot run without, and throws (failing the test file
 * loudly, never skipping) when it is unset.
 */
export const requireEnv = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value.trim() === "") {
    throw new Error(
      `${name} is not set: integration tests need the real servers. Start them with ` +
        '`eval "$(bash scripts/infra/up.sh)"` (from the repository root) and run again.',
    );
  }
  return value;
};

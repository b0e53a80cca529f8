import { Clock, Duration, Effect } from "effect";

/**
 * A clock that reads the real time plus an adjustable offset and sleeps in real time: the runner's
 * `now` can be moved (to slide the windows in a test or a demo) while its timers, and every I/O
 * library's, keep real time. Provide it with `Effect.withClock(clock)`.
 */
export interface ShiftedClock {
  readonly clock: Clock.Clock;
  readonly offsetMs: () => number;
  readonly setOffsetMs: (offset: number) => void;
}

export const makeShiftedClock = (initialOffsetMs = 0): ShiftedClock => {
  let offset = initialOffsetMs;
  const millis = () => Date.now() + offset;
  const clock: Clock.Clock = {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: millis,
    unsafeCurrentTimeNanos: () => BigInt(millis()) * 1_000_000n,
    currentTimeMillis: Effect.sync(millis),
    currentTimeNanos: Effect.sync(() => BigInt(millis()) * 1_000_000n),
    sleep: (duration: Duration.Duration) =>
      Effect.async<void>((resume) => {
        const timer = setTimeout(() => resume(Effect.void), Duration.toMillis(duration));
        return Effect.sync(() => clearTimeout(timer));
      }),
  };
  return {
    clock,
    offsetMs: () => offset,
    setOffsetMs: (next) => {
      offset = next;
    },
  };
};

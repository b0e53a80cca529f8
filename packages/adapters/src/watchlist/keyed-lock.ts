import { Effect } from "effect";

/** One lock per key while someone holds or waits for it; forgotten when the last one leaves. */
export const makeKeyedLock = () => {
  const locks = new Map<string, { readonly semaphore: Effect.Semaphore; users: number }>();
  return <A, E, R>(key: string, body: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.suspend(() => {
      let lock = locks.get(key);
      if (lock === undefined) {
        lock = { semaphore: Effect.unsafeMakeSemaphore(1), users: 0 };
        locks.set(key, lock);
      }
      const held = lock;
      held.users += 1;
      return held.semaphore
        .withPermits(1)(body)
        .pipe(
          Effect.ensuring(
            Effect.sync(() => {
              held.users -= 1;
              if (held.users === 0) locks.delete(key);
            }),
          ),
        );
    });
};

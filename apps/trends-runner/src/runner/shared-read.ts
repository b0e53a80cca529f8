import { Deferred, Effect, type Exit, FiberId } from "effect";

/**
 * A read that callers arriving together share, where each caller still gets a read that BEGAN AFTER
 * it asked: a caller that finds no read queued queues one (adding its key); a caller arriving while
 * a read runs waits for the next. One read runs at a time, for every key queued for it.
 *
 * Why: a partition's state must be read after the partition's claim, and its bootstrap must read
 * the stored entries after its start position was taken; a read that began earlier could miss what
 * a predecessor or the outbox wrote just before. When six partitions are assigned at once (a first
 * start, a rebalance), six full reads ran side by side; on FerretDB each decodes a whole collection
 * (in the peer bench six bootstrap reads took 41 s on 10,000 entries). Batched this way they take
 * one read, or two.
 */
export const makeBatchedRead = <K, A, E>(
  readMany: (keys: ReadonlyArray<K>) => Effect.Effect<(key: K) => A, E>,
): ((key: K) => Effect.Effect<A, E>) => {
  interface Queued {
    readonly keys: Array<K>;
    readonly done: Deferred.Deferred<(key: K) => A, E>;
  }
  /** The next read's keys and waiters (not begun yet), or none queued. */
  let queued: Queued | undefined;
  let running = false;
  const drive: Effect.Effect<void> = Effect.suspend(() => {
    const next = queued;
    if (next === undefined) {
      running = false;
      return Effect.void;
    }
    queued = undefined;
    return Effect.exit(readMany(next.keys)).pipe(
      Effect.flatMap((exit: Exit.Exit<(key: K) => A, E>) => Deferred.done(next.done, exit)),
      Effect.zipRight(drive),
    );
  });
  return (key) =>
    Effect.suspend(() => {
      // Synchronous up to the fork: no other fiber can run between the check and the assignment.
      if (queued === undefined) queued = { keys: [], done: Deferred.unsafeMake(FiberId.none) };
      const mine = queued;
      mine.keys.push(key);
      const start = running
        ? Effect.void
        : Effect.suspend(() => {
            running = true;
            // A daemon: the waiters of one read are many partitions; none of them owns it.
            return Effect.asVoid(Effect.forkDaemon(drive));
          });
      return start.pipe(
        Effect.zipRight(Deferred.await(mine.done)),
        Effect.map((valueFor) => valueFor(key)),
      );
    });
};

/** `makeBatchedRead` of a read that takes no key: callers arriving together share one read. */
export const makeSharedRead = <A, E>(read: Effect.Effect<A, E>): Effect.Effect<A, E> =>
  makeBatchedRead<null, A, E>(() => Effect.map(read, (value) => () => value))(null);

import { Deferred, Effect, type Exit, FiberId } from "effect";

/**
 * A read that callers arriving together share, where each caller still gets a read that BEGAN AFTER
 * it asked: a caller that finds no read queued queues one; a caller arriving while a read runs waits
 * for the next. One read runs at a time.
 *
 * Why: every partition's bootstrap reads all the stored entries after taking its start position, and
 * a read that began before a start position was taken could miss an entry published just before it.
 * When six partitions are assigned at once (a first start, a rebalance), six full reads of `movies`
 * ran side by side: on FerretDB each decodes the whole collection, and in the peer bench the six took
 * 41 s on 10,000 entries. Shared this way they take one read, or two.
 */
export const makeSharedRead = <A, E>(read: Effect.Effect<A, E>): Effect.Effect<A, E> => {
  /** The next read's waiters (not begun yet), or none queued. */
  let queued: Deferred.Deferred<A, E> | undefined;
  let running = false;
  const drive: Effect.Effect<void> = Effect.suspend(() => {
    const waiters = queued;
    if (waiters === undefined) {
      running = false;
      return Effect.void;
    }
    queued = undefined;
    return Effect.exit(read).pipe(
      Effect.flatMap((exit: Exit.Exit<A, E>) => Deferred.done(waiters, exit)),
      Effect.zipRight(drive),
    );
  });
  return Effect.suspend(() => {
    // Synchronous up to the fork: no other fiber can run between the check and the assignment.
    let waiters = queued;
    if (waiters === undefined) {
      waiters = Deferred.unsafeMake<A, E>(FiberId.none);
      queued = waiters;
    }
    const start = running
      ? Effect.void
      : Effect.suspend(() => {
          running = true;
          // A daemon: the waiters of one read are many bootstraps; none of them owns it.
          return Effect.asVoid(Effect.forkDaemon(drive));
        });
    return Effect.zipRight(start, Deferred.await(waiters));
  });
};

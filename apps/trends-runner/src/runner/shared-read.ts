import { Deferred, type Duration, Effect, Exit, FiberId } from "effect";

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
  options: {
    /** What a read waits for before it begins: callers known to be on their way (see `makeArrivals`). */
    readonly gathered?: Effect.Effect<void>;
  } = {},
): ((key: K) => Effect.Effect<A, E>) => {
  const gathered = options.gathered ?? Effect.void;
  interface Queued {
    readonly keys: Array<K>;
    readonly done: Deferred.Deferred<(key: K) => A, E>;
  }
  /** The next read's keys and waiters (not begun yet), or none queued. */
  let queued: Queued | undefined;
  let running = false;
  const drive: Effect.Effect<void> = Effect.suspend(() => {
    if (queued === undefined) {
      running = false;
      return Effect.void;
    }
    return gathered.pipe(
      Effect.zipRight(
        Effect.suspend(() => {
          // Only `drive` empties the queue: the waiters queued while it gathered are all here.
          const next = queued!;
          queued = undefined;
          return Effect.exit(readMany(next.keys)).pipe(
            Effect.flatMap((exit: Exit.Exit<(key: K) => A, E>) => Deferred.done(next.done, exit)),
          );
        }),
      ),
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

/**
 * Callers on their way to a batched read, so that the read waits for them (its `gathered`). Why: on
 * a restart the partitions of one fetch claim at once and reach their state read 1–7 ms apart; the
 * first began a read of its own and the others waited for a second one, each a scan of the whole
 * collection on FerretDB (1.3–2 s in the pipeline bench). A read now begins once no caller is on its
 * way, or after `bound` (a caller held up by a slow store must not hold the others for long).
 */
export interface Arrivals {
  /** Runs `use` as a caller on its way; `arrived` (given to it) says it is there, and so does its end. */
  readonly onTheWay: <A, E, R>(
    use: (arrived: Effect.Effect<void>) => Effect.Effect<A, E, R>,
  ) => Effect.Effect<A, E, R>;
  /** Completes when no caller is on its way, or `bound` after it was asked. */
  readonly gathered: Effect.Effect<void>;
}

export const makeArrivals = (bound: Duration.DurationInput): Arrivals => {
  let onTheWay = 0;
  let waiting: Array<Deferred.Deferred<void>> = [];
  const arrive = () => {
    onTheWay -= 1;
    if (onTheWay > 0) return;
    for (const waiter of waiting) Deferred.unsafeDone(waiter, Exit.void);
    waiting = [];
  };
  return {
    onTheWay: (use) =>
      Effect.suspend(() => {
        let here = false;
        const arrived = Effect.sync(() => {
          if (here) return;
          here = true;
          arrive();
        });
        return Effect.acquireUseRelease(
          Effect.sync(() => {
            onTheWay += 1;
          }),
          () => use(arrived),
          () => arrived,
        );
      }),
    gathered: Effect.suspend(() => {
      if (onTheWay === 0) return Effect.void;
      const waiter = Deferred.unsafeMake<void>(FiberId.none);
      waiting.push(waiter);
      return Deferred.await(waiter).pipe(Effect.timeout(bound), Effect.ignore);
    }),
  };
};

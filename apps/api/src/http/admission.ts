import { Deferred, Duration, Effect, Exit, Fiber } from "effect";
import { HttpFailure } from "./failure.ts";

/**
 * At most `slots` requests in their handlers at once. The others wait in line, first come first
 * served, until a slot is handed to them or their deadline cuts the wait (503 without having asked
 * anything of the store). When `maxWaiting` requests already wait, a newcomer is answered 503 at
 * once: under overload a client learns it should come back in a millisecond, not after its deadline.
 *
 * Why a slot is held until the handler has really finished, not until the client was answered: a
 * handler cut off by the deadline leaves its store calls running (a promise cannot be taken back),
 * so answering 503 and freeing the slot at once let work pile up in the database driver's queue
 * faster than the server could serve it. Measured in the soak at 300 requests/s: the API's memory
 * grew from 585 to 2,287 MiB in 10 minutes, 83 % of requests answered 503, and it kept answering
 * 503 for minutes after the traffic stopped while the queue drained. A handler that has not
 * finished after `holdAtMostMs` (a hung connection) gives its slot back anyway.
 *
 * Why not Effect's `Semaphore` (used here until the soak's profile showed it): in effect 3.22 a
 * release wakes EVERY waiter while a permit is free, and each one that loses the race takes again
 * inside its previous take, one more interruption handler deep. With hundreds of requests waiting,
 * each release cost a pass over the whole line, and a waiter cut off by its deadline unwound a
 * stack hundreds of handlers deep, recomputing a cause that grew by one interruption per level
 * (`Cause.isInterruptedOnly` over 300-node causes, 1.8 million times in 90 s). That, not the
 * store, saturated the API's core under 6x overload: p99 up to 27 s, answers later than the
 * client's 30 s. Here a release hands its slot to exactly one waiter, and a waiter's interruption
 * costs one removal.
 */
export interface Admission {
  readonly admit: <A, E, R>(handler: Effect.Effect<A, E, R>) => Effect.Effect<A, E | HttpFailure, R>;
  /** Requests in their handlers (slots taken), and requests waiting in line. */
  readonly load: () => { readonly running: number; readonly waiting: number };
}

/** A place in the line. `granted`: a slot was handed over; `gone`: it left without one. */
interface Waiter {
  state: "waiting" | "granted" | "gone";
  /** Resumes the waiting fiber once it is suspended (until then the grant is seen by its state). */
  wake: (() => void) | undefined;
}

const atCapacity = (waiting: number) =>
  new HttpFailure({
    status: 503,
    code: "unavailable",
    message: `the API is at capacity (${waiting} requests already waiting); try again shortly`,
    headers: { "retry-after": "1" },
  });

export const makeAdmission = (options: {
  readonly slots: number;
  readonly holdAtMostMs: number;
  /** Requests allowed to wait for a slot; a request beyond them is refused at once. */
  readonly maxWaiting: number;
}): Admission => {
  const holdAtMost = Duration.millis(options.holdAtMostMs);
  let free = options.slots;
  let waiting = 0;
  // A queue as an array and a head index: shift() would copy the line on every hand-over.
  let line: Array<Waiter> = [];
  let head = 0;

  const release = (): void => {
    while (head < line.length) {
      const next = line[head]!;
      head += 1;
      if (next.state !== "waiting") continue;
      next.state = "granted";
      waiting -= 1;
      compact();
      next.wake?.();
      return;
    }
    compact();
    free += 1;
  };
  const compact = () => {
    if (head === line.length) {
      line = [];
      head = 0;
    } else if (head > 1024 && head * 2 > line.length) {
      line = line.slice(head);
      head = 0;
    }
  };

  /** A slot at once, a place in the line, or a refusal: decided in one synchronous step. */
  const arrive = (): Waiter | "admitted" | "refused" => {
    if (free > 0) {
      free -= 1;
      return "admitted";
    }
    if (waiting >= options.maxWaiting) return "refused";
    const waiter: Waiter = { state: "waiting", wake: undefined };
    line.push(waiter);
    waiting += 1;
    return waiter;
  };
  const granted = (waiter: Waiter) =>
    Effect.async<void>((resume) => {
      if (waiter.state === "granted") return resume(Effect.void);
      waiter.wake = () => resume(Effect.void);
    });

  return {
    load: () => ({ running: options.slots - free, waiting }),
    // Who holds a slot is decided only in uninterruptible steps, by the waiter's state, never by
    // how the wait ended: a deadline that lands in the instant a slot is handed over (or while the
    // fiber is between two steps) must neither lose that slot nor run a handler nobody awaits.
    admit: (handler) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.gen(function* () {
          const place = yield* Effect.sync(arrive);
          if (place === "refused") return yield* Effect.fail(atCapacity(waiting));
          if (place !== "admitted") {
            const waited = yield* Effect.exit(restore(granted(place)));
            if (Exit.isFailure(waited)) {
              // Cut off while in line, or in the instant it was handed a slot it will not use now.
              if (place.state === "granted") release();
              else {
                place.state = "gone";
                waiting -= 1;
              }
              return yield* Effect.failCause(waited.cause);
            }
          }
          const settled = yield* Deferred.make<void>();
          const running = yield* Effect.forkDaemon(
            Effect.ensuring(restore(handler), Deferred.succeed(settled, undefined)),
          );
          // Forked from the uninterruptible region, the fiber would be uninterruptible too, and
          // the timeout could not cut the wait short: the slot was held as long as the handler ran
          // (minutes, in the soak, behind a saturated driver pool), not at most `holdAtMostMs`.
          yield* Effect.forkDaemon(
            Deferred.await(settled).pipe(
              Effect.interruptible,
              Effect.timeout(holdAtMost),
              Effect.ensuring(Effect.sync(release)),
              Effect.ignore,
            ),
          );
          return yield* restore(Fiber.join(running));
        }),
      ),
  };
};

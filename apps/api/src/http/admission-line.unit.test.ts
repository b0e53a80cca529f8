import { Cause, Deferred, Effect, Exit, Fiber, FiberId, Option, Scheduler } from "effect";
import { describe, expect, it } from "vitest";
import { makeAdmission } from "./admission.ts";

const interruptionsIn = (cause: Cause.Cause<unknown>) =>
  Cause.reduce(cause, 0, (count, part) =>
    part._tag === "Interrupt" ? Option.some(count + 1) : Option.none(),
  );

/** Lets every fiber that can run, run (hand-overs resume the next fiber asynchronously). */
const settle = Effect.repeatN(Effect.yieldNow(), 20);

/**
 * A scheduler that runs fibers' turns only when the test says so, one at a time, and can hold back
 * one fiber's turns: the order in which fibers run is then decided by the test, not by luck. A
 * suspended fiber resumes only in a turn of its own, so a fiber held back has been told it may go
 * on (or that it is interrupted) but has not acted on it yet.
 */
const turnByTurn = () => {
  const turns: Array<{ readonly run: Scheduler.Task; readonly fiber: unknown }> = [];
  const scheduler = Scheduler.make((run, _priority, fiber) => {
    turns.push({ run, fiber });
  });
  return {
    fork: <A, E>(effect: Effect.Effect<A, E>) => Effect.runFork(Effect.withScheduler(effect, scheduler)),
    /** Runs turns in order, but none of `heldBack`'s, until `done()`; false if turns ran out first. */
    runUntil: (done: () => boolean, heldBack?: Fiber.RuntimeFiber<unknown, unknown>) => {
      // A bound, so that a fiber that never stops yielding fails the test instead of hanging it.
      for (let budget = 10_000; !done(); budget--) {
        const next = turns.findIndex((turn) => turn.fiber !== heldBack);
        if (next < 0 || budget === 0) return false;
        turns.splice(next, 1)[0]!.run();
      }
      return true;
    },
    idle: () => turns.length === 0,
  };
};

describe("the admission line", () => {
  it("given one slot and fifty requests in line ahead of a last one, when forty-nine of them have had and returned the slot, then cutting the last one off costs what cutting off a request that saw no hand-over costs, and leaves the line one shorter", async () => {
    const admission = makeAdmission({ slots: 1, holdAtMostMs: 60_000, maxWaiting: 1_000 });
    await Effect.runPromise(
      Effect.gen(function* () {
        const gates = yield* Effect.all(Array.from({ length: 51 }, () => Deferred.make<void>()));
        const admitted: Array<number> = [];
        const holders = yield* Effect.forEach(gates, (gate, i) =>
          Effect.fork(
            admission.admit(Effect.sync(() => admitted.push(i)).pipe(Effect.zipRight(Deferred.await(gate)))),
          ),
        );
        yield* settle;
        // What cutting off a request in line costs when no hand-over happened while it waited.
        const early = yield* Effect.fork(admission.admit(Effect.void));
        yield* settle;
        const earlyExit = yield* Fiber.interrupt(early);
        const baseline = Exit.isFailure(earlyExit) ? interruptionsIn(earlyExit.cause) : Number.NaN;
        const last = yield* Effect.fork(admission.admit(Effect.void));
        yield* settle;
        expect(admission.load()).toEqual({ running: 1, waiting: 51 });

        for (let i = 0; i < 50; i++) {
          yield* Deferred.succeed(gates[i]!, undefined);
          yield* settle;
        }
        // First come, first served: the fifty-first holder has the slot, the last one still waits.
        expect(admitted).toEqual(Array.from({ length: 51 }, (_, i) => i));
        expect(admission.load()).toEqual({ running: 1, waiting: 1 });

        const exit = yield* Fiber.interrupt(last);
        expect(Exit.isInterrupted(exit)).toBe(true);
        // With effect's Semaphore every release woke it, and it waited one handler deeper each
        // time: 27 interruptions after 50 releases, against 3 here.
        if (Exit.isFailure(exit)) expect(interruptionsIn(exit.cause)).toBe(baseline);
        expect(admission.load()).toEqual({ running: 1, waiting: 0 });

        yield* Deferred.succeed(gates[50]!, undefined);
        yield* Fiber.joinAll(holders);
        yield* settle;
        expect(admission.load()).toEqual({ running: 0, waiting: 0 });
      }),
    );
  });

  it("given every slot taken and the line full, when one more request comes, then it is refused at once with Retry-After, and a place freed in the line takes the next one again", async () => {
    const admission = makeAdmission({ slots: 1, holdAtMostMs: 60_000, maxWaiting: 2 });
    await Effect.runPromise(
      Effect.gen(function* () {
        const gate = yield* Deferred.make<void>();
        const holder = yield* Effect.fork(admission.admit(Deferred.await(gate)));
        yield* settle;
        const inLine = yield* Effect.forEach([1, 2], () => Effect.fork(admission.admit(Effect.void)));
        yield* settle;
        expect(admission.load()).toEqual({ running: 1, waiting: 2 });

        const refused = yield* Effect.exit(admission.admit(Effect.succeed("served")));
        expect(Exit.isFailure(refused)).toBe(true);
        const failure = Exit.isFailure(refused) ? Cause.failureOption(refused.cause) : Option.none();
        expect(Option.map(failure, (f) => [f.status, f.headers?.["retry-after"], f.message])).toEqual(
          Option.some([503, "1", "the API is at capacity (2 requests already waiting); try again shortly"]),
        );

        yield* Fiber.interrupt(inLine[1]!);
        const third = yield* Effect.fork(admission.admit(Effect.succeed("served")));
        yield* settle;
        expect(admission.load()).toEqual({ running: 1, waiting: 2 });
        yield* Deferred.succeed(gate, undefined);
        expect(yield* Fiber.join(third)).toBe("served");
        yield* Fiber.join(holder);
        yield* Fiber.join(inLine[0]!);
      }),
    );
  });

  // The deadline and the hand-over land in the same instant: the waiter is told both before it
  // resumes, in one order or the other. Either way it must not run its handler, and the slot it was
  // handed must go on to the next request, or it is lost for good.
  const cutOffInTheInstantOfItsGrant = (deadline: "after the hand-over" | "before the hand-over") => {
    const turns = turnByTurn();
    const admission = makeAdmission({ slots: 1, holdAtMostMs: 60_000, maxWaiting: 10 });
    const gate = Deferred.unsafeMake<void>(FiberId.none);
    const handlersRun: Array<string> = [];
    const holder = turns.fork(admission.admit(Deferred.await(gate)));
    const cutOff = turns.fork(admission.admit(Effect.sync(() => handlersRun.push("cut off"))));
    expect(turns.runUntil(turns.idle)).toBe(true);
    expect(admission.load()).toEqual({ running: 1, waiting: 1 });

    if (deadline === "before the hand-over") cutOff.unsafeInterruptAsFork(FiberId.none);
    Deferred.unsafeDone(gate, Exit.void);
    // The hand-over is synchronous (the line is one shorter at once); the waiter acts on it only in
    // a turn of its own, held back here until the deadline has been told too.
    const handedOver = () => admission.load().waiting === 0;
    expect(turns.runUntil(handedOver, cutOff)).toBe(true);
    expect(admission.load()).toEqual({ running: 1, waiting: 0 });
    if (deadline === "after the hand-over") cutOff.unsafeInterruptAsFork(FiberId.none);
    expect(turns.runUntil(turns.idle)).toBe(true);

    expect(holder.unsafePoll()).toEqual(Exit.void);
    const cutOffEnded = Option.fromNullable(cutOff.unsafePoll());
    expect(Option.map(cutOffEnded, Exit.isInterrupted)).toEqual(Option.some(true));
    expect(handlersRun).toEqual([]);
    expect(admission.load()).toEqual({ running: 0, waiting: 0 });
    const next = turns.fork(admission.admit(Effect.succeed("served")));
    expect(turns.runUntil(turns.idle)).toBe(true);
    expect(next.unsafePoll()).toEqual(Exit.succeed("served"));
  };

  it("given one slot held and a request in line, when the slot is handed to it and its deadline lands before it resumes, then its handler never runs, it ends interrupted, and the slot serves the next request", () =>
    cutOffInTheInstantOfItsGrant("after the hand-over"));

  it("given one slot held and a request in line whose deadline has landed but not yet been acted on, when the slot is handed to it, then its handler never runs, it ends interrupted, and the slot serves the next request", () =>
    cutOffInTheInstantOfItsGrant("before the hand-over"));

  it("given two requests in line and the first interrupted once the holder has finished, when the holder's slot comes free, then the second is served and every slot comes back", async () => {
    const admission = makeAdmission({ slots: 1, holdAtMostMs: 60_000, maxWaiting: 10 });
    await Effect.runPromise(
      Effect.gen(function* () {
        const gate = yield* Deferred.make<void>();
        const holder = yield* Effect.fork(admission.admit(Deferred.await(gate)));
        yield* settle;
        const cutOff = yield* Effect.fork(admission.admit(Effect.succeed("first")));
        const next = yield* Effect.fork(admission.admit(Effect.succeed("second")));
        yield* settle;
        // Whether `cutOff` is still in line or already served when the interruption lands depends
        // on the scheduler: this does not reach the branch where a slot was handed over in the
        // same instant as the cut-off (the tests above reach it by holding the waiter's turn back).
        yield* Deferred.succeed(gate, undefined);
        yield* Fiber.join(holder);
        yield* Fiber.interrupt(cutOff);
        expect(yield* Fiber.join(next)).toBe("second");
        yield* settle;
        expect(admission.load()).toEqual({ running: 0, waiting: 0 });
      }),
    );
  });

  it("given thousands of requests cut off by deadlines at every instant of their wait and their work, when all have ended, then every slot is free and nobody is left in line", async () => {
    const admission = makeAdmission({ slots: 4, holdAtMostMs: 60_000, maxWaiting: 10_000 });
    // A fixed pseudo-random sequence: the same interleavings on every run.
    let seed = 42;
    const next = (below: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % below;
    };
    await Effect.runPromise(
      Effect.forEach(
        Array.from({ length: 3_000 }, () => ({ work: next(3), deadline: next(4) })),
        ({ work, deadline }) =>
          admission
            .admit(work === 0 ? Effect.yieldNow() : Effect.sleep(`${work} millis`))
            .pipe(Effect.timeout(`${deadline} millis`), Effect.exit),
        { concurrency: 400, discard: true },
      ),
    );
    // Slots come back when the handlers (daemons) have finished, just after the requests ended.
    for (let i = 0; i < 100 && admission.load().running > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(admission.load()).toEqual({ running: 0, waiting: 0 });
  });

  it("given a handler that never finishes, when holdAtMostMs has passed, then its slot is given back and the next request is served", async () => {
    const admission = makeAdmission({ slots: 1, holdAtMostMs: 50, maxWaiting: 10 });
    await Effect.runPromise(
      Effect.gen(function* () {
        yield* Effect.fork(admission.admit(Effect.never));
        yield* settle;
        expect(admission.load()).toEqual({ running: 1, waiting: 0 });
        const next = yield* Effect.fork(admission.admit(Effect.succeed("served")));
        const served = yield* Fiber.join(next).pipe(Effect.timeout("5 seconds"), Effect.option);
        expect(served).toEqual(Option.some("served"));
      }),
    );
  });
});

import { Cause, Deferred, Effect, Exit, Fiber, Option } from "effect";
import { describe, expect, it } from "vitest";
import { makeAdmission } from "./admission.ts";

const interruptionsIn = (cause: Cause.Cause<unknown>) =>
  Cause.reduce(cause, 0, (count, part) =>
    part._tag === "Interrupt" ? Option.some(count + 1) : Option.none(),
  );

/** Lets every fiber that can run, run (hand-overs resume the next fiber asynchronously). */
const settle = Effect.repeatN(Effect.yieldNow(), 20);

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
        // same instant as the cut-off (that branch is guarded by the soak's every-slot-back check).
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

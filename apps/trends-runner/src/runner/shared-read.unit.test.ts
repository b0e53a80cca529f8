import { Deferred, Effect, Fiber } from "effect";
import { describe, expect, it } from "vitest";
import { makeArrivals, makeBatchedRead, makeSharedRead } from "./shared-read.ts";

/** A read that returns its own number and holds until its gate opens. */
const gatedReads = Effect.gen(function* () {
  const gates: Array<Deferred.Deferred<void>> = [];
  let begun = 0;
  const read = Effect.gen(function* () {
    const number = ++begun;
    const gate = yield* Deferred.make<void>();
    gates.push(gate);
    yield* Deferred.await(gate);
    return number;
  });
  const open = (number: number) =>
    Effect.gen(function* () {
      while (gates.length < number) yield* Effect.yieldNow();
      yield* Deferred.succeed(gates[number - 1]!, undefined);
    });
  return { read, open, begun: () => begun };
});

describe("a shared read", () => {
  it("given two callers asking together and a third asking while their read runs, then the two share the first read and the third gets a second one that begins after the first", async () => {
    const outcome = await Effect.runPromise(
      Effect.gen(function* () {
        const reads = yield* gatedReads;
        const shared = makeSharedRead(reads.read);
        const a = yield* Effect.fork(shared);
        const b = yield* Effect.fork(shared);
        while (reads.begun() < 1) yield* Effect.yieldNow();
        const c = yield* Effect.fork(shared);
        yield* Effect.yieldNow();
        const begunWhileFirstRuns = reads.begun();
        yield* reads.open(1);
        yield* reads.open(2);
        return {
          a: yield* Fiber.join(a),
          b: yield* Fiber.join(b),
          c: yield* Fiber.join(c),
          begunWhileFirstRuns,
          begun: reads.begun(),
        };
      }),
    );
    expect(outcome).toEqual({ a: 1, b: 1, c: 2, begunWhileFirstRuns: 1, begun: 2 });
  });

  it("given a read that fails, then its callers get the failure and the next caller gets a fresh read", async () => {
    let attempts = 0;
    const shared = makeSharedRead(
      Effect.suspend(() =>
        ++attempts === 1 ? Effect.fail("server down" as const) : Effect.succeed(attempts),
      ),
    );
    const first = await Effect.runPromise(Effect.either(shared));
    const second = await Effect.runPromise(shared);
    expect(first._tag === "Left" && first.left).toBe("server down");
    expect(second).toBe(2);
  });

  it("given partitions 1 and 2 asking together and 3 asking while their read runs, then 1 and 2 are read in one read, each gets its own value, and 3 gets a second read", async () => {
    const outcome = await Effect.runPromise(
      Effect.gen(function* () {
        const reads: Array<ReadonlyArray<number>> = [];
        const firstGate = yield* Deferred.make<void>();
        const read = makeBatchedRead((partitions: ReadonlyArray<number>) =>
          Effect.gen(function* () {
            reads.push([...partitions]);
            const number = reads.length;
            if (number === 1) yield* Deferred.await(firstGate);
            return (partition: number) => `state of ${partition} from read ${number}`;
          }),
        );
        const one = yield* Effect.fork(read(1));
        const two = yield* Effect.fork(read(2));
        while (reads.length < 1) yield* Effect.yieldNow();
        const three = yield* Effect.fork(read(3));
        yield* Effect.yieldNow();
        yield* Deferred.succeed(firstGate, undefined);
        return {
          values: [yield* Fiber.join(one), yield* Fiber.join(two), yield* Fiber.join(three)],
          reads,
        };
      }),
    );
    expect(outcome.values).toEqual([
      "state of 1 from read 1",
      "state of 2 from read 1",
      "state of 3 from read 2",
    ]);
    expect(outcome.reads).toEqual([[1, 2], [3]]);
  });

  /** A batched read that records the keys of each read, gated by `arrivals`. */
  const recordedRead = (arrivals: ReturnType<typeof makeArrivals>) => {
    const reads: Array<ReadonlyArray<number>> = [];
    const read = makeBatchedRead(
      (partitions: ReadonlyArray<number>) =>
        Effect.sync(() => {
          reads.push([...partitions]);
          return (partition: number) => `state of ${partition} from read ${reads.length}`;
        }),
      { gathered: arrivals.gathered },
    );
    return { read, reads };
  };

  it("given partition 2 on its way (claiming) when partition 1 asks, then the read waits for 2 and reads both at once", async () => {
    const outcome = await Effect.runPromise(
      Effect.gen(function* () {
        const arrivals = makeArrivals("10 seconds");
        const { read, reads } = recordedRead(arrivals);
        const claimed = yield* Deferred.make<void>();
        const two = yield* Effect.fork(
          arrivals.onTheWay((arrived) =>
            Deferred.await(claimed).pipe(Effect.zipRight(arrived), Effect.zipRight(read(2))),
          ),
        );
        yield* Effect.yieldNow();
        const one = yield* Effect.fork(read(1));
        for (let i = 0; i < 20; i++) yield* Effect.yieldNow();
        const readsWhileTwoClaims = reads.length;
        yield* Deferred.succeed(claimed, undefined);
        return {
          values: [yield* Fiber.join(one), yield* Fiber.join(two)],
          reads,
          readsWhileTwoClaims,
        };
      }),
    );
    expect(outcome.readsWhileTwoClaims).toBe(0);
    expect(outcome.values).toEqual(["state of 1 from read 1", "state of 2 from read 1"]);
    expect(outcome.reads).toEqual([[1, 2]]);
  });

  it("given a caller on its way that fails before asking, then the read begins without it", async () => {
    const outcome = await Effect.runPromise(
      Effect.gen(function* () {
        const arrivals = makeArrivals("10 seconds");
        const { read, reads } = recordedRead(arrivals);
        const claimFails = yield* Deferred.make<void>();
        const failing = yield* Effect.fork(
          arrivals.onTheWay(() => Deferred.await(claimFails).pipe(Effect.zipRight(Effect.fail("taken")))),
        );
        yield* Effect.yieldNow();
        const one = yield* Effect.fork(read(1));
        yield* Deferred.succeed(claimFails, undefined);
        return { value: yield* Fiber.join(one), failed: yield* Effect.either(Fiber.join(failing)), reads };
      }),
    );
    expect(outcome.value).toBe("state of 1 from read 1");
    expect(outcome.failed._tag).toBe("Left");
    expect(outcome.reads).toEqual([[1]]);
  });

  it("given a caller on its way that never asks, then the read begins once the bound has passed", async () => {
    const outcome = await Effect.runPromise(
      Effect.gen(function* () {
        const arrivals = makeArrivals("30 millis");
        const { read, reads } = recordedRead(arrivals);
        const stuck = yield* Effect.fork(arrivals.onTheWay(() => Effect.never));
        yield* Effect.yieldNow();
        const value = yield* read(1);
        yield* Fiber.interrupt(stuck);
        return { value, reads };
      }),
    );
    expect(outcome).toEqual({ value: "state of 1 from read 1", reads: [[1]] });
  });
});

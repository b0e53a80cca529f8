import { Effect, Exit, Scope } from "effect";
import { describe, expect, it } from "vitest";
import { EventLog } from "./EventLog.ts";
import { eventLogContract } from "./EventLog.contract.ts";
import { EventLogMemoryControl, EventLogMemory } from "./memory.ts";
import { eventually } from "../test-support.ts";

eventLogContract("in-memory", {
  layer: () => EventLogMemory(),
  unreachable: () => EventLogMemory({ startDown: true }),
  namePrefix: "mem",
  eventuallyMs: 5_000,
  unreachableBoundMs: 1_000,
});

describe("the in-memory event log's test controls", () => {
  const run = <A, E>(effect: Effect.Effect<A, E, EventLog | EventLogMemoryControl | Scope.Scope>) =>
    Effect.runPromise(Effect.scoped(effect).pipe(Effect.provide(EventLogMemory())));

  it("given a running consumer, when the broker goes down and comes back, then publishing fails meanwhile and consumption resumes where it was", () =>
    run(
      Effect.gen(function* () {
        const log = yield* EventLog;
        const control = yield* EventLogMemoryControl;
        yield* log.ensureTopic("t", 1);
        const seen: string[] = [];
        yield* log.consume({
          groupId: "g",
          topic: "t",
          handleBatch: (batch) => Effect.sync(() => seen.push(...batch.records.map((r) => r.value))),
        });
        yield* log.publish("t", [{ key: "k", value: "1" }]);
        yield* eventually(Effect.sync(() => expect(seen).toEqual(["1"])));

        yield* control.setBrokerDown(true);
        const error = yield* Effect.flip(log.publish("t", [{ key: "k", value: "2" }]));
        expect(error.message).toMatch(/unavailable/);
        expect((yield* Effect.flip(log.ping))._tag).toBe("EventLogError");

        yield* control.setBrokerDown(false);
        yield* log.publish("t", [{ key: "k", value: "3" }]);
        yield* eventually(Effect.sync(() => expect(seen).toEqual(["1", "3"])));
        expect((yield* control.records("t")).map((r) => r.value)).toEqual(["1", "3"]);
      }),
    ));

  it("given the broker down, when a consumer starts, then it is refused; when the broker is back, then a new consumer gets the waiting records", () =>
    run(
      Effect.gen(function* () {
        const log = yield* EventLog;
        const control = yield* EventLogMemoryControl;
        yield* log.ensureTopic("t", 2);
        yield* log.publish("t", [
          { key: "a", value: "1" },
          { key: "b", value: "2" },
        ]);
        yield* control.setBrokerDown(true);
        const refused = yield* Effect.flip(
          log.consume({ groupId: "g", topic: "t", handleBatch: () => Effect.void }),
        );
        expect(refused._tag).toBe("EventLogError");
        yield* control.setBrokerDown(false);
        const seen: string[] = [];
        yield* log.consume({
          groupId: "g",
          topic: "t",
          handleBatch: (batch) => Effect.sync(() => seen.push(...batch.records.map((r) => r.value))),
        });
        yield* eventually(Effect.sync(() => expect([...seen].sort()).toEqual(["1", "2"])));
      }),
    ));
});

describe("the in-memory event log's batches", () => {
  it("given more records than the batch size, when consumed, then batches hold at most that many consecutive records", () =>
    Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const log = yield* EventLog;
          yield* log.ensureTopic("t", 1);
          yield* log.publish(
            "t",
            Array.from({ length: 7 }, (_, i) => ({ key: "k", value: String(i) })),
          );
          const sizes: number[] = [];
          yield* log.consume({
            groupId: "g",
            topic: "t",
            handleBatch: (batch) => Effect.sync(() => sizes.push(batch.records.length)),
          });
          yield* eventually(Effect.sync(() => expect(sizes).toEqual([3, 3, 1])));
        }),
      ).pipe(Effect.provide(EventLogMemory({ maxBatchSize: 3 }))),
    ));

  it("given a group that joins with fromBeginning false, when consuming, then it starts at the end and sees only later records", () =>
    Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const log = yield* EventLog;
          yield* log.ensureTopic("t", 1);
          yield* log.publish("t", [{ key: "k", value: "old" }]);
          const seen: string[] = [];
          const scope = yield* Scope.make();
          yield* log
            .consume({
              groupId: "g",
              topic: "t",
              fromBeginning: false,
              handleBatch: (batch) => Effect.sync(() => seen.push(...batch.records.map((r) => r.value))),
            })
            .pipe(Scope.extend(scope));
          yield* log.publish("t", [{ key: "k", value: "new" }]);
          yield* eventually(Effect.sync(() => expect(seen).toEqual(["new"])));
          yield* Scope.close(scope, Exit.void);
        }),
      ).pipe(Effect.provide(EventLogMemory())),
    ));
});

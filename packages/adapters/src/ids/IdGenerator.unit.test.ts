import { EventId } from "@cinematch/domain";
import { Effect, Schema } from "effect";
import { describe, expect, it } from "vitest";
import { IdGenerator, IdGeneratorRandom, IdGeneratorSequential } from "./IdGenerator.ts";

const three = Effect.gen(function* () {
  const ids = yield* IdGenerator;
  return [yield* ids.next, yield* ids.next, yield* ids.next];
});

describe("the random id generator", () => {
  it("given three calls, when ids are made, then they differ and are valid event ids", async () => {
    const ids = await Effect.runPromise(three.pipe(Effect.provide(IdGeneratorRandom)));
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(Schema.is(EventId)(id)).toBe(true);
  });
});

describe("the sequential id generator", () => {
  it("given a fresh layer, when ids are made, then they count up from 1 with the prefix", async () => {
    const ids = await Effect.runPromise(three.pipe(Effect.provide(IdGeneratorSequential("ev"))));
    expect(ids).toEqual(["ev-000001", "ev-000002", "ev-000003"]);
  });

  it("given two separately provided layers, when ids are made, then each starts over", async () => {
    const first = await Effect.runPromise(three.pipe(Effect.provide(IdGeneratorSequential())));
    const second = await Effect.runPromise(three.pipe(Effect.provide(IdGeneratorSequential())));
    expect(second).toEqual(first);
  });
});

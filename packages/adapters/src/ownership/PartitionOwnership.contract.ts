import { Effect, type Layer, Option } from "effect";
import { describe, expect, it } from "vitest";
import { PartitionOwnership } from "./PartitionOwnership.ts";

/** The contract every `PartitionOwnership` layer meets (memory and MongoDB wire). */
export const partitionOwnershipContract = (
  name: string,
  layer: () => Layer.Layer<PartitionOwnership, unknown>,
) =>
  describe(`${name}: the PartitionOwnership contract`, () => {
    const run = <A, E>(body: Effect.Effect<A, E, PartitionOwnership>) =>
      Effect.runPromise(Effect.provide(body, layer()) as Effect.Effect<A, unknown>);

    it("given a partition never claimed, when read, then there is no owner, and the first claim gets epoch 1", () =>
      run(
        Effect.gen(function* () {
          const ownership = yield* PartitionOwnership;
          expect(Option.isNone(yield* ownership.current("g", 3))).toBe(true);
          const claim = yield* ownership.claim("g", 3, "a");
          expect(claim).toEqual({ group: "g", partition: 3, epoch: 1, owner: "a" });
          expect(yield* ownership.current("g", 3)).toEqual(Option.some(claim));
        }),
      ));

    it("given claims by several owners one after another, when read, then epochs rise by one and the latest claimer owns it; other groups and partitions are apart", () =>
      run(
        Effect.gen(function* () {
          const ownership = yield* PartitionOwnership;
          for (const owner of ["a", "b", "a", "c", "b"]) yield* ownership.claim("g", 0, owner);
          yield* ownership.claim("g", 1, "z");
          yield* ownership.claim("other", 0, "y");
          const current = Option.getOrThrow(yield* ownership.current("g", 0));
          expect([current.epoch, current.owner]).toEqual([5, "b"]);
          expect(Option.getOrThrow(yield* ownership.current("g", 1)).epoch).toBe(1);
          expect(Option.getOrThrow(yield* ownership.current("other", 0)).epoch).toBe(1);
        }),
      ));

    it("given 8 claimers racing for one partition, when they all claim at once, then each gets a different epoch and the epochs are 1..8", () =>
      run(
        Effect.gen(function* () {
          const ownership = yield* PartitionOwnership;
          const claims = yield* Effect.forEach(
            Array.from({ length: 8 }, (_, i) => `owner-${i}`),
            (owner) => ownership.claim("race", 7, owner),
            { concurrency: "unbounded" },
          );
          expect(claims.map((c) => c.epoch).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
          const latest = Option.getOrThrow(yield* ownership.current("race", 7));
          expect(latest).toEqual(claims.find((c) => c.epoch === 8));
        }),
      ));
  });

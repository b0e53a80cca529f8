import { takeChanges } from "@cinematch/domain";
import { Effect, Layer } from "effect";
import { describe, expect, it } from "vitest";
import { makeTrendsStateStoreMemory, TrendsStateStoreMemory } from "./memory.ts";
import { sampleTrendState, trendsStateStoreContract } from "./TrendsStateStore.contract.ts";
import { TrendsStateStore } from "./TrendsStateStore.ts";

trendsStateStoreContract("in memory", () => TrendsStateStoreMemory);

describe("in-memory trends state with an injected fault", () => {
  it("given 3 writes allowed, when 5 pieces are written, then the first 3 stay and the call fails like a crash", async () => {
    const faults = { writesBeforeFailure: 3 as number | undefined };
    const store = makeTrendsStateStoreMemory(faults);
    const outcome = await Effect.runPromise(
      Effect.gen(function* () {
        const s = yield* TrendsStateStore;
        const exit = yield* Effect.exit(s.writePieces(takeChanges(sampleTrendState(0, 5)).upserts, []));
        faults.writesBeforeFailure = undefined;
        return { failed: exit._tag === "Failure", saved: (yield* s.piecesOf(0)).length };
      }).pipe(Effect.provide(Layer.succeed(TrendsStateStore, store))),
    );
    expect(outcome).toEqual({ failed: true, saved: 3 });
  });
});

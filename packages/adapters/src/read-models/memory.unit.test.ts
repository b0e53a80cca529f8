import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { ReadModelsMemory } from "./memory.ts";
import { readModelsContract, sampleUserStatsDocument } from "./ReadModels.contract.ts";
import { UserStatsStore } from "./ReadModels.ts";

readModelsContract("in memory", () => ReadModelsMemory);

describe("in-memory user_stats, given a document that does not fit its schema", () => {
  it("when it is written, then the write dies and nothing of the batch is stored", async () => {
    const good = sampleUserStatsDocument("u-1", 2);
    const bad = { ...sampleUserStatsDocument("u-2", 1), user_id: "has.dot" };
    const outcome = await Effect.runPromise(
      Effect.gen(function* () {
        const users = yield* UserStatsStore;
        const exit = yield* Effect.exit(users.putMany([good, bad]));
        return { died: exit._tag === "Failure", stored: yield* users.get("u-1") };
      }).pipe(Effect.provide(ReadModelsMemory)),
    );
    expect(outcome.died).toBe(true);
    expect(outcome.stored._tag).toBe("None");
  });
});

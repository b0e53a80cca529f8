import type { ImportReport } from "@cinematch/domain";
import { Effect, type Layer, Option } from "effect";
import { describe, expect, it } from "vitest";
import { ImportJobsStore, type ImportJobsStoreService } from "./ImportJobsStore.ts";

const report = (import_id: string, more: Partial<ImportReport> = {}): ImportReport => ({
  import_id,
  source: "letterboxd",
  status: "running",
  created_at: Date.UTC(2026, 11, 5, 2),
  updated_at: Date.UTC(2026, 11, 5, 2),
  films: 3,
  matched: 2,
  processed: 0,
  added: 0,
  already_present: 0,
  updated: 0,
  unmatched_count: 1,
  unmatched: [
    {
      title: "Portrait de la jeune fille en feu",
      year: 2019,
      reason: "not_in_catalog",
      candidates: [
        { film: { movie_id: "ml-1", title: "Portrait", year: 2019 }, score: 0.61, reason: "similar" },
      ],
      rating: 9,
      watched_at: Date.UTC(2020, 1, 29),
      watch_count: 2,
    },
  ],
  problems: [{ file: "diary.csv", line: 4, message: 'the date "2021-02-30" is not a day' }],
  problem_count: 1,
  ...more,
});

/** The behaviour every `ImportJobsStore` layer must have; `makeLayer` gives an empty store per test. */
export const importJobsStoreContract = (
  label: string,
  makeLayer: () => Layer.Layer<ImportJobsStore, unknown>,
): void => {
  const run = <A, E>(body: (store: ImportJobsStoreService) => Effect.Effect<A, E>): Promise<A> =>
    Effect.runPromise(
      Effect.scoped(Effect.flatMap(ImportJobsStore, body).pipe(Effect.provide(makeLayer()))) as Effect.Effect<
        A,
        unknown
      >,
    );

  describe(`ImportJobsStore contract: ${label}`, () => {
    describe("an empty store", () => {
      it("given no imports, when one is asked for, then there is none", async () => {
        expect(Option.isNone(await run((store) => store.get("u1", "imp-1")))).toBe(true);
      });
    });

    describe("a store with a running import", () => {
      it("given its report, when read by its owner, then every field round-trips", async () => {
        const saved = report("imp-1");
        expect(
          await run((store) => Effect.zipRight(store.save("u1", saved), store.get("u1", "imp-1"))),
        ).toEqual(Option.some(saved));
      });

      it("given another user, when that user asks for it, then there is none", async () => {
        const seen = await run((store) =>
          Effect.zipRight(store.save("u1", report("imp-1")), store.get("u2", "imp-1")),
        );
        expect(Option.isNone(seen)).toBe(true);
      });

      it("given progress saved again, when read, then the last report is the one kept", async () => {
        const done = report("imp-1", {
          status: "done",
          processed: 2,
          added: 1,
          updated: 1,
          updated_at: Date.UTC(2026, 11, 5, 3),
        });
        const seen = await run((store) =>
          Effect.gen(function* () {
            yield* store.save("u1", report("imp-1"));
            yield* store.save("u1", done);
            return yield* store.get("u1", "imp-1");
          }),
        );
        expect(seen).toEqual(Option.some(done));
      });

      it("given the report kept, when the caller changes its own copy, then the stored one does not change", async () => {
        const seen = await run((store) =>
          Effect.gen(function* () {
            const mine = { ...report("imp-1"), unmatched: [...report("imp-1").unmatched] };
            yield* store.save("u1", mine);
            mine.unmatched.pop();
            return yield* store.get("u1", "imp-1");
          }),
        );
        expect(Option.getOrThrow(seen).unmatched).toHaveLength(1);
      });
    });
  });
};

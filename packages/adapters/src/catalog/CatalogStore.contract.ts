import { Effect, type Layer, Option } from "effect";
import { describe, expect, it } from "vitest";
import { type CatalogEntry, CatalogStore, type CatalogStoreService } from "./CatalogStore.ts";

const toyStory: CatalogEntry = {
  film: {
    movie_id: "ml-1",
    title: "Toy Story",
    year: 1995,
    genres: ["Adventure", "Animation"],
    directors: ["John Lasseter"],
    actors: ["Tom Hanks"],
    runtime_minutes: 81,
    poster_path: "/posters/ml-1.jpg",
  },
};
const leon: CatalogEntry = {
  film: { movie_id: "ml-293", title: "Professional, The", year: 1994 },
  aliases: ["Léon", "Léon: The Professional"],
  ids: ["imdb-1", "tmdb-101", "tt0110413", "vega-7"],
  votes: { imdb: 1_000_000, movielens: 132 },
};

/** The behaviour every `CatalogStore` layer must have; `makeLayer` gives an empty store per test. */
export const catalogStoreContract = (
  label: string,
  makeLayer: () => Layer.Layer<CatalogStore, unknown>,
): void => {
  const run = <A, E>(body: (store: CatalogStoreService) => Effect.Effect<A, E>): Promise<A> =>
    Effect.runPromise(
      Effect.scoped(Effect.flatMap(CatalogStore, body).pipe(Effect.provide(makeLayer()))) as Effect.Effect<
        A,
        unknown
      >,
    );

  describe(`CatalogStore contract: ${label}`, () => {
    describe("an empty catalog", () => {
      it("given no films, when read, then nothing is found and the count is 0", async () => {
        const result = await run((store) =>
          Effect.all({ get: store.get("ml-1"), all: store.all, count: store.count }),
        );
        expect(Option.isNone(result.get)).toBe(true);
        expect(result.all).toEqual([]);
        expect(result.count).toBe(0);
      });
    });

    describe("a catalog after an import", () => {
      it("given two films, when upserted, then both round-trip (aliases too) in id order", async () => {
        const result = await run((store) =>
          Effect.gen(function* () {
            const summary = yield* store.upsertMany([leon, toyStory]);
            return {
              summary,
              get: yield* store.get("ml-1"),
              all: yield* store.all,
              count: yield* store.count,
            };
          }),
        );
        expect(result.summary).toEqual({ inserted: 2, updated: 0 });
        expect(result.get).toEqual(Option.some(toyStory.film));
        expect(result.all).toEqual([toyStory, leon]);
        expect(result.count).toBe(2);
      });

      it("given a film merged from two sources, when upserted, then each source's record round-trips with it", async () => {
        const merged: CatalogEntry = {
          ...leon,
          sources: [
            {
              film: { movie_id: "ml-293", title: "Professional, The", year: 1994 },
              aliases: ["Léon"],
              ids: ["tmdb-101", "tt0110413"],
              votes: { movielens: 132 },
            },
            {
              film: { movie_id: "imdb-1", title: "Léon: The Professional", year: 1994, runtime_minutes: 110 },
              votes: { imdb: 1_000_000 },
            },
          ],
        };
        const all = await run((store) => Effect.zipRight(store.upsertMany([merged]), store.all));
        expect(all).toEqual([merged]);
      });

      it("given a changed film, when upserted again, then it is replaced and counted as updated", async () => {
        const changed: CatalogEntry = { film: { movie_id: "ml-1", title: "Toy Story", year: 1995 } };
        const result = await run((store) =>
          Effect.gen(function* () {
            yield* store.upsertMany([toyStory, leon]);
            const summary = yield* store.upsertMany([changed]);
            return { summary, get: yield* store.get("ml-1"), count: yield* store.count };
          }),
        );
        expect(result.summary).toEqual({ inserted: 0, updated: 1 });
        expect(result.get).toEqual(Option.some(changed.film));
        expect(result.count).toBe(2);
      });

      it("given a film merged into another, when its id is removed, then it is gone, the others stay and the revision changed", async () => {
        const result = await run((store) =>
          Effect.gen(function* () {
            yield* store.upsertMany([toyStory, leon]);
            const before = yield* store.revision;
            const removed = yield* store.removeMany(["ml-1", "ml-1", "ml-unknown"]);
            const after = yield* store.revision;
            const none = yield* store.removeMany(["ml-unknown"]);
            return { removed, none, before, after, afterNone: yield* store.revision, all: yield* store.all };
          }),
        );
        expect(result.removed).toBe(1);
        expect(result.none).toBe(0);
        expect(result.all).toEqual([leon]);
        expect(result.after).not.toBe(result.before);
        expect(result.afterNone).toBe(result.after);
      });

      it("given upserts, when the revision is read before and after, then it changed; an empty upsert changes nothing", async () => {
        const result = await run((store) =>
          Effect.gen(function* () {
            const before = yield* store.revision;
            yield* store.upsertMany([toyStory]);
            const after = yield* store.revision;
            yield* store.upsertMany([]);
            return { before, after, afterEmpty: yield* store.revision };
          }),
        );
        expect(result.after).not.toBe(result.before);
        expect(result.afterEmpty).toBe(result.after);
      });
    });
  });
};

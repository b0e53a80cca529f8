import {
  computeUserStats,
  type GlobalStatsDocument,
  type UserStatsDocument,
  type WatchedEntry,
} from "@cinematch/domain";
import { Effect, type Layer, Option } from "effect";
import { describe, expect, it } from "vitest";
import {
  GlobalStatsStore,
  type GlobalStatsStoreService,
  UserStatsStore,
  type UserStatsStoreService,
} from "./ReadModels.ts";

const T0 = Date.UTC(2026, 10, 1, 12);
const DAY = 86_400_000;

const entry = (user_id: string, movie_id: string, days_ago: number, rating?: number): WatchedEntry => ({
  user_id,
  movie: {
    movie_id,
    title: `Film ${movie_id}`,
    year: 1990 + (movie_id.length % 30),
    genres: ["Drama", "Comedy"],
    directors: ["J.J. Abrams"],
    actors: ["Ana de Armas"],
    runtime_minutes: 100,
  },
  ...(rating === undefined ? {} : { rating }),
  watched_at: T0 - days_ago * DAY,
  added_at: T0 - days_ago * DAY,
});

/** A real `user_stats` document (from `computeUserStats`), so every stored field is exercised. */
export const sampleUserStatsDocument = (
  user_id: string,
  films: number,
  last_updated = T0,
): UserStatsDocument => ({
  user_id,
  stats: computeUserStats(
    Array.from({ length: films }, (_, i) =>
      entry(user_id, `m${i}`, i, i % 3 === 0 ? undefined : 1 + (i % 19) / 2),
    ),
  ),
  last_updated,
});

export const sampleGlobalStatsDocument = (
  window: GlobalStatsDocument["window"],
  count: number,
  source: GlobalStatsDocument["source"] = "streaming_incremental",
): GlobalStatsDocument => ({
  type: "global_trends",
  window,
  top_movies: [
    { movie_id: "ml-1", title: "Mr. Smith Goes to Washington", poster_path: null, count },
    { movie_id: "ml-2", title: "Amélie", poster_path: "https://img.example/p.jpg", count: 1 },
  ],
  trending_genres: [
    { genre: "Drama", count: count + 1, percentage: 66.7 },
    { genre: "Sci-Fi", count: 1, percentage: 33.3 },
  ],
  total_movies_analyzed: count + 1,
  source,
  updated_at: T0,
});

/**
 * The behaviour every read-model layer must have. `makeLayer` is called once per test and must give
 * empty stores (a fresh map, or a fresh database).
 */
export const readModelsContract = (
  label: string,
  makeLayer: () => Layer.Layer<UserStatsStore | GlobalStatsStore, unknown>,
): void => {
  const run = <A, E>(
    body: (stores: {
      readonly users: UserStatsStoreService;
      readonly global: GlobalStatsStoreService;
    }) => Effect.Effect<A, E>,
  ): Promise<A> =>
    Effect.runPromise(
      Effect.gen(function* () {
        const users = yield* UserStatsStore;
        const global = yield* GlobalStatsStore;
        return yield* body({ users, global });
      }).pipe(Effect.provide(makeLayer()), Effect.scoped) as Effect.Effect<A, unknown>,
    );

  describe(`read models (${label})`, () => {
    describe("given an empty user_stats", () => {
      it("when a user is read, then there is nothing", async () => {
        const found = await run(({ users }) => users.get("u-1"));
        expect(Option.isNone(found)).toBe(true);
      });

      it("when an empty batch is written, then nothing changes and nothing fails", async () => {
        const found = await run(({ users }) => Effect.zipRight(users.putMany([]), users.get("u-1")));
        expect(Option.isNone(found)).toBe(true);
      });

      it("when several users are written in one call, then each reads back exactly as written", async () => {
        const written = [
          sampleUserStatsDocument("u-1", 12),
          sampleUserStatsDocument("u-2", 0),
          sampleUserStatsDocument("u-3", 1),
        ];
        const read = await run(({ users }) =>
          Effect.zipRight(
            users.putMany(written),
            Effect.forEach(["u-1", "u-2", "u-3"], (id) => users.get(id)),
          ),
        );
        expect(read.map(Option.getOrThrow)).toEqual(written);
      });
    });

    describe("given a user with stats", () => {
      it("when the user is written again, then the new document replaces the old one whole", async () => {
        const newer = sampleUserStatsDocument("u-1", 2, T0 + 1000);
        const read = await run(({ users }) =>
          Effect.gen(function* () {
            yield* users.putMany([sampleUserStatsDocument("u-1", 30), sampleUserStatsDocument("u-2", 3)]);
            yield* users.putMany([newer]);
            return [yield* users.get("u-1"), yield* users.get("u-2")] as const;
          }),
        );
        expect(Option.getOrThrow(read[0])).toEqual(newer);
        expect(Option.getOrThrow(read[1]).stats.total_watched).toBe(3);
      });

      it("when owners of later epochs write it and a superseded owner writes late, then reads give the highest epoch's document", async () => {
        const byEpoch2 = sampleUserStatsDocument("u-1", 12, T0 + 2000);
        const read = await run(({ users }) =>
          Effect.gen(function* () {
            yield* users.putMany([sampleUserStatsDocument("u-1", 30)]);
            yield* users.putMany([{ ...sampleUserStatsDocument("u-1", 11, T0 + 1000), epoch: 1 }]);
            yield* users.putMany([{ ...byEpoch2, epoch: 2 }]);
            // The epoch-1 owner wakes up and writes what it computed before it was paused.
            yield* users.putMany([{ ...sampleUserStatsDocument("u-1", 1, T0 + 500), epoch: 1 }]);
            return yield* users.get("u-1");
          }),
        );
        expect(Option.getOrThrow(read)).toEqual(byEpoch2);
      });

      it("when the same batch is written twice (a redelivered micro-batch), then the result is the same", async () => {
        const batch = [sampleUserStatsDocument("u-1", 5), sampleUserStatsDocument("u-2", 7)];
        const read = await run(({ users }) =>
          Effect.gen(function* () {
            yield* users.putMany(batch);
            yield* users.putMany(batch);
            return yield* Effect.forEach(["u-1", "u-2"], (id) => users.get(id));
          }),
        );
        expect(read.map(Option.getOrThrow)).toEqual(batch);
      });
    });

    describe("given many users", () => {
      it("when 300 users are written in one call and then all rewritten in one call, then every one holds the rewrite", async () => {
        // 300 rewrites of existing documents in one call: FerretDB hangs on 100+ in one command (bulk.ts).
        const first = Array.from({ length: 300 }, (_, i) => sampleUserStatsDocument(`user-${i}`, i % 4));
        const second = Array.from({ length: 300 }, (_, i) =>
          sampleUserStatsDocument(`user-${i}`, 1 + (i % 3)),
        );
        const read = await run(({ users }) =>
          Effect.gen(function* () {
            yield* users.putMany(first);
            yield* users.putMany(second);
            return yield* Effect.forEach([0, 137, 299], (i) => users.get(`user-${i}`));
          }),
        );
        expect(read.map((found) => Option.getOrThrow(found).stats.total_watched)).toEqual([1, 3, 3]);
      });
    });

    describe("given an empty global_stats", () => {
      it("when a window is read, then there is nothing", async () => {
        const found = await run(({ global }) => global.get("30d"));
        expect(Option.isNone(found)).toBe(true);
      });

      it("when the three windows are written at once, then each window reads back its own document", async () => {
        const written = [
          sampleGlobalStatsDocument("7d", 2, "bootstrap"),
          sampleGlobalStatsDocument("30d", 5, "bootstrap"),
          sampleGlobalStatsDocument("all", 9, "bootstrap"),
        ];
        const read = await run(({ global }) =>
          Effect.zipRight(
            global.putMany(written),
            Effect.forEach(["7d", "30d", "all"] as const, (w) => global.get(w)),
          ),
        );
        expect(read.map(Option.getOrThrow)).toEqual(written);
      });
    });

    describe("given trends written by the bootstrap", () => {
      it("when the streaming output replaces one window, then only that window changes", async () => {
        const streamed = sampleGlobalStatsDocument("30d", 6);
        const read = await run(({ global }) =>
          Effect.gen(function* () {
            yield* global.putMany([sampleGlobalStatsDocument("7d", 2, "bootstrap")]);
            yield* global.putMany([sampleGlobalStatsDocument("30d", 5, "bootstrap")]);
            yield* global.putMany([streamed]);
            return [yield* global.get("7d"), yield* global.get("30d")] as const;
          }),
        );
        expect(Option.getOrThrow(read[0]).source).toBe("bootstrap");
        expect(Option.getOrThrow(read[1])).toEqual(streamed);
      });

      it("when an empty ranking is written (everything left the window), then it reads back empty", async () => {
        const empty: GlobalStatsDocument = {
          ...sampleGlobalStatsDocument("7d", 1),
          top_movies: [],
          trending_genres: [],
          total_movies_analyzed: 0,
        };
        const read = await run(({ global }) =>
          Effect.gen(function* () {
            yield* global.putMany([sampleGlobalStatsDocument("7d", 4)]);
            yield* global.putMany([empty]);
            return yield* global.get("7d");
          }),
        );
        expect(Option.getOrThrow(read)).toEqual(empty);
      });
    });
  });
};

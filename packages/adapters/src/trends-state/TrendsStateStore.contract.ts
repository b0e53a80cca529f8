import {
  applyEvents,
  CURRENT_SCHEMA_VERSION,
  emptyPartitionState,
  filmPieces,
  fromPieces,
  type PartitionTrendState,
  type PositionedEvent,
  takeChanges,
  trendCheckpoint,
  trendsOutput,
  type WatchlistEvent,
} from "@cinematch/domain";
import { Effect, type Layer, Option } from "effect";
import { describe, expect, it } from "vitest";
import { TrendsStateStore, type TrendsStateStoreService } from "./TrendsStateStore.ts";

const T0 = Date.UTC(2026, 10, 1, 12);
const DAY = 86_400_000;

/** An ADD (or DELETE) of film `film` by `user`, added `days_ago` before T0. */
export const trendEvent = (
  type: "ADD" | "DELETE",
  user: string,
  film: number,
  days_ago: number,
  id: string,
): WatchlistEvent => {
  const movie = {
    movie_id: `ml-${film}`,
    title: film % 2 === 0 ? `Mr. Smith ${film}` : `Amélie ${film}`,
    genres: film % 3 === 0 ? ["Sci-Fi", "Drama"] : ["Comedy"],
    ...(film % 4 === 0 ? { poster_path: `https://img.example/${film}.jpg` } : {}),
  };
  const base = {
    schema_version: CURRENT_SCHEMA_VERSION,
    event_id: id,
    user_id: user,
    occurred_at: T0,
    movie,
    added_at: T0 - days_ago * DAY,
  };
  return type === "ADD"
    ? { event_type: "ADD", ...base, watched_at: base.added_at }
    : { event_type: "DELETE", ...base };
};

/** A partition state with `films` films, each added by a few users on a few days; events at offsets 0.. */
export const sampleTrendState = (partition: number, films: number): PartitionTrendState => {
  const events: Array<PositionedEvent> = [];
  for (let film = 0; film < films; film++) {
    for (let user = 0; user <= film % 3; user++) {
      events.push({
        offset: String(events.length),
        event: trendEvent("ADD", `u${user}`, film, (film + user) % 40, `e-${partition}-${film}-${user}`),
      });
    }
  }
  return applyEvents(emptyPartitionState(partition), events, T0);
};

/**
 * The behaviour every `TrendsStateStore` layer must have. `makeLayer` is called once per test and
 * must give an empty store.
 */
export const trendsStateStoreContract = (
  label: string,
  makeLayer: () => Layer.Layer<TrendsStateStore, unknown>,
): void => {
  const run = <A, E>(body: (store: TrendsStateStoreService) => Effect.Effect<A, E>): Promise<A> =>
    Effect.runPromise(
      Effect.flatMap(TrendsStateStore, body).pipe(
        Effect.provide(makeLayer()),
        Effect.scoped,
      ) as Effect.Effect<A, unknown>,
    );

  /** Saves a whole state the way the runner does: all its pending pieces, then its checkpoint. */
  const save = (store: TrendsStateStoreService, state: PartitionTrendState, bootstrap_complete = true) =>
    Effect.gen(function* () {
      const changes = takeChanges(state);
      yield* store.writePieces(
        changes.upserts,
        changes.removals.map((movie_id) => ({ partition: changes.checkpoint.partition, movie_id })),
      );
      yield* store.putCheckpoints([{ checkpoint: changes.checkpoint, bootstrap_complete }]);
    });

  describe(`trends state (${label})`, () => {
    describe("given an empty store", () => {
      it("when read, then there are no checkpoints and no pieces", async () => {
        const read = await run((store) =>
          Effect.all([
            store.checkpoints,
            store.checkpointOf(0),
            store.piecesOf(0),
            store.partitionsWithPieces,
          ]),
        );
        expect(read[0]).toEqual([]);
        expect(Option.isNone(read[1])).toBe(true);
        expect(read[2]).toEqual([]);
        expect(read[3]).toEqual([]);
      });

      it("when nothing is written in a call, then nothing fails", async () => {
        const read = await run((store) =>
          Effect.zipRight(
            Effect.all([store.writePieces([], []), store.putCheckpoints([])]),
            store.checkpoints,
          ),
        );
        expect(read).toEqual([]);
      });
    });

    describe("given two partitions saved (titles with dots and accents, 120 films each)", () => {
      it("when each partition is read back, then its pieces and checkpoint are exactly what was saved", async () => {
        const p0 = sampleTrendState(0, 120);
        const p3 = sampleTrendState(3, 120);
        const expected = {
          pieces0: filmPieces(p0),
          pieces3: filmPieces(p3),
          checkpoints: [trendCheckpoint(p0), trendCheckpoint(p3)],
        };
        const read = await run((store) =>
          Effect.gen(function* () {
            yield* save(store, p3);
            yield* save(store, p0);
            return {
              pieces0: yield* store.piecesOf(0),
              pieces3: yield* store.piecesOf(3),
              checkpoints: (yield* store.checkpoints).map((c) => c.checkpoint),
              complete: (yield* store.checkpoints).map((c) => c.bootstrap_complete),
              partitions: yield* store.partitionsWithPieces,
            };
          }),
        );
        expect(read.pieces0).toEqual(expected.pieces0);
        expect(read.pieces3).toEqual(expected.pieces3);
        expect(read.checkpoints).toEqual(expected.checkpoints);
        expect(read.complete).toEqual([true, true]);
        expect(read.partitions).toEqual([0, 3]);
      });

      it("when a state is rebuilt from what was saved, then its trends equal the original's", async () => {
        const original = sampleTrendState(1, 60);
        const expected = (["7d", "30d", "all"] as const).map((w) => trendsOutput([original], w, T0));
        const rebuilt = await run((store) =>
          Effect.gen(function* () {
            yield* save(store, original);
            const checkpoint = Option.getOrThrow(yield* store.checkpointOf(1));
            return fromPieces(checkpoint.checkpoint, yield* store.piecesOf(1));
          }),
        );
        expect((["7d", "30d", "all"] as const).map((w) => trendsOutput([rebuilt], w, T0))).toEqual(expected);
        expect(expected[2]?.top_movies.length).toBe(10);
      });
    });

    describe("given a saved partition", () => {
      it("when 150 of its pieces change and one film is removed, then each piece is replaced whole and the removed one is gone", async () => {
        const outcome = await run((store) =>
          Effect.gen(function* () {
            const state = sampleTrendState(2, 150);
            yield* save(store, state);
            const before = yield* store.piecesOf(2);
            // Rewrite all 150 (a bulk of 100+ replaces of existing documents) with a change each.
            const changed = before.map((piece) => ({
              ...piece,
              all_time: piece.all_time + 1,
              applied_offset: "999",
            }));
            yield* store.writePieces(changed.slice(1), [{ partition: 2, movie_id: before[0]!.movie_id }]);
            return { before, after: yield* store.piecesOf(2) };
          }),
        );
        expect(outcome.after.length).toBe(149);
        expect(outcome.after.map((p) => p.movie_id)).not.toContain(outcome.before[0]!.movie_id);
        expect(outcome.after.every((p) => p.applied_offset === "999")).toBe(true);
        expect(outcome.after.map((p) => p.all_time)).toEqual(
          outcome.before.slice(1).map((p) => p.all_time + 1),
        );
      });

      it("when a removal names another partition's film, then this partition's piece of that film stays", async () => {
        const outcome = await run((store) =>
          Effect.gen(function* () {
            yield* save(store, sampleTrendState(0, 3));
            yield* save(store, sampleTrendState(1, 3));
            yield* store.writePieces([], [{ partition: 1, movie_id: "ml-0" }]);
            return { p0: yield* store.piecesOf(0), p1: yield* store.piecesOf(1) };
          }),
        );
        expect(outcome.p0.map((p) => p.movie_id)).toEqual(["ml-0", "ml-1", "ml-2"]);
        expect(outcome.p1.map((p) => p.movie_id)).toEqual(["ml-1", "ml-2"]);
      });

      it("when its checkpoint is written again as incomplete, then the flag is what was written last", async () => {
        const read = await run((store) =>
          Effect.gen(function* () {
            const state = sampleTrendState(4, 2);
            yield* save(store, state, true);
            yield* store.putCheckpoints([{ checkpoint: trendCheckpoint(state), bootstrap_complete: false }]);
            return yield* store.checkpointOf(4);
          }),
        );
        expect(Option.getOrThrow(read).bootstrap_complete).toBe(false);
      });

      it("when the partition is cleared, then its checkpoint and pieces are gone and the others' stay", async () => {
        const outcome = await run((store) =>
          Effect.gen(function* () {
            yield* save(store, sampleTrendState(0, 5));
            yield* save(store, sampleTrendState(1, 5));
            yield* store.clearPartition(0);
            yield* store.clearPartition(7); // nothing there: fine
            return {
              checkpoints: (yield* store.checkpoints).map((c) => c.checkpoint.partition),
              p0: yield* store.piecesOf(0),
              p1: yield* store.piecesOf(1),
              partitions: yield* store.partitionsWithPieces,
            };
          }),
        );
        expect(outcome.checkpoints).toEqual([1]);
        expect(outcome.p0).toEqual([]);
        expect(outcome.p1.length).toBe(5);
        expect(outcome.partitions).toEqual([1]);
      });
    });

    describe("given a partition owned under epoch 1 and then taken over under epoch 2", () => {
      it("when the epoch-1 owner writes late (pieces, checkpoint, a clear), then readers still get epoch 2's state", async () => {
        const outcome = await run((store) =>
          Effect.gen(function* () {
            const old = sampleTrendState(6, 4);
            const oldChanges = takeChanges(old);
            yield* store.writePieces(oldChanges.upserts, [], 1);
            yield* store.putCheckpoints([
              { checkpoint: oldChanges.checkpoint, bootstrap_complete: true, epoch: 1, base_epoch: 1 },
            ]);
            const successor = sampleTrendState(6, 6);
            const newChanges = takeChanges(successor);
            yield* store.writePieces(newChanges.upserts, [], 2);
            yield* store.putCheckpoints([
              { checkpoint: newChanges.checkpoint, bootstrap_complete: true, epoch: 2, base_epoch: 1 },
            ]);
            // The superseded owner wakes up: a stale state of fewer films, written after its successor's.
            const stale = takeChanges(sampleTrendState(6, 2));
            yield* store.writePieces(stale.upserts, [{ partition: 6, movie_id: "ml-5" }], 1);
            yield* store.putCheckpoints([
              { checkpoint: stale.checkpoint, bootstrap_complete: true, epoch: 1, base_epoch: 1 },
            ]);
            yield* store.clearPartition(6, 1);
            const latest = Option.getOrThrow(yield* store.checkpointOf(6));
            return {
              epoch: latest.epoch,
              checkpoint: latest.checkpoint,
              all: (yield* store.checkpoints).map((c) => c.epoch),
              pieces: yield* store.piecesOf(6, latest.base_epoch),
              expected: newChanges.upserts,
            };
          }),
        );
        expect(outcome.epoch).toBe(2);
        expect(outcome.all).toEqual([2]);
        expect(outcome.checkpoint).toEqual(trendCheckpoint(sampleTrendState(6, 6)));
        expect(outcome.pieces).toEqual(
          [...outcome.expected].sort((a, b) =>
            a.movie_id < b.movie_id ? -1 : a.movie_id > b.movie_id ? 1 : 0,
          ),
        );
      });

      it("when a bootstrap under epoch 3 clears what older epochs wrote, then only epoch 3's pieces count", async () => {
        const outcome = await run((store) =>
          Effect.gen(function* () {
            yield* store.writePieces(takeChanges(sampleTrendState(2, 5)).upserts, [], 2);
            yield* store.clearPartition(2, 3);
            const fresh = takeChanges(sampleTrendState(2, 1));
            yield* store.writePieces(fresh.upserts, [], 3);
            // A late epoch-2 write after the clear must not come back into the epoch-3 state.
            yield* store.writePieces(takeChanges(sampleTrendState(2, 5)).upserts, [], 2);
            yield* store.putCheckpoints([
              { checkpoint: fresh.checkpoint, bootstrap_complete: true, epoch: 3, base_epoch: 3 },
            ]);
            return (yield* store.piecesOf(2, 3)).map((p) => p.movie_id);
          }),
        );
        expect(outcome).toEqual(["ml-0"]);
      });
    });
  });
};

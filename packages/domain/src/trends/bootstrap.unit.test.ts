import { Option } from "effect";
import { describe, expect, it } from "vitest";
import type { Film } from "../schemas/film.ts";
import { type BootstrapEntry, bootstrapPartitionStates, startBootstrap } from "./bootstrap.ts";
import { filmCounts } from "./output.ts";
import { fromPieces, takeChanges } from "./pieces.ts";
import { applyEvents } from "./reduce.ts";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 29, 15, 0);
const heat: Film = { movie_id: "ml-6", title: "Heat", genres: ["Crime"] };
const alien: Film = { movie_id: "ml-1214", title: "Alien" };

const stored = (
  film: Film,
  options: {
    added_at?: number;
    add?: [number, string] | null;
    removed?: boolean;
    del?: [number, string] | null;
    user?: string;
  },
): BootstrapEntry => {
  const added_at = options.added_at ?? NOW - DAY;
  const position = (p: [number, string] | null | undefined) =>
    p ? Option.some({ partition: p[0], offset: p[1] }) : Option.none();
  return {
    entry: { user_id: options.user ?? "u-1", movie: film, added_at, watched_at: added_at },
    removed: options.removed ?? false,
    add_position: position(options.add),
    delete_position: position(options.del),
  };
};

const starts = [
  { partition: 0, offset: "10" },
  { partition: 1, offset: "0" },
];
const allCounts = (entries: ReadonlyArray<BootstrapEntry>) =>
  Object.fromEntries(filmCounts(bootstrapPartitionStates(entries, starts, NOW), "all", NOW));

describe("given stored entries and the partitions' start positions", () => {
  it("when an entry's ADD landed before its partition's start, then it is counted", () => {
    expect(allCounts([stored(heat, { add: [0, "9"] })])).toEqual({ "ml-6": 1 });
  });

  it("when an entry's ADD landed at or after the start, then it is left to the stream", () => {
    expect(allCounts([stored(heat, { add: [0, "10"] }), stored(alien, { add: [1, "0"] })])).toEqual({});
  });

  it("when an entry's ADD has no known position yet, then it is left to the stream", () => {
    expect(allCounts([stored(heat, { add: null })])).toEqual({});
  });

  it("when a tombstone's DELETE also landed before the start, then it is not counted", () => {
    expect(allCounts([stored(heat, { add: [0, "3"], removed: true, del: [0, "9"] })])).toEqual({});
  });

  it("when a tombstone's DELETE landed at or after the start, or is not yet published, then it is counted and the DELETE will be streamed", () => {
    expect(
      allCounts([
        stored(heat, { add: [0, "3"], removed: true, del: [0, "10"] }),
        stored(heat, { add: [0, "4"], removed: true, del: null, user: "u-2" }),
      ]),
    ).toEqual({ "ml-6": 2 });
  });

  it("when an entry belongs to a partition without a start position, then it is someone else's and ignored", () => {
    expect(allCounts([stored(heat, { add: [7, "1"] })])).toEqual({});
  });

  it("when entries are older than the retention, then they count all-time only", () => {
    const states = bootstrapPartitionStates(
      [
        stored(heat, { add: [0, "1"], added_at: NOW - 40 * DAY }),
        stored(alien, { add: [0, "2"], added_at: NOW }),
      ],
      starts,
      NOW,
    );
    expect(Object.fromEntries(filmCounts(states, "30d", NOW))).toEqual({ "ml-1214": 1 });
    expect(Object.fromEntries(filmCounts(states, "all", NOW))).toEqual({ "ml-6": 1, "ml-1214": 1 });
  });

  it("when bootstrapped, then each state says it applied up to start - 1 and every film is pending a save", () => {
    const states = bootstrapPartitionStates([stored(heat, { add: [0, "1"] })], starts, NOW);
    expect(states.map((state) => [state.partition, state.applied_offset])).toEqual([
      [0, "9"],
      [1, "-1"],
    ]);
    const changes = takeChanges(states[0]!);
    expect(changes.checkpoint).toMatchObject({ partition: 0, applied_offset: "9" });
    expect(changes.upserts.map((piece) => [piece.movie_id, piece.all_time, piece.applied_offset])).toEqual([
      ["ml-6", 1, "9"],
    ]);
  });

  it("when the stream then replays an event from before the start, then it is skipped", () => {
    const [state] = bootstrapPartitionStates([stored(heat, { add: [0, "1"] })], starts, NOW);
    applyEvents(
      state!,
      [
        {
          offset: "1",
          event: {
            event_type: "ADD",
            schema_version: 1,
            event_id: "ev-1",
            user_id: "u-1",
            occurred_at: NOW - DAY,
            movie: heat,
            added_at: NOW - DAY,
            watched_at: NOW - DAY,
          },
        },
      ],
      NOW,
    );
    expect(Object.fromEntries(filmCounts([state!], "all", NOW))).toEqual({ "ml-6": 1 });
  });

  describe("and an event of theirs published twice, its copy landing after the start", () => {
    const addOf = (user: string, event_id: string) => ({
      event_type: "ADD" as const,
      schema_version: 1 as const,
      event_id,
      user_id: user,
      occurred_at: NOW - DAY,
      movie: heat,
      added_at: NOW - DAY,
      watched_at: NOW - DAY,
    });
    const deleteOf = (user: string, event_id: string) => ({
      event_type: "DELETE" as const,
      schema_version: 1 as const,
      event_id,
      user_id: user,
      occurred_at: NOW - DAY + 60_000,
      movie: heat,
      added_at: NOW - DAY,
    });
    const seen = (event_id: string, occurred_at: number) => Option.some({ event_id, occurred_at });

    it("when the copy of a counted entry's ADD is streamed, then the entry still counts once", () => {
      const [state] = bootstrapPartitionStates(
        [{ ...stored(heat, { add: [0, "3"] }), add_event: seen("ev-add", NOW - DAY) }],
        starts,
        NOW,
      );
      applyEvents(state!, [{ offset: "12", event: addOf("u-1", "ev-add") }], NOW);
      expect(Object.fromEntries(filmCounts([state!], "all", NOW))).toEqual({ "ml-6": 1 });
    });

    const tombstoneAndAnother = () =>
      bootstrapPartitionStates(
        [
          {
            ...stored(heat, { add: [0, "3"], removed: true, del: [0, "4"] }),
            add_event: seen("ev-add", NOW - DAY),
            delete_event: seen("ev-del", NOW - DAY + 60_000),
          },
          stored(heat, { add: [0, "5"], user: "u-2" }),
        ],
        starts,
        NOW,
      )[0]!;

    it("when the copy of a tombstone's ADD is streamed, then the removed entry does not count again", () => {
      const state = tombstoneAndAnother();
      applyEvents(state, [{ offset: "12", event: addOf("u-1", "ev-add") }], NOW);
      expect(Object.fromEntries(filmCounts([state], "all", NOW))).toEqual({ "ml-6": 1 });
    });

    it("when the copy of a tombstone's DELETE is streamed, then it does not take away another user's entry", () => {
      const state = tombstoneAndAnother();
      applyEvents(state, [{ offset: "12", event: deleteOf("u-1", "ev-del") }], NOW);
      expect(Object.fromEntries(filmCounts([state], "all", NOW))).toEqual({ "ml-6": 1 });
    });

    it("when the bootstrapped state is saved and reloaded before the copy arrives, then the copy is still dropped", () => {
      const [state] = bootstrapPartitionStates(
        [{ ...stored(heat, { add: [0, "3"] }), add_event: seen("ev-add", NOW - DAY) }],
        starts,
        NOW,
      );
      const changes = takeChanges(state!);
      const reloaded = fromPieces(changes.checkpoint, changes.upserts);
      applyEvents(reloaded, [{ offset: "12", event: addOf("u-1", "ev-add") }], NOW);
      expect(Object.fromEntries(filmCounts([reloaded], "all", NOW))).toEqual({ "ml-6": 1 });
    });
  });

  it("when entries are fed one at a time, then the states equal the ones built from the whole list", () => {
    const entries = [
      stored(heat, { add: [0, "1"] }),
      stored(alien, { add: [0, "2"], removed: true, del: [0, "12"] }),
      stored(heat, { add: [0, "3"], user: "u-2", added_at: NOW - 3 * DAY }),
    ];
    const bootstrap = startBootstrap(starts, NOW);
    for (const entry of entries) bootstrap.add(entry);
    const fed = bootstrap.states();
    const whole = bootstrapPartitionStates(entries, starts, NOW);
    expect(fed.map((state) => takeChanges(state))).toEqual(whole.map((state) => takeChanges(state)));
  });
});

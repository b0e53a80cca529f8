import { describe, it } from "vitest";
import {
  CURRENT_SCHEMA_VERSION,
  type MovieAdded,
  type MovieRemoved,
  type MovieUpdated,
} from "../schemas/events.ts";
import type { Film } from "../schemas/film.ts";
import { decide, EntryNotInList, evolve } from "./decider.ts";
import { DeciderSpecification } from "./decider-specification.test-support.ts";

const T0 = Date.UTC(2026, 10, 1, 12);
const NOW = T0 + 3_600_000;
const film: Film = { movie_id: "m1", title: "Heat", year: 1995, genres: ["Crime"] };
const spec = DeciderSpecification.for({ decide, evolve }, NOW);

const added = (extra: Partial<MovieAdded> = {}): MovieAdded => ({
  event_type: "ADD",
  schema_version: CURRENT_SCHEMA_VERSION,
  event_id: "e1",
  user_id: "u1",
  occurred_at: T0,
  movie: film,
  added_at: T0,
  watched_at: T0,
  ...extra,
});
const updated = (extra: Partial<MovieUpdated> = {}): MovieUpdated => ({
  ...added(),
  event_type: "UPDATE",
  ...extra,
});
const removed = (extra: Partial<MovieRemoved> = {}): MovieRemoved => {
  const { rating: _rating, watched_at: _watched, ...rest } = added();
  return { ...rest, event_type: "DELETE", ...extra };
};

const add = { type: "AddMovie", event_id: "e9", user_id: "u1", movie: film } as const;
const change = { type: "ChangeMovie", event_id: "e9", user_id: "u1", movie_id: "m1" } as const;
const remove = { type: "RemoveMovie", event_id: "e9", user_id: "u1", movie_id: "m1" } as const;
const notInList = new EntryNotInList({ user_id: "u1", movie_id: "m1" });

describe("an entry the user never had", () => {
  it("given no events, when the film is added, then ADD at now, watched now, with the rating", () =>
    spec
      .given([])
      .when({ ...add, rating: 8 })
      .thenEmits([added({ event_id: "e9", occurred_at: NOW, added_at: NOW, watched_at: NOW, rating: 8 })]));

  it("given no events, when added with a day watched and an added time (a replay), then both are kept", () =>
    spec
      .given([])
      .when({ ...add, watched_at: T0 - 5, added_at: T0 })
      .thenEmits([added({ event_id: "e9", occurred_at: NOW, added_at: T0, watched_at: T0 - 5 })]));

  it("given no events, when re-rated, then it is rejected as not in the list", () =>
    spec
      .given([])
      .when({ ...change, rating: 3 })
      .thenRejects(notInList));

  it("given no events, when removed, then it is rejected as not in the list", () =>
    spec.given([]).when(remove).thenRejects(notInList));
});

describe("a listed entry", () => {
  const history = [added({ rating: 6 })];

  it("given it is listed, when added again, then nothing happens (idempotent)", () =>
    spec
      .given(history)
      .when({ ...add, rating: 2 })
      .thenEmits([]));

  it("given a rating, when re-rated, then UPDATE carries the new rating and the unchanged rest", () =>
    spec
      .given(history)
      .when({ ...change, rating: 9 })
      .thenEmits([updated({ event_id: "e9", occurred_at: NOW, rating: 9 })]));

  it("given a rating, when the rating is cleared (null), then UPDATE carries no rating", () =>
    spec
      .given(history)
      .when({ ...change, rating: null })
      .thenEmits([updated({ event_id: "e9", occurred_at: NOW })]));

  it("given a rating, when only the day watched changes, then UPDATE keeps the rating", () =>
    spec
      .given(history)
      .when({ ...change, watched_at: T0 - 86_400_000 })
      .thenEmits([updated({ event_id: "e9", occurred_at: NOW, rating: 6, watched_at: T0 - 86_400_000 })]));

  it("given it is listed, when removed, then DELETE carries the original added_at", () =>
    spec
      .given(history)
      .when(remove)
      .thenEmits([removed({ event_id: "e9", occurred_at: NOW })]));

  it("given earlier changes, when re-rated, then the state reflects every change in order", () =>
    spec
      .given([...history, updated({ event_id: "e2", watched_at: T0 - 7 })])
      .when({ ...change, rating: 1 })
      .thenState({
        entry: { user_id: "u1", movie: film, rating: 1, watched_at: T0 - 7, added_at: T0 },
        removed: false,
      }));
});

describe("an entry watched several times", () => {
  it("given no events, when added with a watch count (an imported history), then ADD carries the count", () =>
    spec
      .given([])
      .when({ ...add, rating: 8, watch_count: 3 })
      .thenEmits([
        added({
          event_id: "e9",
          occurred_at: NOW,
          added_at: NOW,
          watched_at: NOW,
          rating: 8,
          watch_count: 3,
        }),
      ]));

  it("given an entry from before watch counts (its ADD has none), when rewatched, then UPDATE carries the new count and the rest unchanged", () =>
    spec
      .given([added({ rating: 6 })])
      .when({ ...change, watch_count: 2, watched_at: NOW })
      .thenEmits([
        updated({ event_id: "e9", occurred_at: NOW, rating: 6, watched_at: NOW, watch_count: 2 }),
      ]));

  it("given a count, when only the rating changes, then UPDATE keeps the count", () =>
    spec
      .given([added({ rating: 6, watch_count: 4 })])
      .when({ ...change, rating: 9 })
      .thenEmits([updated({ event_id: "e9", occurred_at: NOW, rating: 9, watch_count: 4 })]));
});

describe("a removed entry (tombstone)", () => {
  const history = [added({ rating: 6 }), removed({ event_id: "e2" })];

  it("given it was removed, when added again, then a new entry: ADD with a new added_at", () =>
    spec
      .given(history)
      .when(add)
      .thenEmits([added({ event_id: "e9", occurred_at: NOW, added_at: NOW, watched_at: NOW })]));

  it("given it was removed, when re-rated, then it is rejected as not in the list", () =>
    spec
      .given(history)
      .when({ ...change, rating: 4 })
      .thenRejects(notInList));

  it("given it was removed, when removed again, then it is rejected as not in the list", () =>
    spec.given(history).when(remove).thenRejects(notInList));

  it("given it was removed, when the state is folded, then it is a tombstone of the last entry", () =>
    spec
      .given([added({ rating: 6 })])
      .when(remove)
      .thenState({
        entry: { user_id: "u1", movie: film, rating: 6, watched_at: T0, added_at: T0 },
        removed: true,
      }));
});

import { Schema } from "effect";
import { describe, expect, it } from "vitest";
import type { WatchlistEvent } from "../schemas/events.ts";
import type { Film } from "../schemas/film.ts";
import { filmCounts, globalStatsDocument, trendsOutput } from "./output.ts";
import { applyEvents, type PositionedEvent } from "./reduce.ts";
import { GlobalStatsDocument } from "./schema.ts";
import { emptyPartitionState, type PartitionTrendState } from "./state.ts";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 29, 15, 0);

const heat: Film = { movie_id: "ml-6", title: "Heat", genres: ["Action", "Crime"], poster_path: "/heat.jpg" };
const alien: Film = { movie_id: "ml-1214", title: "Alien", genres: ["Horror", "Sci-Fi"] };
const ran: Film = { movie_id: "ml-1217", title: "Ran", genres: ["Drama", "War"] };

let sequence = 0;
const add = (
  film: Film,
  added_at: number,
  options: { occurred_at?: number; user?: string } = {},
): WatchlistEvent => ({
  event_type: "ADD",
  schema_version: 1,
  event_id: `ev-${++sequence}`,
  user_id: options.user ?? "u-1",
  occurred_at: options.occurred_at ?? NOW - HOUR,
  movie: film,
  added_at,
  watched_at: added_at,
});
const remove = (film: Film, added_at: number, occurred_at = NOW - HOUR): WatchlistEvent => ({
  event_type: "DELETE",
  schema_version: 1,
  event_id: `ev-${++sequence}`,
  user_id: "u-1",
  occurred_at,
  movie: film,
  added_at,
});
const update = (film: Film, added_at: number): WatchlistEvent => ({
  event_type: "UPDATE",
  schema_version: 1,
  event_id: `ev-${++sequence}`,
  user_id: "u-1",
  occurred_at: NOW - HOUR,
  movie: film,
  added_at,
  watched_at: added_at,
  rating: 8,
});

/** Positions the events at offsets first, first + 1, … */
const at = (first: number, ...events: ReadonlyArray<WatchlistEvent>): Array<PositionedEvent> =>
  events.map((event, i) => ({ offset: String(first + i), event }));

const counts = (state: PartitionTrendState, now = NOW) => ({
  "7d": Object.fromEntries(filmCounts([state], "7d", now)),
  "30d": Object.fromEntries(filmCounts([state], "30d", now)),
  all: Object.fromEntries(filmCounts([state], "all", now)),
});

describe("given an empty state", () => {
  it("when the trends are computed, then every list is empty and nothing is analyzed", () => {
    const state = emptyPartitionState(0);
    for (const window of ["7d", "30d", "all"] as const) {
      expect(trendsOutput([state], window, NOW)).toEqual({
        top_movies: [],
        trending_genres: [],
        total_movies_analyzed: 0,
      });
    }
  });

  it("when a film is added today, then it tops every window with the earlier system's fields", () => {
    const state = applyEvents(emptyPartitionState(0), at(0, add(heat, NOW - HOUR)), NOW);
    expect(trendsOutput([state], "30d", NOW)).toEqual({
      top_movies: [{ movie_id: "ml-6", title: "Heat", poster_path: "/heat.jpg", count: 1 }],
      trending_genres: [
        { genre: "Action", count: 1, percentage: 50 },
        { genre: "Crime", count: 1, percentage: 50 },
      ],
      total_movies_analyzed: 1,
    });
    expect(counts(state)).toEqual({ "7d": { "ml-6": 1 }, "30d": { "ml-6": 1 }, all: { "ml-6": 1 } });
  });

  it("when a film without a poster is added, then its poster_path is null", () => {
    const state = applyEvents(emptyPartitionState(0), at(0, add(alien, NOW)), NOW);
    expect(trendsOutput([state], "7d", NOW).top_movies).toEqual([
      { movie_id: "ml-1214", title: "Alien", poster_path: null, count: 1 },
    ]);
  });

  it("when a DELETE arrives whose ADD it never saw, then no count goes below zero and a later ADD counts one", () => {
    const state = applyEvents(emptyPartitionState(0), at(0, remove(heat, NOW - DAY)), NOW);
    expect(counts(state)).toEqual({ "7d": {}, "30d": {}, all: {} });
    applyEvents(state, at(1, add(heat, NOW - DAY)), NOW);
    expect(counts(state)).toEqual({ "7d": { "ml-6": 1 }, "30d": { "ml-6": 1 }, all: { "ml-6": 1 } });
  });

  it("when only UPDATEs arrive, then nothing is counted", () => {
    const state = applyEvents(emptyPartitionState(0), at(0, update(heat, NOW), update(alien, NOW)), NOW);
    expect(counts(state)).toEqual({ "7d": {}, "30d": {}, all: {} });
  });
});

describe("given a film added 31 days ago", () => {
  const state = () => applyEvents(emptyPartitionState(0), at(0, add(heat, NOW - 31 * DAY)), NOW);

  it("when the trends are computed, then it is only in the all-time window", () => {
    expect(counts(state())).toEqual({ "7d": {}, "30d": {}, all: { "ml-6": 1 } });
    expect(trendsOutput([state()], "30d", NOW).top_movies).toEqual([]);
  });

  it("when its entry is deleted, then the all-time count goes back to zero", () => {
    const s = applyEvents(state(), at(1, remove(heat, NOW - 31 * DAY)), NOW);
    expect(counts(s)).toEqual({ "7d": {}, "30d": {}, all: {} });
  });
});

describe("given films added 6, 7 and 29 days ago", () => {
  const state = () =>
    applyEvents(
      emptyPartitionState(0),
      at(0, add(heat, NOW - 6 * DAY), add(alien, NOW - 7 * DAY), add(ran, NOW - 29 * DAY)),
      NOW,
    );

  it("when the trends are computed, then 7d holds today and the 6 days before it, 30d the 30 days", () => {
    expect(counts(state())).toEqual({
      "7d": { "ml-6": 1 },
      "30d": { "ml-6": 1, "ml-1214": 1, "ml-1217": 1 },
      all: { "ml-6": 1, "ml-1214": 1, "ml-1217": 1 },
    });
  });

  it("when a day passes, then the film added 29 days ago leaves the 30-day window and the one added 6 days ago the 7-day one", () => {
    const later = applyEvents(state(), [], NOW + DAY);
    expect(counts(later, NOW + DAY)).toEqual({
      "7d": {},
      "30d": { "ml-6": 1, "ml-1214": 1 },
      all: { "ml-6": 1, "ml-1214": 1, "ml-1217": 1 },
    });
  });

  it("when the entry added 29 days ago is deleted after its day left the window, then only all-time changes", () => {
    const later = applyEvents(state(), at(3, remove(ran, NOW - 29 * DAY, NOW + 2 * DAY)), NOW + 2 * DAY);
    expect(counts(later, NOW + 2 * DAY)).toEqual({
      "7d": {},
      "30d": { "ml-6": 1, "ml-1214": 1 },
      all: { "ml-6": 1, "ml-1214": 1 },
    });
  });
});

describe("given a film added today and deleted", () => {
  it("when the trends are computed, then it is in no window and not listed", () => {
    const state = applyEvents(emptyPartitionState(0), at(0, add(heat, NOW), remove(heat, NOW)), NOW);
    expect(counts(state)).toEqual({ "7d": {}, "30d": {}, all: {} });
    expect(trendsOutput([state], "all", NOW)).toEqual({
      top_movies: [],
      trending_genres: [],
      total_movies_analyzed: 0,
    });
  });
});

describe("given twelve films with different counts", () => {
  const films: Array<Film> = Array.from({ length: 12 }, (_, i) => ({
    movie_id: `ml-${100 + i}`,
    // Two pairs share a title: the movie id breaks the tie.
    title: ["Up", "Up", "Ran", "Ran"][i] ?? `Film ${String.fromCharCode(65 + i)}`,
    genres: i % 2 === 0 ? ["Drama"] : ["Comedy", "Drama"],
  }));
  const events = films.flatMap((film, i) =>
    Array.from({ length: i < 4 ? 5 : 12 - i }, (_, k) => add(film, NOW - k * HOUR, { user: `u-${k}` })),
  );
  const state = () => applyEvents(emptyPartitionState(0), at(0, ...events), NOW);

  it("when the trends are computed, then the top 10 is by count, then title, then movie id", () => {
    const top = trendsOutput([state()], "7d", NOW).top_movies;
    expect(top.map(({ movie_id, title, count }) => `${count} ${title} ${movie_id}`)).toEqual([
      "8 Film E ml-104",
      "7 Film F ml-105",
      "6 Film G ml-106",
      "5 Film H ml-107",
      "5 Ran ml-102",
      "5 Ran ml-103",
      "5 Up ml-100",
      "5 Up ml-101",
      "4 Film I ml-108",
      "3 Film J ml-109",
    ]);
  });

  it("when the trends are computed, then every film of the window counts for the genres and the total, not only the top 10", () => {
    const output = trendsOutput([state()], "7d", NOW);
    // Films 100..111 have 5,5,5,5,8,7,6,5,4,3,2,1 entries; odd indexes are also Comedy.
    expect(output.total_movies_analyzed).toBe(56);
    expect(output.trending_genres).toEqual([
      { genre: "Drama", count: 56, percentage: 68.3 },
      { genre: "Comedy", count: 26, percentage: 31.7 },
    ]);
  });
});

describe("given the earlier system's genre example", () => {
  it("when a film with count 5 has genres A and B and one with count 3 has B, then B counts 8 and A 5", () => {
    const a: Film = { movie_id: "ml-1", title: "One", genres: ["A", "B"] };
    const b: Film = { movie_id: "ml-2", title: "Two", genres: ["B", "B"] };
    const events = [
      ...Array.from({ length: 5 }, (_, k) => add(a, NOW, { user: `u-${k}` })),
      ...Array.from({ length: 3 }, (_, k) => add(b, NOW, { user: `u-${k}` })),
    ];
    const state = applyEvents(emptyPartitionState(0), at(0, ...events), NOW);
    expect(trendsOutput([state], "30d", NOW).trending_genres).toEqual([
      { genre: "B", count: 8, percentage: 61.5 },
      { genre: "A", count: 5, percentage: 38.5 },
    ]);
  });
});

describe("given an applied event", () => {
  const first = add(heat, NOW - HOUR, { occurred_at: NOW - HOUR });
  const state = () => applyEvents(emptyPartitionState(0), at(0, first), NOW);

  it("when the same batch is delivered again at the same offset, then nothing changes", () => {
    const s = applyEvents(state(), at(0, first), NOW);
    expect(counts(s).all).toEqual({ "ml-6": 1 });
    expect(s.applied_offset).toBe("0");
  });

  it("when the same event id arrives again at a later offset, then it is not counted again", () => {
    const s = applyEvents(state(), at(7, first), NOW);
    expect(counts(s).all).toEqual({ "ml-6": 1 });
    expect(s.applied_offset).toBe("7");
  });

  it("when newer events have moved the watermark past the dedup horizon, then a copy counts again (the documented bound)", () => {
    const newer = add(alien, NOW, { occurred_at: NOW + 25 * HOUR });
    const s = applyEvents(state(), at(1, newer, first), NOW + 25 * HOUR);
    expect(counts(s, NOW + 25 * HOUR).all).toEqual({ "ml-6": 2, "ml-1214": 1 });
  });
});

describe("given offsets beyond 2^53", () => {
  it("when events are applied and one is delivered again, then the offsets are compared exactly", () => {
    const s = applyEvents(
      emptyPartitionState(0),
      [
        { offset: "9007199254740993", event: add(heat, NOW) },
        { offset: "9007199254740994", event: add(alien, NOW) },
      ],
      NOW,
    );
    expect(s.applied_offset).toBe("9007199254740994");
    applyEvents(s, [{ offset: "9007199254740993", event: add(ran, NOW) }], NOW);
    expect(counts(s).all).toEqual({ "ml-6": 1, "ml-1214": 1 });
  });
});

describe("given three partitions where a film is 11th in each", () => {
  // Each partition has ten films of its own with 2 entries each, and Heat with 1.
  const partitions = [0, 1, 2].map((p) => {
    const own = Array.from(
      { length: 10 },
      (_, i): Film => ({ movie_id: `ml-${p}0${i}`, title: `Film ${p}${i}` }),
    );
    const events = own.flatMap((film) => [
      add(film, NOW, { user: `u-${p}-a` }),
      add(film, NOW, { user: `u-${p}-b` }),
    ]);
    return applyEvents(emptyPartitionState(p), at(0, ...events, add(heat, NOW, { user: `u-${p}-h` })), NOW);
  });

  it("when a partition is ranked alone, then the film is not in its top 10", () => {
    for (const state of partitions) {
      expect(trendsOutput([state], "7d", NOW).top_movies.map((m) => m.movie_id)).not.toContain("ml-6");
    }
  });

  it("when the partitions are merged, then the film is 1st with the sum of its counts", () => {
    expect(trendsOutput(partitions, "7d", NOW).top_movies[0]).toEqual({
      movie_id: "ml-6",
      title: "Heat",
      poster_path: "/heat.jpg",
      count: 3,
    });
    expect(trendsOutput(partitions, "7d", NOW).total_movies_analyzed).toBe(63);
  });
});

describe("given a global_stats document built from the output", () => {
  it("when it is encoded with the stored schema, then it is valid and carries the window and the source", () => {
    const state = applyEvents(emptyPartitionState(0), at(0, add(heat, NOW), add(alien, NOW - 3 * DAY)), NOW);
    const document = globalStatsDocument([state], "7d", NOW, "streaming_incremental");
    const encoded = Schema.encodeSync(GlobalStatsDocument)(document);
    expect(encoded).toMatchObject({
      type: "global_trends",
      window: "7d",
      source: "streaming_incremental",
      updated_at: new Date(NOW).toISOString(),
      total_movies_analyzed: 2,
    });
    expect(Schema.decodeUnknownSync(GlobalStatsDocument)(encoded)).toEqual(document);
  });
});

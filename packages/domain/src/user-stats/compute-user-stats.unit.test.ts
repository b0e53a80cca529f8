import { Schema } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { WatchedEntry } from "../schemas/entry.ts";
import type { Film } from "../schemas/film.ts";
import { computeUserStats } from "./compute-user-stats.ts";
import { roundHalfAwayFromZero } from "./round.ts";
import { UserStats } from "./schema.ts";

// ---------------------------------------------------------------------------------------------
// Building entries

const at = (iso: string): number => Date.parse(iso);

const entry = (
  movie: Partial<Film> & Pick<Film, "movie_id" | "title">,
  watched: string,
  rating?: number,
  added?: string,
): WatchedEntry => ({
  user_id: "u-1",
  movie,
  ...(rating === undefined ? {} : { rating }),
  watched_at: at(watched),
  added_at: at(added ?? watched),
});

/** Every output must survive the stored-document schema both ways: encode (epoch ms → ISO) and decode back. */
const roundTrip = (stats: UserStats): UserStats =>
  Schema.decodeUnknownSync(UserStats)(Schema.encodeSync(UserStats)(stats));

const emptyChart = (): Array<{ rating: number; count: number }> =>
  Array.from({ length: 20 }, (_, i) => ({ rating: (i + 1) / 2, count: 0 }));

const chartWith = (counts: Record<string, number>) =>
  emptyChart().map((bucket) => ({ ...bucket, count: counts[String(bucket.rating)] ?? 0 }));

const weekdaysWith = (counts: Partial<Record<string, number>>) =>
  ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"].map((weekday) => ({
    weekday,
    count: counts[weekday] ?? 0,
  }));

// ---------------------------------------------------------------------------------------------
// Examples

describe("given no films", () => {
  const stats = computeUserStats([]);

  it("when the stats are computed, then every figure is empty, zero or null and all buckets are present", () => {
    expect(stats).toStrictEqual({
      stats_version: 2,
      total_watched: 0,
      rated_count: 0,
      avg_rating: null,
      rating_chart_data: emptyChart(),
      top_rated_movies: [],
      recent_movies: [],
      genre_data: [],
      favorite_genre: null,
      watch_time_hours: 0,
      best_rated_directors: [],
      most_watched_actors: [],
      films_per_year: [],
      films_per_month: [],
      decades: [],
      weekdays: weekdaysWith({}),
      longest_streak: { days: 0, start: null, end: null },
      milestones: [],
      missing_data: {
        without_runtime: 0,
        without_genres: 0,
        without_directors: 0,
        without_actors: 0,
        without_year: 0,
      },
    });
  });

  it("when the stats are encoded and decoded with the UserStats schema, then they come back equal", () => {
    expect(roundTrip(stats)).toEqual(stats);
  });
});

describe("given a small hand-computed watch list (the earlier system's kind of example)", () => {
  const shawshank = {
    movie_id: "tt0111161",
    title: "The Shawshank Redemption",
    year: 1994,
    genres: ["Drama"],
    directors: ["Frank Darabont"],
    actors: ["Tim Robbins", "Morgan Freeman"],
    runtime_minutes: 142,
    poster_path: "/shawshank.jpg",
  };
  const greenMile = {
    movie_id: "tt0120689",
    title: "The Green Mile",
    year: 1999,
    genres: ["Crime", "Drama", "Fantasy"],
    directors: ["Frank Darabont"],
    actors: ["Tom Hanks", "Michael Clarke Duncan"],
    runtime_minutes: 189,
  };
  const forrestGump = {
    movie_id: "tt0109830",
    title: "Forrest Gump",
    year: 1994,
    genres: ["Drama", "Romance"],
    directors: ["Robert Zemeckis"],
    actors: ["Tom Hanks", "Robin Wright"],
    runtime_minutes: 142,
  };
  const castAway = {
    movie_id: "tt0162222",
    title: "Cast Away",
    year: 2000,
    genres: ["Adventure", "Drama"],
    directors: ["Robert Zemeckis"],
    actors: ["Tom Hanks", "Helen Hunt"],
    runtime_minutes: 143,
  };
  const bare = { movie_id: "local-1", title: "A Home Movie" };
  const entries = [
    entry(shawshank, "2024-01-01T20:00:00Z", 10), // Monday
    entry(greenMile, "2024-01-02T21:00:00Z", 9), // Tuesday
    entry(forrestGump, "2024-01-03T19:00:00Z", 8.5), // Wednesday
    entry(castAway, "2024-01-05T18:00:00Z", 7), // Friday: the streak is broken on Thursday
    entry(bare, "2024-02-10T12:00:00Z"), // Saturday, unrated, nothing known about it
  ];
  const stats = computeUserStats(entries);
  const listed = (e: WatchedEntry) => ({
    movie_id: e.movie.movie_id,
    title: e.movie.title,
    ...(e.movie.year === undefined ? {} : { year: e.movie.year }),
    ...(e.movie.poster_path === undefined ? {} : { poster_path: e.movie.poster_path }),
    ...(e.rating === undefined ? {} : { rating: e.rating }),
    watched_at: e.watched_at,
  });
  const [s, g, f, c, b] = entries as [WatchedEntry, WatchedEntry, WatchedEntry, WatchedEntry, WatchedEntry];

  it("when the stats are computed, then every figure is the hand-computed one", () => {
    // Strict: an absent rating, year or poster is an absent key, never `undefined` (exactOptionalPropertyTypes).
    expect(stats).toStrictEqual({
      stats_version: 2,
      total_watched: 5,
      rated_count: 4,
      avg_rating: 8.63, // 34.5 / 4 = 8.625, half away from zero
      rating_chart_data: chartWith({ "7": 1, "8.5": 1, "9": 1, "10": 1 }),
      top_rated_movies: [listed(s), listed(g), listed(f), listed(c)],
      recent_movies: [listed(b), listed(c), listed(f), listed(g), listed(s)],
      genre_data: [
        { genre: "Drama", count: 4, percentage: 50 },
        { genre: "Adventure", count: 1, percentage: 12.5 },
        { genre: "Crime", count: 1, percentage: 12.5 },
        { genre: "Fantasy", count: 1, percentage: 12.5 },
        { genre: "Romance", count: 1, percentage: 12.5 },
      ],
      favorite_genre: "Drama",
      watch_time_hours: 10.3, // 616 minutes
      best_rated_directors: [
        { director: "Frank Darabont", avg_rating: 9.5, count: 2 },
        { director: "Robert Zemeckis", avg_rating: 7.75, count: 2 },
      ],
      most_watched_actors: [
        { actor: "Tom Hanks", count: 3 },
        { actor: "Helen Hunt", count: 1 },
        { actor: "Michael Clarke Duncan", count: 1 },
        { actor: "Morgan Freeman", count: 1 },
        { actor: "Robin Wright", count: 1 },
        { actor: "Tim Robbins", count: 1 },
      ],
      films_per_year: [{ period: "2024", films: 5, hours: 10.3 }],
      films_per_month: [
        { period: "2024-01", films: 4, hours: 10.3 },
        { period: "2024-02", films: 1, hours: 0 },
      ],
      decades: [
        { decade: 1990, count: 3 },
        { decade: 2000, count: 1 },
      ],
      weekdays: weekdaysWith({ Monday: 1, Tuesday: 1, Wednesday: 1, Friday: 1, Saturday: 1 }),
      longest_streak: { days: 3, start: "2024-01-01", end: "2024-01-03" },
      milestones: [{ milestone: 1, film: listed(s) }],
      missing_data: {
        without_runtime: 1,
        without_genres: 1,
        without_directors: 1,
        without_actors: 1,
        without_year: 1,
      },
    });
  });

  it("when the stats are encoded and decoded with the UserStats schema, then they come back equal", () => {
    expect(roundTrip(stats)).toEqual(stats);
  });

  it("when the list is reversed, then the stats are the same", () => {
    expect(computeUserStats([...entries].reverse())).toEqual(stats);
  });
});

describe("given films without runtimes, genres, people or year", () => {
  const entries = [
    entry(
      { movie_id: "m1", title: "Bare", genres: [], directors: [], actors: [] },
      "2024-05-01T10:00:00Z",
      6,
    ),
    entry({ movie_id: "m2", title: "Timed", runtime_minutes: 90, year: 2010 }, "2024-05-01T12:00:00Z"),
  ];
  const stats = computeUserStats(entries);

  it("when the stats are computed, then they count the films everywhere they can", () => {
    expect(stats.total_watched).toBe(2);
    expect(stats.rated_count).toBe(1);
    expect(stats.avg_rating).toBe(6);
    expect(stats.films_per_month).toEqual([{ period: "2024-05", films: 2, hours: 1.5 }]);
    expect(stats.watch_time_hours).toBe(1.5);
    expect(stats.decades).toEqual([{ decade: 2010, count: 1 }]);
    expect(stats.longest_streak).toEqual({ days: 1, start: "2024-05-01", end: "2024-05-01" });
  });

  it("when the stats are computed, then genres and people are empty and the gaps are noted", () => {
    expect(stats.genre_data).toEqual([]);
    expect(stats.favorite_genre).toBeNull();
    expect(stats.best_rated_directors).toEqual([]);
    expect(stats.most_watched_actors).toEqual([]);
    expect(stats.missing_data).toEqual({
      without_runtime: 1,
      without_genres: 2,
      without_directors: 2,
      without_actors: 2,
      without_year: 1,
    });
  });
});

describe("given only unrated films", () => {
  const stats = computeUserStats([
    entry({ movie_id: "m1", title: "One", directors: ["D"] }, "2024-01-01T00:00:00Z"),
    entry({ movie_id: "m2", title: "Two", directors: ["D"] }, "2024-01-02T00:00:00Z"),
  ]);

  it("when the stats are computed, then there is no average, no top rated and no director ranking", () => {
    expect(stats.avg_rating).toBeNull();
    expect(stats.rated_count).toBe(0);
    expect(stats.rating_chart_data).toEqual(emptyChart());
    expect(stats.top_rated_movies).toEqual([]);
    expect(stats.best_rated_directors).toEqual([]);
    expect(stats.recent_movies.map((m) => m.title)).toEqual(["Two", "One"]);
  });
});

describe("given a rating off the half-step scale (which the Rating schema refuses)", () => {
  const stats = computeUserStats([entry({ movie_id: "m1", title: "Odd" }, "2024-01-01T00:00:00Z", 3.3)]);

  it("when the stats are computed, then the film counts as unrated", () => {
    expect(stats.rated_count).toBe(0);
    expect(stats.avg_rating).toBeNull();
    expect(stats.recent_movies[0]).not.toHaveProperty("rating");
    expect(roundTrip(stats)).toEqual(stats);
  });
});

describe("given ties in the top lists", () => {
  const entries = [
    entry({ movie_id: "a", title: "Zodiac" }, "2024-01-01T00:00:00Z", 9),
    entry({ movie_id: "b", title: "Alien" }, "2024-01-02T00:00:00Z", 9),
    entry({ movie_id: "c", title: "Memento" }, "2024-01-02T00:00:00Z", 9),
    entry({ movie_id: "d", title: "Heat" }, "2024-01-03T00:00:00Z", 8),
  ];
  const stats = computeUserStats(entries);

  it("when ranked by rating, then equal ratings go most recent first, then by title", () => {
    expect(stats.top_rated_movies.map((m) => m.title)).toEqual(["Alien", "Memento", "Zodiac", "Heat"]);
  });

  it("when listed by recency, then equal watch times go by title", () => {
    expect(stats.recent_movies.map((m) => m.title)).toEqual(["Heat", "Alien", "Memento", "Zodiac"]);
  });
});

describe("given directors with different numbers of rated films", () => {
  const film = (id: string, directors: string[]) => ({ movie_id: id, title: `Film ${id}`, directors });
  const stats = computeUserStats([
    entry(film("1", ["Only Once"]), "2024-01-01T00:00:00Z", 10),
    entry(film("2", ["Rated Once"]), "2024-01-02T00:00:00Z", 10),
    entry(film("3", ["Rated Once"]), "2024-01-03T00:00:00Z"),
    entry(film("4", ["Bigelow"]), "2024-01-04T00:00:00Z", 8),
    entry(film("5", ["Bigelow"]), "2024-01-05T00:00:00Z", 8),
    entry(film("6", ["Allen"]), "2024-01-06T00:00:00Z", 8),
    entry(film("7", ["Allen"]), "2024-01-07T00:00:00Z", 8),
    entry(film("8", ["Coppola", "Coppola"]), "2024-01-08T00:00:00Z", 7),
    entry(film("9", ["Coppola"]), "2024-01-09T00:00:00Z", 8),
    entry(film("10", ["Coppola"]), "2024-01-10T00:00:00Z", 9),
  ]);

  it("when ranked, then only directors with two rated films appear, by average, then count, then name", () => {
    expect(stats.best_rated_directors).toEqual([
      { director: "Coppola", avg_rating: 8, count: 3 },
      { director: "Allen", avg_rating: 8, count: 2 },
      { director: "Bigelow", avg_rating: 8, count: 2 },
    ]);
  });
});

describe("given a name listed twice in one film", () => {
  const stats = computeUserStats([
    entry(
      { movie_id: "m1", title: "Twice", genres: ["Drama", "Drama"], actors: ["Ann", "Ann", "Bo"] },
      "2024-01-01T00:00:00Z",
    ),
    entry({ movie_id: "m2", title: "Once", genres: ["Comedy"], actors: ["Bo"] }, "2024-01-02T00:00:00Z"),
  ]);

  it("when counted, then the name counts once for that film", () => {
    expect(stats.most_watched_actors).toEqual([
      { actor: "Bo", count: 2 },
      { actor: "Ann", count: 1 },
    ]);
    expect(stats.genre_data).toEqual([
      { genre: "Comedy", count: 1, percentage: 50 },
      { genre: "Drama", count: 1, percentage: 50 },
    ]);
  });
});

describe("given more films than the lists hold", () => {
  const entries = Array.from({ length: 15 }, (_, i) =>
    entry(
      { movie_id: `m${i}`, title: `Film ${String(i).padStart(2, "0")}`, actors: [`Actor ${i}`, "Everyone"] },
      `2024-01-${String(i + 1).padStart(2, "0")}T12:00:00Z`,
      (i % 20) / 2 + 0.5,
    ),
  );
  const stats = computeUserStats(entries);

  it("when listed, then each ranked list keeps its best ten", () => {
    expect(stats.top_rated_movies.map((m) => m.rating)).toEqual([7.5, 7, 6.5, 6, 5.5, 5, 4.5, 4, 3.5, 3]);
    expect(stats.recent_movies.map((m) => m.title)[0]).toBe("Film 14");
    expect(stats.recent_movies).toHaveLength(10);
    expect(stats.most_watched_actors).toHaveLength(10);
    expect(stats.most_watched_actors[0]).toEqual({ actor: "Everyone", count: 15 });
    expect(stats.most_watched_actors[1]).toEqual({ actor: "Actor 0", count: 1 });
    expect(roundTrip(stats)).toEqual(stats);
  });

  it("when milestones are taken, then the 1st and 10th film are named with their dates", () => {
    expect(stats.milestones.map((m) => [m.milestone, m.film.title, m.film.watched_at])).toEqual([
      [1, "Film 00", at("2024-01-01T12:00:00Z")],
      [10, "Film 09", at("2024-01-10T12:00:00Z")],
    ]);
  });

  it("when the streak is measured, then fifteen consecutive days make one streak", () => {
    expect(stats.longest_streak).toEqual({ days: 15, start: "2024-01-01", end: "2024-01-15" });
  });
});

describe("given the same film twice at the same moment with different snapshots", () => {
  const old = entry({ movie_id: "m1", title: "Heat", year: 1995 }, "2024-01-01T20:00:00Z", 8);
  const fresher = entry(
    { movie_id: "m1", title: "Heat", year: 1995, poster_path: "/heat.jpg" },
    "2024-01-01T20:00:00Z",
    8,
  );
  const redated = entry({ movie_id: "m1", title: "Heat", year: 1996 }, "2024-01-01T20:00:00Z", 8);

  it("when listed in either order, then the lists are identical (every shown field breaks ties)", () => {
    const forward = computeUserStats([old, fresher, redated]);
    const backward = computeUserStats([redated, fresher, old]);
    expect(backward).toEqual(forward);
    expect(forward.top_rated_movies.map((m) => [m.year, m.poster_path])).toEqual([
      [1995, undefined],
      [1995, "/heat.jpg"],
      [1996, undefined],
    ]);
  });
});

describe("given films watched at the same moment", () => {
  const entries = [
    entry({ movie_id: "m3", title: "Abyss" }, "2024-01-01T20:00:00Z", undefined, "2024-01-02T09:00:00Z"),
    entry({ movie_id: "m2", title: "Brazil" }, "2024-01-01T20:00:00Z", undefined, "2024-01-02T08:00:00Z"),
    entry({ movie_id: "m1", title: "Amour" }, "2024-01-01T20:00:00Z", undefined, "2024-01-02T08:00:00Z"),
  ];

  it("when milestones are ordered, then the earlier-added and then the alphabetically first comes first", () => {
    const films = Array.from({ length: 10 }, (_, i) =>
      entry({ movie_id: `x${i}`, title: `Later ${i}` }, "2024-06-01T00:00:00Z"),
    );
    const stats = computeUserStats([...films, ...entries]);
    expect(stats.milestones.map((m) => [m.milestone, m.film.title])).toEqual([
      [1, "Amour"],
      [10, "Later 6"],
    ]);
  });
});

describe("given watch dates across a fixed UTC offset", () => {
  const entries = [
    entry({ movie_id: "m1", title: "Midnight", runtime_minutes: 120 }, "2023-12-31T23:30:00Z"),
  ];

  it("when read in UTC, then the film is on Sunday 31 December 2023", () => {
    const stats = computeUserStats(entries);
    expect(stats.films_per_year).toEqual([{ period: "2023", films: 1, hours: 2 }]);
    expect(stats.films_per_month).toEqual([{ period: "2023-12", films: 1, hours: 2 }]);
    expect(stats.weekdays).toEqual(weekdaysWith({ Sunday: 1 }));
    expect(stats.longest_streak).toEqual({ days: 1, start: "2023-12-31", end: "2023-12-31" });
  });

  it("when read at UTC+01:00, then the film is on Monday 1 January 2024", () => {
    const stats = computeUserStats(entries, { utcOffsetMinutes: 60 });
    expect(stats.films_per_year).toEqual([{ period: "2024", films: 1, hours: 2 }]);
    expect(stats.films_per_month).toEqual([{ period: "2024-01", films: 1, hours: 2 }]);
    expect(stats.weekdays).toEqual(weekdaysWith({ Monday: 1 }));
    expect(stats.longest_streak).toEqual({ days: 1, start: "2024-01-01", end: "2024-01-01" });
  });

  it("when two films a few hours apart are read at UTC-05:00, then they fall on two consecutive days", () => {
    const pair = [
      entry({ movie_id: "a", title: "Late" }, "2024-03-01T03:00:00Z"), // 29 Feb, 22:00 local
      entry({ movie_id: "b", title: "Next" }, "2024-03-01T06:00:00Z"), // 1 Mar, 01:00 local
    ];
    expect(computeUserStats(pair).longest_streak.days).toBe(1);
    expect(computeUserStats(pair, { utcOffsetMinutes: -300 }).longest_streak).toEqual({
      days: 2,
      start: "2024-02-29",
      end: "2024-03-01",
    });
  });
});

describe("given several streaks", () => {
  const on = (day: string, id: string) => entry({ movie_id: id, title: id }, `${day}T12:00:00Z`);

  it("when two streaks are equally long, then the earlier one is reported", () => {
    const stats = computeUserStats([
      on("2024-05-10", "e"),
      on("2024-05-11", "f"),
      on("2024-02-28", "a"),
      on("2024-02-29", "b"),
    ]);
    expect(stats.longest_streak).toEqual({ days: 2, start: "2024-02-28", end: "2024-02-29" });
  });

  it("when several films share a day, then the day counts once and a leap day joins the months", () => {
    const stats = computeUserStats([
      on("2024-02-28", "a"),
      on("2024-02-28", "b"),
      on("2024-02-29", "c"),
      on("2024-03-01", "d"),
      on("2024-03-03", "e"),
    ]);
    expect(stats.longest_streak).toEqual({ days: 3, start: "2024-02-28", end: "2024-03-01" });
  });
});

// ---------------------------------------------------------------------------------------------
// Laws, against random watch lists

const GENRES = ["Drama", "Comedy", "Action", "Sci-Fi", "Horror", "Documentary"];
const PEOPLE = ["J.J. Abrams", "Agnès Varda", "Bong Joon-ho", "Kurosawa Akira", "Ann", "ann"];
const DAY_MS = 86_400_000;
const START = Date.UTC(2023, 11, 20);

const namesArb = (pool: string[]) => fc.array(fc.constantFrom(...pool), { maxLength: 4 });
const filmArb: fc.Arbitrary<Film> = fc.record(
  {
    movie_id: fc.constantFrom("m1", "m2", "m3", "m4", "m5", "m6"),
    title: fc.constantFrom("Alien", "Heat", "Ran", "Up", "Élite", "alien"),
    // Mostly a few years, so films differing only by id or poster tie on every other field.
    year: fc.oneof(fc.constantFrom(1927, 1994, 1999, 2010), fc.integer({ min: 1870, max: 2100 })),
    genres: namesArb(GENRES),
    directors: namesArb(PEOPLE),
    actors: namesArb(PEOPLE),
    runtime_minutes: fc.integer({ min: 1, max: 300 }),
    poster_path: fc.constantFrom("/a.jpg", "/b.jpg"),
  },
  { requiredKeys: ["movie_id", "title"], noNullPrototype: true },
);
// Coarse times (a few hours in ~80 days) so equal instants, equal days and month ends are common.
const instantArb = fc
  .tuple(fc.integer({ min: 0, max: 80 }), fc.constantFrom(0, 1, 12, 22, 23))
  .map(([day, hour]) => START + day * DAY_MS + hour * 3_600_000);
const entryArb: fc.Arbitrary<WatchedEntry> = fc
  .record(
    {
      user_id: fc.constant("u-1"),
      movie: filmArb,
      rating: fc.oneof(
        fc.constantFrom(7, 8),
        fc.integer({ min: 1, max: 20 }).map((n) => n / 2),
      ),
      watched_at: instantArb,
      // Often added right when watched, so the chronological order must fall back to the title.
      added_after: fc.constantFrom(0, 0, 3_600_000, 40 * DAY_MS),
    },
    { requiredKeys: ["user_id", "movie", "watched_at", "added_after"], noNullPrototype: true },
  )
  .map(({ added_after, ...rest }) => ({ ...rest, added_at: rest.watched_at + added_after }));
const entriesArb = fc.array(entryArb, { maxLength: 60 });
const offsetArb = fc.integer({ min: -720, max: 840 });

/**
 * A deliberately naive model of the definitions: full sorts, Sets, and `Date`'s UTC getters on the
 * shifted instant. Slow, obviously right, and built differently from the real thing.
 */
const model = (entries: ReadonlyArray<WatchedEntry>, offset: number) => {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const local = (ms: number) => new Date(ms + offset * 60_000).toISOString();
  const rated = entries.filter((e) => e.rating !== undefined);
  const byTitle = (a: WatchedEntry, b: WatchedEntry) =>
    cmp(a.movie.title, b.movie.title) || cmp(a.movie.movie_id, b.movie.movie_id);
  const count = (names: Array<string>) => {
    const counts = new Map<string, number>();
    for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
    return [...counts];
  };
  const genres = count(entries.flatMap((e) => [...new Set(e.movie.genres ?? [])]));
  const assignments = genres.reduce((sum, [, n]) => sum + n, 0);
  const directors = [...new Set(rated.flatMap((e) => e.movie.directors ?? []))]
    .map((director) => {
      const theirs = rated.filter((e) => e.movie.directors?.includes(director));
      const mean = theirs.reduce((sum, e) => sum + (e.rating ?? 0), 0) / theirs.length;
      return { director, avg_rating: roundHalfAwayFromZero(mean, 2), count: theirs.length };
    })
    .filter((d) => d.count >= 2)
    .sort((a, b) => b.avg_rating - a.avg_rating || b.count - a.count || cmp(a.director, b.director))
    .slice(0, 10);
  const days = [...new Set(entries.map((e) => local(e.watched_at).slice(0, 10)))].sort();
  let best = { days: 0, start: null as string | null, end: null as string | null };
  for (let i = 0; i < days.length; ) {
    let j = i;
    while (
      j + 1 < days.length &&
      Date.parse(days[j + 1] as string) - Date.parse(days[j] as string) === DAY_MS
    )
      j++;
    if (j - i + 1 > best.days) best = { days: j - i + 1, start: days[i] as string, end: days[j] as string };
    i = j + 1;
  }
  const periods = (length: number) =>
    count(entries.map((e) => local(e.watched_at).slice(0, length)))
      .sort(([a], [b]) => cmp(a, b))
      .map(([period, films]) => {
        const minutes = entries
          .filter((e) => local(e.watched_at).startsWith(period))
          .reduce((sum, e) => sum + (e.movie.runtime_minutes ?? 0), 0);
        return { period, films, hours: roundHalfAwayFromZero(minutes / 60, 1) };
      });
  const chronological = [...entries].sort(
    (a, b) => a.watched_at - b.watched_at || a.added_at - b.added_at || byTitle(a, b),
  );
  return {
    avg_rating:
      rated.length === 0
        ? null
        : roundHalfAwayFromZero(rated.reduce((sum, e) => sum + (e.rating ?? 0), 0) / rated.length, 2),
    top_rated_titles: [...rated]
      .sort((a, b) => (b.rating ?? 0) - (a.rating ?? 0) || b.watched_at - a.watched_at || byTitle(a, b))
      .slice(0, 10)
      .map((e) => [e.movie.title, e.rating, e.watched_at]),
    recent_titles: [...entries]
      .sort((a, b) => b.watched_at - a.watched_at || byTitle(a, b))
      .slice(0, 10)
      .map((e) => [e.movie.title, e.watched_at]),
    genre_data: genres
      .map(([genre, n]) => ({
        genre,
        count: n,
        percentage: roundHalfAwayFromZero((n * 100) / assignments, 1),
      }))
      .sort((a, b) => b.count - a.count || cmp(a.genre, b.genre)),
    watch_time_hours: roundHalfAwayFromZero(
      entries.reduce((sum, e) => sum + (e.movie.runtime_minutes ?? 0), 0) / 60,
      1,
    ),
    best_rated_directors: directors,
    most_watched_actors: count(entries.flatMap((e) => [...new Set(e.movie.actors ?? [])]))
      .map(([actor, n]) => ({ actor, count: n }))
      .sort((a, b) => b.count - a.count || cmp(a.actor, b.actor))
      .slice(0, 10),
    films_per_year: periods(4),
    films_per_month: periods(7),
    decades: count(
      entries.flatMap((e) =>
        e.movie.year === undefined ? [] : [String(e.movie.year - (e.movie.year % 10))],
      ),
    )
      .map(([decade, n]) => ({ decade: Number(decade), count: n }))
      .sort((a, b) => a.decade - b.decade),
    weekday_counts: [1, 2, 3, 4, 5, 6, 0].map(
      (weekday) =>
        entries.filter((e) => new Date(e.watched_at + offset * 60_000).getUTCDay() === weekday).length,
    ),
    longest_streak: best,
    milestone_titles: [1, 10, 50]
      .filter((n) => n <= chronological.length)
      .map((n) => [n, chronological[n - 1]?.movie.title, chronological[n - 1]?.watched_at]),
  };
};

describe("given any watch list", () => {
  it("when computed, then it matches the naive model of every definition", () => {
    fc.assert(
      fc.property(entriesArb, offsetArb, (entries, offset) => {
        const stats = computeUserStats(entries, { utcOffsetMinutes: offset });
        expect({
          avg_rating: stats.avg_rating,
          top_rated_titles: stats.top_rated_movies.map((m) => [m.title, m.rating, m.watched_at]),
          recent_titles: stats.recent_movies.map((m) => [m.title, m.watched_at]),
          genre_data: stats.genre_data,
          watch_time_hours: stats.watch_time_hours,
          best_rated_directors: stats.best_rated_directors,
          most_watched_actors: stats.most_watched_actors,
          films_per_year: stats.films_per_year,
          films_per_month: stats.films_per_month,
          decades: stats.decades,
          weekday_counts: stats.weekdays.map((w) => w.count),
          longest_streak: stats.longest_streak,
          milestone_titles: stats.milestones.map((m) => [m.milestone, m.film.title, m.film.watched_at]),
        }).toEqual(model(entries, offset));
      }),
      { numRuns: 150 },
    );
  });

  it("when shuffled, then the stats are deep-equal (order independence)", () => {
    fc.assert(
      fc.property(
        entriesArb.chain((entries) =>
          fc.tuple(
            fc.constant(entries),
            fc.shuffledSubarray(entries, { minLength: entries.length, maxLength: entries.length }),
          ),
        ),
        offsetArb,
        ([entries, shuffled], offset) => {
          expect(computeUserStats(shuffled, { utcOffsetMinutes: offset })).toEqual(
            computeUserStats(entries, { utcOffsetMinutes: offset }),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it("when computed, then the totals agree with each other", () => {
    fc.assert(
      fc.property(entriesArb, offsetArb, (entries, offset) => {
        const stats = computeUserStats(entries, { utcOffsetMinutes: offset });
        const sum = (values: ReadonlyArray<number>) => values.reduce((a, b) => a + b, 0);
        expect(stats.total_watched).toBe(entries.length);
        expect(stats.rated_count).toBe(entries.filter((e) => e.rating !== undefined).length);
        expect(stats.rating_chart_data.map((b) => b.rating)).toEqual(emptyChart().map((b) => b.rating));
        expect(sum(stats.rating_chart_data.map((b) => b.count))).toBe(stats.rated_count);
        expect(sum(stats.weekdays.map((w) => w.count))).toBe(entries.length);
        expect(sum(stats.films_per_year.map((p) => p.films))).toBe(entries.length);
        expect(sum(stats.films_per_month.map((p) => p.films))).toBe(entries.length);
        expect(sum(stats.decades.map((d) => d.count)) + stats.missing_data.without_year).toBe(entries.length);
        expect(stats.favorite_genre).toBe(stats.genre_data[0]?.genre ?? null);
        if (stats.genre_data.length > 0) {
          // Each percentage is off by at most 0.05 after rounding.
          const drift = Math.abs(sum(stats.genre_data.map((g) => g.percentage)) - 100);
          expect(drift).toBeLessThanOrEqual(0.05 * stats.genre_data.length + 1e-9);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("when computed, then every ranked list holds at most ten, sorted by its own rule", () => {
    const sortedBy = <T>(items: ReadonlyArray<T>, compare: (a: T, b: T) => number) =>
      items.every((item, i) => i === 0 || compare(items[i - 1] as T, item) <= 0);
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    fc.assert(
      fc.property(entriesArb, (entries) => {
        const stats = computeUserStats(entries);
        for (const list of [
          stats.top_rated_movies,
          stats.recent_movies,
          stats.best_rated_directors,
          stats.most_watched_actors,
        ]) {
          expect(list.length).toBeLessThanOrEqual(10);
        }
        expect(
          sortedBy(
            stats.top_rated_movies,
            (a, b) =>
              (b.rating ?? 0) - (a.rating ?? 0) || b.watched_at - a.watched_at || cmp(a.title, b.title),
          ),
        ).toBe(true);
        expect(
          sortedBy(stats.recent_movies, (a, b) => b.watched_at - a.watched_at || cmp(a.title, b.title)),
        ).toBe(true);
        expect(sortedBy(stats.genre_data, (a, b) => b.count - a.count || cmp(a.genre, b.genre))).toBe(true);
        expect(
          sortedBy(
            stats.best_rated_directors,
            (a, b) => b.avg_rating - a.avg_rating || b.count - a.count || cmp(a.director, b.director),
          ),
        ).toBe(true);
        expect(
          sortedBy(stats.most_watched_actors, (a, b) => b.count - a.count || cmp(a.actor, b.actor)),
        ).toBe(true);
        expect(stats.best_rated_directors.every((d) => d.count >= 2)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it("when encoded and decoded with the UserStats schema, then the stats come back equal", () => {
    fc.assert(
      fc.property(entriesArb, offsetArb, (entries, offset) => {
        const stats = computeUserStats(entries, { utcOffsetMinutes: offset });
        expect(roundTrip(stats)).toEqual(stats);
      }),
      { numRuns: 100 },
    );
  });
});

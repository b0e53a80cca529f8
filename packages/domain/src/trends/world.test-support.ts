// Test support for the trend laws: random but valid watchlist histories, published to a partitioned
// log the way the outbox relay would (sometimes twice), the watchlist store those histories leave
// behind, and an independent model of the expected trends. Not exported from the package.
import { Option } from "effect";
import fc from "fast-check";
import type { WatchlistEvent } from "../schemas/events.ts";
import type { Film } from "../schemas/film.ts";
import type { BootstrapEntry, SeenEvent } from "./bootstrap.ts";
import type { PositionedEvent } from "./reduce.ts";
import type { TopMovie, TrendingGenre, TrendWindow } from "./schema.ts";
import { filmPieces, trendCheckpoint } from "./pieces.ts";
import type { PartitionTrendState } from "./state.ts";

export const DAY = 86_400_000;
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const T0 = Date.UTC(2026, 0, 1);
export const HORIZON = 24 * HOUR;

const TITLES = ["Heat", "Alien", "Heat", "Amélie", "Ran", "Up", "Léon: The Professional", "M"];
const GENRES = ["Drama", "Comedy", "Horror", "Sci-Fi", "Crime"];

export interface Scenario {
  readonly films: ReadonlyArray<Film>;
  readonly partitions: number;
  /** Each partition's log: what a consumer reads, offsets "0", "1", … (duplicates included). */
  readonly logs: ReadonlyArray<ReadonlyArray<PositionedEvent>>;
  /** Every entry incarnation, as the store would describe it once all events are published. */
  readonly entries: ReadonlyArray<StoredIncarnation>;
  /** The entries still in a watchlist at the end: what the model counts. */
  readonly live: ReadonlyArray<{ readonly movie_id: string; readonly added_at: number }>;
  /** The newest occurred_at. */
  readonly end: number;
}

export interface StoredIncarnation {
  readonly entry: BootstrapEntry["entry"];
  readonly partition: number;
  readonly removed: boolean;
  /** Offsets (in `partition`) of the ADD and DELETE: the last copy when published twice. */
  readonly add_offset: number;
  readonly delete_offset: number | null;
  /** The first copy's offsets (the same when published once). */
  readonly first_add_offset: number;
  readonly first_delete_offset: number | null;
  /** The ADD and DELETE themselves (id and time), as the store keeps them beside the entry. */
  readonly add_event: SeenEvent;
  readonly delete_event: SeenEvent | null;
}

interface Action {
  readonly user: number;
  readonly film: number;
  /** When the entry is live: true deletes it, false updates it. */
  readonly remove: boolean;
  readonly gap_minutes: number;
  readonly backdate_days: number;
  readonly jitter_seconds: number;
  /** > 0: this event is published twice, the copy after that many later events of its partition. */
  readonly duplicate_after: number;
}

const filmArbitrary = (index: number): fc.Arbitrary<Film> =>
  fc
    .record({
      title: fc.constantFrom(...TITLES),
      genres: fc.subarray(GENRES, { maxLength: 3 }),
      poster: fc.boolean(),
    })
    .map(({ title, genres, poster }) => ({
      movie_id: `ml-${index + 1}`,
      title,
      ...(genres.length > 0 ? { genres } : {}),
      ...(poster ? { poster_path: `/p/${index + 1}.jpg` } : {}),
    }));

const actionArbitrary = (users: number, films: number): fc.Arbitrary<Action> =>
  fc.record({
    user: fc.nat(users - 1),
    film: fc.nat(films - 1),
    remove: fc.boolean(),
    gap_minutes: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 4 * 24 * 60 })),
    backdate_days: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 45 })),
    jitter_seconds: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 90 })),
    duplicate_after: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, fc.integer({ min: 1, max: 4 })),
  });

interface Generated {
  readonly event: WatchlistEvent;
  readonly partition: number;
  readonly duplicate_after: number;
  /** Index of the incarnation the event belongs to. */
  readonly incarnation: number;
}

/** Builds the scenario from the drawn actions: a valid history (ADD only when absent, etc.). */
const build = (films: ReadonlyArray<Film>, partitions: number, actions: ReadonlyArray<Action>): Scenario => {
  const liveOf = new Map<string, number>(); // "user|film" → incarnation index
  const incarnations: Array<{
    entry: BootstrapEntry["entry"];
    partition: number;
    removed: boolean;
    add_event: SeenEvent;
    delete_event: SeenEvent | null;
  }> = [];
  const generated: Array<Generated> = [];
  let time = T0;
  actions.forEach((action, index) => {
    time += action.gap_minutes * MINUTE;
    const occurred_at = time - action.jitter_seconds * 1000;
    const film = films[action.film]!;
    const user_id = `u-${action.user}`;
    const partition = action.user % partitions;
    const key = `${user_id}|${film.movie_id}`;
    const base = { schema_version: 1 as const, event_id: `ev-${index}`, user_id, occurred_at, movie: film };
    const current = liveOf.get(key);
    if (current === undefined) {
      const added_at = occurred_at - action.backdate_days * DAY - (index % 7) * HOUR;
      const entry = { user_id, movie: film, watched_at: added_at, added_at };
      incarnations.push({
        entry,
        partition,
        removed: false,
        add_event: { event_id: base.event_id, occurred_at },
        delete_event: null,
      });
      liveOf.set(key, incarnations.length - 1);
      generated.push({
        event: { ...base, event_type: "ADD", added_at, watched_at: added_at },
        partition,
        duplicate_after: action.duplicate_after,
        incarnation: incarnations.length - 1,
      });
    } else {
      const incarnation = incarnations[current]!;
      const { added_at } = incarnation.entry;
      if (action.remove) {
        incarnation.removed = true;
        incarnation.delete_event = { event_id: base.event_id, occurred_at };
        liveOf.delete(key);
        generated.push({
          event: { ...base, event_type: "DELETE", added_at },
          partition,
          duplicate_after: action.duplicate_after,
          incarnation: current,
        });
      } else {
        generated.push({
          event: { ...base, event_type: "UPDATE", added_at, watched_at: added_at, rating: 7 },
          partition,
          duplicate_after: action.duplicate_after,
          incarnation: current,
        });
      }
    }
  });

  // Publish per partition; a duplicate lands `duplicate_after` events later, but never later than
  // half the dedup horizon (in event time) after its original, so the reducer must recognise it,
  // and never after the next event of the same entry: an entry's outbox is published in order.
  const logs: Array<Array<PositionedEvent>> = Array.from({ length: partitions }, () => []);
  const addOffset = new Map<number, number>();
  const deleteOffset = new Map<number, number>();
  const firstAddOffset = new Map<number, number>();
  const firstDeleteOffset = new Map<number, number>();
  for (let p = 0; p < partitions; p++) {
    const log = logs[p]!;
    const pending: Array<{ item: Generated; remaining: number }> = [];
    const append = (item: Generated) => {
      const offset = log.length;
      log.push({ offset: String(offset), event: item.event });
      const first = (offsets: Map<number, number>) => {
        if (!offsets.has(item.incarnation)) offsets.set(item.incarnation, offset);
      };
      if (item.event.event_type === "ADD") {
        addOffset.set(item.incarnation, offset);
        first(firstAddOffset);
      }
      if (item.event.event_type === "DELETE") {
        deleteOffset.set(item.incarnation, offset);
        first(firstDeleteOffset);
      }
    };
    for (const item of generated) {
      if (item.partition !== p) continue;
      for (let i = 0; i < pending.length; ) {
        const waiting = pending[i]!;
        const sameEntry =
          waiting.item.event.user_id === item.event.user_id &&
          waiting.item.event.movie.movie_id === item.event.movie.movie_id;
        if (sameEntry || item.event.occurred_at - waiting.item.event.occurred_at > HORIZON / 2) {
          append(waiting.item);
          pending.splice(i, 1);
        } else i++;
      }
      append(item);
      for (let i = 0; i < pending.length; ) {
        const waiting = pending[i]!;
        waiting.remaining -= 1;
        if (waiting.remaining <= 0) {
          append(waiting.item);
          pending.splice(i, 1);
        } else i++;
      }
      if (item.duplicate_after > 0) pending.push({ item, remaining: item.duplicate_after });
    }
    for (const waiting of pending) append(waiting.item);
  }

  const entries = incarnations.map(
    (incarnation, index): StoredIncarnation => ({
      entry: incarnation.entry,
      partition: incarnation.partition,
      removed: incarnation.removed,
      add_offset: addOffset.get(index)!,
      delete_offset: deleteOffset.get(index) ?? null,
      first_add_offset: firstAddOffset.get(index)!,
      first_delete_offset: firstDeleteOffset.get(index) ?? null,
      add_event: incarnation.add_event,
      delete_event: incarnation.delete_event,
    }),
  );
  const live = incarnations
    .filter((incarnation) => !incarnation.removed)
    .map(({ entry }) => ({ movie_id: entry.movie.movie_id, added_at: entry.added_at }));
  return { films, partitions, logs, entries, live, end: time };
};

export const scenarioArbitrary = (
  options: { maxActions?: number; maxPartitions?: number } = {},
): fc.Arbitrary<Scenario> =>
  fc
    .record({
      filmCount: fc.integer({ min: 1, max: 6 }),
      users: fc.integer({ min: 1, max: 6 }),
      partitions: fc.integer({ min: 1, max: options.maxPartitions ?? 3 }),
    })
    .chain(({ filmCount, users, partitions }) =>
      fc
        .record({
          films: fc.tuple(...Array.from({ length: filmCount }, (_, i) => filmArbitrary(i))),
          actions: fc.array(actionArbitrary(users, filmCount), { maxLength: options.maxActions ?? 60 }),
        })
        .map(({ films, actions }) => build(films, partitions, actions)),
    );

/** The stored entries as the bootstrap reads them, given each partition's start offset. */
export const storedEntries = (
  scenario: Scenario,
  starts: ReadonlyArray<number>,
  hideFromStart: (index: number) => boolean,
  /** Whether the entry still records its first copy's positions (the later copy not marked yet). */
  firstCopyRecorded: (index: number) => boolean = () => false,
): ReadonlyArray<BootstrapEntry> =>
  scenario.entries.map((entry, index) => {
    const stored = firstCopyRecorded(index)
      ? { ...entry, add_offset: entry.first_add_offset, delete_offset: entry.first_delete_offset }
      : entry;
    const start = starts[stored.partition]!;
    // Positions at or after the start may still be unknown (not yet published, or not yet marked).
    const known = (offset: number | null) =>
      offset !== null && (offset < start || !hideFromStart(index))
        ? Option.some({ partition: stored.partition, offset: String(offset) })
        : Option.none();
    return {
      entry: stored.entry,
      removed: stored.removed,
      add_position: known(stored.add_offset),
      delete_position: stored.removed ? known(stored.delete_offset) : Option.none(),
      add_event: Option.some(stored.add_event),
      delete_event: Option.fromNullable(stored.delete_event),
    };
  });

/** Cuts a list into consecutive batches at the given (unsorted, possibly repeated) cut points. */
export const cut = <A>(items: ReadonlyArray<A>, cuts: ReadonlyArray<number>): Array<Array<A>> => {
  const points = [...new Set(cuts.map((c) => c % (items.length + 1)))].sort((a, b) => a - b);
  const batches: Array<Array<A>> = [];
  let from = 0;
  for (const point of points) {
    batches.push(items.slice(from, point));
    from = point;
  }
  batches.push(items.slice(from));
  return batches;
};

/** A state's observable content: its checkpoint and its pieces (what would be saved). */
export const snapshot = (state: PartitionTrendState) => ({
  checkpoint: trendCheckpoint(state),
  pieces: filmPieces(state),
});

// ---------------------------------------------------------------------------------------------
// The model: trends computed straight from the entries still in a watchlist.

const WINDOW_LENGTH: Record<TrendWindow, number | null> = { "7d": 7, "30d": 30, all: null };

export const modelCounts = (
  live: Scenario["live"],
  window: TrendWindow,
  now: number,
): ReadonlyMap<string, number> => {
  const length = WINDOW_LENGTH[window];
  const firstDay = length === null ? -Infinity : Math.floor(now / DAY) - length + 1;
  const counts = new Map<string, number>();
  for (const { movie_id, added_at } of live) {
    if (Math.floor(added_at / DAY) >= firstDay) counts.set(movie_id, (counts.get(movie_id) ?? 0) + 1);
  }
  return counts;
};

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export const modelOutput = (
  scenario: Pick<Scenario, "films" | "live">,
  window: TrendWindow,
  now: number,
): {
  top_movies: ReadonlyArray<TopMovie>;
  trending_genres: ReadonlyArray<TrendingGenre>;
  total_movies_analyzed: number;
} => {
  const counts = modelCounts(scenario.live, window, now);
  const films = new Map(scenario.films.map((film) => [film.movie_id, film]));
  const ranked = [...counts]
    .map(([movie_id, count]) => ({ film: films.get(movie_id)!, count }))
    .sort(
      (a, b) =>
        b.count - a.count || byText(a.film.title, b.film.title) || byText(a.film.movie_id, b.film.movie_id),
    );
  const genres = new Map<string, number>();
  let genreTotal = 0;
  for (const { film, count } of ranked) {
    for (const genre of new Set(film.genres ?? [])) {
      genres.set(genre, (genres.get(genre) ?? 0) + count);
      genreTotal += count;
    }
  }
  return {
    top_movies: ranked.slice(0, 10).map(({ film, count }) => ({
      movie_id: film.movie_id,
      title: film.title,
      poster_path: film.poster_path ?? null,
      count,
    })),
    trending_genres: [...genres]
      .sort((a, b) => b[1] - a[1] || byText(a[0], b[0]))
      .slice(0, 10)
      .map(([genre, count]) => ({
        genre,
        count,
        percentage: Math.floor((2 * count * 1000 + genreTotal) / (2 * genreTotal)) / 10,
      })),
    total_movies_analyzed: [...counts.values()].reduce((a, b) => a + b, 0),
  };
};

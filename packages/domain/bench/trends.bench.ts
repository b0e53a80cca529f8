// Trend reducer throughput (events/s on one core) next to a bare Map-increment baseline over the same
// events, and the cost of the merged output. Run: `cd packages/domain && node bench/main.ts`.
// The events are built before timing (decoding them is the runner's cost, not the reducer's).
import {
  applyEvents,
  emptyPartitionState,
  type Film,
  type PartitionTrendState,
  type PositionedEvent,
  takeChanges,
  trendsOutput,
  type WatchlistEvent,
} from "../src/index.ts";
import { printTarget, printTimings, time } from "./harness.ts";

const DAY = 86_400_000;
const EVENTS = 1_200_000;
const FILMS = 10_000;
const DAYS = 60;
const BATCH = 500;
const START = Date.UTC(2026, 0, 1);
const GENRES = ["Action", "Adventure", "Animation", "Comedy", "Crime", "Documentary", "Drama", "Fantasy"];

/** mulberry32: a small seeded generator, so every run measures the same stream. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const makeFilms = (count: number, next: () => number): Array<Film> =>
  Array.from({ length: count }, (_, i) => ({
    movie_id: `ml-${i + 1}`,
    title: `Film ${i + 1}`,
    genres: [GENRES[i % GENRES.length]!, GENRES[Math.floor(next() * GENRES.length)]!],
    ...(i % 3 === 0 ? {} : { poster_path: `/posters/${i + 1}.jpg` }),
  }));

/** Zipf-like popularity (s = 1): the cumulative weights, sampled by binary search. */
const zipfSampler = (count: number, next: () => number) => {
  const cumulative = new Float64Array(count);
  let sum = 0;
  for (let i = 0; i < count; i++) {
    sum += 1 / (i + 1);
    cumulative[i] = sum;
  }
  return () => {
    const target = next() * sum;
    let lo = 0;
    let hi = count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
};

interface Stream {
  readonly batches: ReadonlyArray<ReadonlyArray<PositionedEvent>>;
  /** `now` for each batch: the newest occurred_at in it. */
  readonly nows: ReadonlyArray<number>;
}

/** ~90% ADD, 5% DELETE (of an earlier ADD, carrying its added_at), 5% UPDATE, spread over 60 days. */
const makeStream = (): Stream => {
  const next = random(20261129);
  const films = makeFilms(FILMS, next);
  const pick = zipfSampler(FILMS, next);
  const live: Array<{ film: Film; user_id: string; added_at: number }> = [];
  const batches: Array<Array<PositionedEvent>> = [];
  const nows: Array<number> = [];
  let batch: Array<PositionedEvent> = [];
  for (let i = 0; i < EVENTS; i++) {
    const occurred_at = START + Math.floor((i / EVENTS) * DAYS * DAY);
    const roll = next();
    const base = { schema_version: 1 as const, event_id: `ev-${i}`, occurred_at };
    let event: WatchlistEvent;
    if (roll < 0.1 && live.length > 0) {
      const index = Math.floor(next() * live.length);
      const entry = live[index]!;
      if (roll < 0.05) {
        live[index] = live[live.length - 1]!;
        live.pop();
        event = {
          ...base,
          event_type: "DELETE",
          user_id: entry.user_id,
          movie: entry.film,
          added_at: entry.added_at,
        };
      } else {
        event = {
          ...base,
          event_type: "UPDATE",
          user_id: entry.user_id,
          movie: entry.film,
          added_at: entry.added_at,
          watched_at: entry.added_at,
          rating: 7,
        };
      }
    } else {
      const film = films[pick()]!;
      const user_id = `u-${Math.floor(next() * 50_000)}`;
      // Most entries are added now; some are back-dated up to 40 days (a user logging an old viewing).
      const added_at = next() < 0.8 ? occurred_at : occurred_at - Math.floor(next() * 40 * DAY);
      live.push({ film, user_id, added_at });
      event = { ...base, event_type: "ADD", user_id, movie: film, added_at, watched_at: added_at };
    }
    batch.push({ offset: String(i), event });
    if (batch.length === BATCH || i === EVENTS - 1) {
      batches.push(batch);
      nows.push(occurred_at);
      batch = [];
    }
  }
  return { batches, nows };
};

/** Applies the stream batch by batch; with `saveEvery`, takes the changes as a runner saving would. */
const runReducer = (stream: Stream, saveEvery = 0): PartitionTrendState => {
  let state = emptyPartitionState(0);
  let saved = 0;
  for (let b = 0; b < stream.batches.length; b++) {
    state = applyEvents(state, stream.batches[b]!, stream.nows[b]!);
    if (saveEvery > 0 && (b + 1) % saveEvery === 0) saved += takeChanges(state).upserts.length;
  }
  return saved > -1 ? state : emptyPartitionState(1);
};

/** The simplest counter one could write: all-time count per film, no windows, no dedup, no offsets. */
const runBaseline = (stream: Stream): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const batch of stream.batches) {
    for (let i = 0; i < batch.length; i++) {
      const event = batch[i]!.event;
      if (event.event_type === "UPDATE") continue;
      const id = event.movie.movie_id;
      counts.set(id, (counts.get(id) ?? 0) + (event.event_type === "ADD" ? 1 : -1));
    }
  }
  return counts;
};

/** A state with `films` films, each with a count on every one of the last 30 days. */
const denseState = (films: number, partition: number, now: number): PartitionTrendState => {
  const next = random(7 + partition);
  const catalog = makeFilms(films, next);
  const events: Array<PositionedEvent> = [];
  let offset = 0;
  for (const film of catalog) {
    for (let d = 0; d < 30; d++) {
      const added_at = now - d * DAY;
      events.push({
        offset: String(offset),
        event: {
          event_type: "ADD",
          schema_version: 1,
          event_id: `p${partition}-${offset++}`,
          user_id: "u-1",
          occurred_at: now - 31 * DAY, // old enough that no event id is kept: this measures the output
          movie: film,
          added_at,
          watched_at: added_at,
        },
      });
    }
  }
  return applyEvents(emptyPartitionState(partition), events, now);
};

/** Like the harness' `time`, plus the process CPU time per run (the honest "one core" figure on a busy machine). */
const timeWithCpu = (name: string, fn: () => unknown) => {
  const samples = 7;
  const warmup = 2;
  const before = process.cpuUsage();
  const timing = time(name, fn, { samples, warmup });
  const used = process.cpuUsage(before);
  return { timing, cpuMsPerRun: (used.user + used.system) / 1000 / (samples + warmup) };
};

export async function run(): Promise<void> {
  const stream = makeStream();
  const total = stream.batches.reduce((n, batch) => n + batch.length, 0);
  const baseline = timeWithCpu("baseline: Map<movie_id, count> increment", () => runBaseline(stream));
  const reducer = timeWithCpu("applyEvents (windows, dedup, offsets)", () => runReducer(stream));
  const saving = timeWithCpu("applyEvents + takeChanges every 100,000 events (a runner's save)", () =>
    runReducer(stream, 200),
  );
  printTimings(
    `Trend reducer: ${total.toLocaleString("en")} events (90% ADD, 5% DELETE, 5% UPDATE), ${FILMS.toLocaleString("en")} films (Zipf), ${DAYS} days, batches of ${BATCH}`,
    [baseline.timing, reducer.timing, saving.timing],
    baseline.timing,
  );
  const perSecond = (ms: number) => Math.round(total / (ms / 1000));
  const format = (n: number) => n.toLocaleString("en");
  for (const { timing, cpuMsPerRun } of [baseline, reducer, saving]) {
    console.log(
      `- ${timing.name}: ${format(perSecond(timing.medianMs))} events/s (wall, median); ${format(perSecond(cpuMsPerRun))} events/s (process CPU time, mean)`,
    );
  }
  console.log(
    `- reducer / baseline throughput: ${(perSecond(reducer.timing.medianMs) / perSecond(baseline.timing.medianMs)).toFixed(2)} (wall), ${(perSecond(reducer.cpuMsPerRun) / perSecond(baseline.cpuMsPerRun)).toFixed(2)} (CPU)`,
  );
  const rate = perSecond(reducer.timing.medianMs);
  printTarget(
    "trend reducer, one core",
    `${format(rate)} events/s`,
    "≥ 1,000,000 events/s",
    rate >= 1_000_000,
  );

  const now = START + 90 * DAY;
  const one = [denseState(10_000, 0, now)];
  const four = [0, 1, 2, 3].map((p) => denseState(10_000, p, now));
  printTimings("trendsOutput over 10,000 films × 30 day buckets", [
    time("1 partition, 30d", () => trendsOutput(one, "30d", now), { samples: 30, warmup: 5 }),
    time("1 partition, 7d", () => trendsOutput(one, "7d", now), { samples: 30, warmup: 5 }),
    time("1 partition, all", () => trendsOutput(one, "all", now), { samples: 30, warmup: 5 }),
    time("4 partitions (same 10,000 films each), 30d", () => trendsOutput(four, "30d", now), {
      samples: 30,
      warmup: 5,
    }),
  ]);
}

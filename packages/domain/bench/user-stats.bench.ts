// `computeUserStats` at 50, 500 and 5,000 films on synthetic watch lists, beside a naive baseline
// (sum the ratings, sort by watch time) over the same entries in the same process.
// The lists come from a seeded generator: same figures' inputs on every machine, no data files.
import type { Film } from "../src/schemas/film.ts";
import type { WatchedEntry } from "../src/schemas/entry.ts";
import { computeUserStats } from "../src/user-stats/compute-user-stats.ts";
import { printTarget, printTimings, time } from "./harness.ts";

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1). */
const prng = (seed: number) => {
  let a = seed >>> 0;
  return (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

const words = (text: string): string[] => text.trim().split(/\s+/);

const GENRES = words(`
  Drama Comedy Thriller Action Romance Adventure Crime Sci-Fi Horror Fantasy Mystery
  Animation Family Biography History War Music Western Documentary Sport
`);
const FIRST = words(`
  Anna Ben Chloé David Emma Farid Greta Hiro Ines Jamal Kasia Luis Mei Noah Olga Pedro Quinn
  Rosa Sven Tomás Uma Viktor Wen Yara
`);
const LAST = words(`
  Abrams Bergman Chen Dubois Eriksen Fischer García Hughes Ito Jensen Kowalski Larsen Moreau
  Nakamura O'Brien Petrov Quiroga Rossi Silva Tanaka Umarov Varga Weber Yilmaz Zhang
`);

const pick = <T>(items: ReadonlyArray<T>, r: number): T => items[Math.floor(r * items.length)] as T;

/**
 * A user's watch list of `size` films: 1–3 genres (a few popular ones most often), one director
 * (sometimes two) and four actors drawn with a skew towards a popular few, runtimes 75–190 minutes,
 * release years 1930–2024, 80% rated, ~3% without runtime, ~2% without year, ~3% rewatches,
 * watched over roughly a day and a half per film, in a shuffled order (as a store would return it).
 */
export const syntheticWatchList = (size: number, seed = 42): WatchedEntry[] => {
  const random = prng(seed);
  const person = (pool: number): string => {
    const index = Math.floor(pool * random() ** 2); // skewed: low indices are the popular people
    return `${pick(FIRST, ((index * 7) % FIRST.length) / FIRST.length)} ${pick(LAST, ((index * 13) % LAST.length) / LAST.length)} ${index}`;
  };
  const directorPool = Math.max(10, Math.floor(size / 3));
  const actorPool = Math.max(40, size * 2);
  const start = Date.UTC(2010, 0, 1);
  const spanDays = Math.max(60, Math.floor(size * 1.5));
  const entries: WatchedEntry[] = [];
  for (let i = 0; i < size; i++) {
    const rewatch = i > 0 && random() < 0.03;
    const movie: Film = rewatch
      ? (entries[Math.floor(random() * entries.length)] as WatchedEntry).movie
      : {
          movie_id: `syn-${seed}-${i}`,
          title: `${pick(LAST, random())} ${pick(GENRES, random())} ${i}`,
          ...(random() < 0.02 ? {} : { year: 1930 + Math.floor(random() ** 0.5 * 95) }),
          genres: Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(GENRES, random() ** 1.5)),
          directors: random() < 0.1 ? [person(directorPool), person(directorPool)] : [person(directorPool)],
          actors: Array.from({ length: 4 }, () => person(actorPool)),
          ...(random() < 0.03 ? {} : { runtime_minutes: 75 + Math.floor(random() * 115) }),
          poster_path: `/posters/${i}.jpg`,
        };
    const watched_at = start + Math.floor(random() * spanDays * 86_400_000);
    entries.push({
      user_id: "bench-user",
      movie,
      ...(random() < 0.8 ? { rating: (1 + Math.floor(random() * 20)) / 2 } : {}),
      watched_at,
      added_at: watched_at + Math.floor(random() * 3 * 86_400_000),
    });
  }
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [entries[i], entries[j]] = [entries[j] as WatchedEntry, entries[i] as WatchedEntry];
  }
  return entries;
};

/** The baseline: what any statistics must at least do, a pass over the ratings and a sort by time. */
const naiveBaseline = (entries: ReadonlyArray<WatchedEntry>): number => {
  let sum = 0;
  for (const entry of entries) sum += entry.rating ?? 0;
  const sorted = entries.slice().sort((a, b) => a.watched_at - b.watched_at);
  return sum + (sorted[0]?.watched_at ?? 0);
};

const SIZES = [
  { films: 50, samples: 2_000 },
  { films: 500, samples: 500 },
  { films: 5_000, samples: 60 },
] as const;

export async function run(): Promise<void> {
  let medianAt500 = Number.NaN;
  for (const { films, samples } of SIZES) {
    const entries = syntheticWatchList(films);
    const baseline = time(
      `naive baseline (sum ratings, sort by watched_at), ${films} films`,
      () => naiveBaseline(entries),
      { samples },
    );
    const stats = time(`computeUserStats, ${films} films`, () => computeUserStats(entries), { samples });
    printTimings(`computeUserStats at ${films} films`, [baseline, stats], baseline);
    console.log(`- per film: ${((stats.medianMs * 1000) / films).toFixed(3)} µs (median)`);
    if (films === 500) medianAt500 = stats.medianMs;
  }
  printTarget(
    "computeUserStats median at 500 films",
    `${medianAt500.toFixed(3)} ms`,
    "under 0.5 ms",
    medianAt500 < 0.5,
  );
}

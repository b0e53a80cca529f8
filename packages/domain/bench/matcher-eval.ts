// Measures the catalog matcher on real data: each of the 1,000 IMDB films (2006-2016, title + year)
// looked up among MovieLens' 9,125 titles, next to the plain fold (normalizeTitle(title) + year, exact)
// in the same run. Prints recall, the baseline, query latency and a deterministic sample of accepted
// matches to check by hand (see docs/matcher.md).
//
//   node packages/domain/bench/matcher-eval.ts [--data DIR] [--sample 50] [--seed 2026] [--list extra|missed]
//
// DIR defaults to ../shared/data beside the repository (env CINEMATCH_SHARED_DATA overrides it).
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { makeCatalogIndex, type CatalogResolution } from "../src/catalog/catalog-index.ts";
import { movieLensCatalogItem } from "../src/catalog/movielens.ts";
import { normalizeTitle } from "../src/title/normalize-title.ts";
import { parseCsvRecords } from "./csv.ts";

const { values: args } = parseArgs({
  options: {
    data: { type: "string" },
    sample: { type: "string", default: "50" },
    seed: { type: "string", default: "2026" },
    list: { type: "string", multiple: true, default: [] },
  },
});
const dataDir = new URL(
  `${(args.data ?? process.env.CINEMATCH_SHARED_DATA ?? new URL("../../../../shared/data", import.meta.url).pathname).replace(/\/?$/, "/")}`,
  "file:///",
);
const read = (path: string) => parseCsvRecords(readFileSync(new URL(path, dataDir), "utf8"));

const movieLens = read("movielens-small/movies.csv");
const imdb = read("imdb-1000/IMDB-Movie-Data.csv");
const rawTitleById = new Map(movieLens.map((row) => [`ml-${row.movieId}`, row.title ?? ""]));

// --- the matcher ------------------------------------------------------------------------------
const buildStart = performance.now();
const index = makeCatalogIndex(
  movieLens.map((row) =>
    movieLensCatalogItem(
      { movieId: row.movieId ?? "", title: row.title ?? "", genres: row.genres ?? "" },
      "ml-",
    ),
  ),
);
const buildMs = performance.now() - buildStart;

interface Outcome {
  readonly rank: number;
  readonly genres: ReadonlyArray<string>;
  readonly title: string;
  readonly year: number;
  readonly resolution: CatalogResolution;
  readonly baseline: string | undefined;
}

// Warm up the JIT on a few queries so the first timed ones are not compile time.
for (const row of imdb.slice(0, 50)) index.resolve({ text: row.Title ?? "", year: Number(row.Year) });

// --- the plain fold baseline: normalizeTitle(title as written, minus the year) + year, exact ------
const foldKey = (title: string, year: number) => `${normalizeTitle(title)}|${year}`;
const baselineIndex = new Map<string, string>();
for (const row of movieLens) {
  const title = (row.title ?? "").trim();
  const m = /^(.*?)\s*\((\d{4})\)$/u.exec(title);
  if (m) baselineIndex.set(foldKey(m[1] ?? "", Number(m[2])), `ml-${row.movieId}`);
}

const latencies: number[] = [];
const outcomes: Outcome[] = imdb.map((row) => {
  const title = row.Title ?? "";
  const year = Number(row.Year);
  const start = performance.now();
  const resolution = index.resolve({ text: title, year });
  latencies.push(performance.now() - start);
  return {
    rank: Number(row.Rank),
    genres: (row.Genre ?? "").split(",").map((g) => g.trim()),
    title,
    year,
    resolution,
    baseline: baselineIndex.get(foldKey(title, year)),
  };
});

// Search as you type: every prefix of the first 200 titles, without year, top 10.
const typingLatencies: number[] = [];
for (const row of imdb.slice(0, 200)) {
  const title = row.Title ?? "";
  for (let n = 1; n <= title.length; n++) {
    const start = performance.now();
    index.match({ text: title.slice(0, n) }, { limit: 10 });
    typingLatencies.push(performance.now() - start);
  }
}

// A linear scan for scale: token-set Dice of normalized titles against every catalog title, per
// query, the cheapest "full similarity over everything" there is (it knows no articles, aliases or typos).
const scanTitles = movieLens.map((row) => new Set(normalizeTitle(row.title ?? "").split(" ")));
const scanLatencies: number[] = [];
for (const row of imdb) {
  const start = performance.now();
  const query = new Set(normalizeTitle(row.Title ?? "").split(" "));
  let best = 0;
  for (const title of scanTitles) {
    let shared = 0;
    for (const token of query) if (title.has(token)) shared++;
    const dice = (2 * shared) / (query.size + title.size);
    if (dice > best) best = dice;
  }
  scanLatencies.push(performance.now() - start);
  if (best < 0) console.log(best);
}

// --- figures ----------------------------------------------------------------------------------
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
};
const matched = outcomes.filter((o) => o.resolution._tag === "Matched");
const ambiguous = outcomes.filter((o) => o.resolution._tag === "Ambiguous");
const notFound = outcomes.filter((o) => o.resolution._tag === "NotFound");
const baselineHits = outcomes.filter((o) => o.baseline !== undefined);
const matchedId = (o: Outcome) => (o.resolution._tag === "Matched" ? o.resolution.film.movie_id : undefined);
const agreeWithBaseline = baselineHits.filter((o) => matchedId(o) === o.baseline).length;
const beyondBaseline = matched.filter((o) => o.baseline === undefined);
// An independent plausibility check on every accepted match: do the two catalogs share a genre?
const genresOf = (o: Outcome) => (o.resolution._tag === "Matched" ? (o.resolution.film.genres ?? []) : []);
const noSharedGenre = matched.filter((o) => !genresOf(o).some((g) => o.genres.includes(g)));

console.log("# Catalog matcher: IMDB-1000 → MovieLens small\n");
console.log(`- catalog: ${index.size} MovieLens films, index built in ${buildMs.toFixed(0)} ms`);
console.log(`- queries: ${outcomes.length} IMDB films (title + year)`);
console.log(`- **matcher recall (Matched)**: ${matched.length} / ${outcomes.length}`);
console.log(
  `- Ambiguous (would answer 409 with candidates): ${ambiguous.length}; NotFound: ${notFound.length}`,
);
console.log(
  `- **baseline (plain fold of title + year, exact)**: ${baselineHits.length} / ${outcomes.length}`,
);
console.log(
  `- baseline hits the matcher matches to the same film: ${agreeWithBaseline} / ${baselineHits.length}`,
);
console.log(`- matched beyond the baseline: ${beyondBaseline.length}`);
console.log(
  `- accepted matches whose MovieLens and IMDB genres share nothing (to check by hand): ${noSharedGenre.length}${noSharedGenre.length === 0 ? "" : ` (${noSharedGenre.map((o) => `#${o.rank} ${o.title}`).join("; ")})`}`,
);
console.log(
  `- latency per lookup (resolve, title + year), over ${latencies.length}: median ${percentile(latencies, 50).toFixed(3)} ms, p95 ${percentile(latencies, 95).toFixed(3)} ms, max ${percentile(latencies, 100).toFixed(3)} ms`,
);
console.log(
  `- for scale, a linear scan of plain token Dice over all ${scanTitles.length} titles: median ${percentile(scanLatencies, 50).toFixed(3)} ms, p95 ${percentile(scanLatencies, 95).toFixed(3)} ms`,
);
console.log(
  `- latency per keystroke (match, every prefix of 200 titles, no year), over ${typingLatencies.length}: median ${percentile(typingLatencies, 50).toFixed(3)} ms, p95 ${percentile(typingLatencies, 95).toFixed(3)} ms, max ${percentile(typingLatencies, 100).toFixed(3)} ms`,
);

// --- deterministic sample of accepted matches ----------------------------------------------------
/** mulberry32: a tiny seeded generator, so the sample is the same on every run and machine. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const sampleOf = <A>(items: ReadonlyArray<A>, n: number, seed: number): A[] => {
  const next = random(seed);
  const pool = [...items];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, n);
};
const cell = (text: string) => text.replace(/\|/g, "\\|");
const row = (o: Outcome, n: number) => {
  if (o.resolution._tag !== "Matched") return "";
  const { film, score, reason } = o.resolution;
  return `| ${n} | ${o.rank} | ${cell(o.title)} (${o.year}) | ${cell(rawTitleById.get(film.movie_id) ?? film.title)} | ${score.toFixed(3)} | ${o.baseline === undefined ? "no" : "yes"} | ${cell(reason)} |  |`;
};
const header =
  "| # | IMDB rank | IMDB title (year) | MovieLens title | score | baseline | reason | verdict |\n| ---: | ---: | --- | --- | ---: | --- | --- | --- |";

const sampleSize = Number(args.sample);
const seed = Number(args.seed);
const sample = sampleOf(matched, sampleSize, seed).sort((a, b) => a.rank - b.rank);
console.log(`\n## Sample of ${sample.length} accepted matches (seed ${seed})\n`);
console.log(header);
for (const [i, o] of sample.entries()) console.log(row(o, i + 1));

if (args.list.includes("extra")) {
  console.log(`\n## All ${beyondBaseline.length} matches beyond the baseline\n`);
  console.log(header);
  for (const [i, o] of beyondBaseline.entries()) console.log(row(o, i + 1));
}
if (args.list.includes("missed")) {
  console.log(`\n## Not matched (${ambiguous.length + notFound.length}), with the best candidate\n`);
  console.log(
    "| IMDB rank | IMDB title (year) | outcome | best candidate | score | reason |\n| ---: | --- | --- | --- | ---: | --- |",
  );
  for (const o of [...ambiguous, ...notFound].sort((a, b) => a.rank - b.rank)) {
    const best = o.resolution._tag === "Ambiguous" ? o.resolution.candidates[0] : undefined;
    console.log(
      `| ${o.rank} | ${cell(o.title)} (${o.year}) | ${o.resolution._tag} | ${best ? cell(rawTitleById.get(best.film.movie_id) ?? "") : ""} | ${best ? best.score.toFixed(3) : ""} | ${best ? cell(best.reason) : ""} |`,
    );
  }
}

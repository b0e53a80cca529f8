/**
 * The history import on the real stack (API and both runners as processes on Kafka + FerretDB; the
 * MovieLens catalog imported first): a Letterboxd diary of N films (default 1,000) imported through
 * `POST /imports/letterboxd` until its report says done, and, in the same run and on the same
 * servers, the ceiling: the same N films added by `movie_id` through `POST /movies` by a client
 * holding as many requests in flight as the import has write slots (no upload, parsing or matching).
 * Meanwhile another user adds films at a steady 20/s; its latency during the import is printed
 * beside its latency with the API idle. Needs the servers (`eval "$(bash scripts/infra/up.sh)"`)
 * and the shared MovieLens set (CINEMATCH_SHARED_DIR):
 *   sh scripts/node24.sh node tests/imports/history-import.bench.ts
 * Env: CINEMATCH_IMPORT_BENCH_FILMS (1000), CINEMATCH_IMPORT_BENCH_WRITERS (4, the API default).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Layer } from "effect";
import { MongoDatabaseLive, WatchlistStoreMongo } from "@cinematch/adapters/mongo";
import { csvTable, parseCsv, parseMovieLensTitle } from "@cinematch/domain";
import { mongoCatalogLayer, runCatalogImport } from "@cinematch/cli/catalog-import";
import { stopList, stopOnSignals } from "../outage/stop-list.ts";
import { repoRoot } from "../web/support/processes.ts";
import { startRealStack } from "../web/support/product.ts";

const FILMS = Number(process.env.CINEMATCH_IMPORT_BENCH_FILMS ?? 1000);
const WRITERS = Number(process.env.CINEMATCH_IMPORT_BENCH_WRITERS ?? 4);
const shared = process.env.CINEMATCH_SHARED_DIR ?? join(repoRoot, "..", "shared");
const movielensDir = join(shared, "data", "movielens-small");

const table = csvTable(parseCsv(readFileSync(join(movielensDir, "movies.csv"), "utf8")), [
  "movieId",
  "title",
]);
const seen = new Set<string>();
const films = table.rows
  .map((row) => ({
    id: row.fields[table.column("movieId")]!,
    ...parseMovieLensTitle(row.fields[table.column("title")]!),
  }))
  .filter((film) => {
    const key = `${film.title.toLowerCase()}|${film.year}`;
    if (film.year === undefined || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
// Every ninth film from the catalog: old and new, plain and accented titles.
const chosen = films.filter((_, k) => k % 9 === 0).slice(0, FILMS);
if (chosen.length < FILMS) throw new Error(`only ${chosen.length} films to import`);
const csvField = (text: string) => (/[",\n]/u.test(text) ? `"${text.replace(/"/gu, '""')}"` : text);
const diary = [
  "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date",
  ...chosen.map((film, k) => {
    const day = new Date(Date.UTC(2015, 0, 1) + k * 86_400_000).toISOString().slice(0, 10);
    return [
      day,
      csvField(film.title),
      film.year,
      `https://boxd.it/b${k}`,
      ((k % 10) + 1) / 2,
      "",
      "",
      day,
    ].join(",");
  }),
].join("\n");

// A Ctrl-C or a `kill` stops the API and the runners too (they would keep writing to the servers).
const stops = stopList();
stopOnSignals({ what: "history-import bench", stops });
const product = await startRealStack({
  env: { CINEMATCH_CATALOG_REFRESH_MS: "200", CINEMATCH_IMPORT_WRITERS: String(WRITERS) },
});
stops.add({
  name: `the API and both runners (pids ${product.processes.map((p) => p.child.pid).join(", ")})`,
  stop: product.stop,
  now: () => {
    for (const started of product.processes) if (!started.exited()) started.child.kill("SIGKILL");
  },
});
try {
  const code = await runCatalogImport(["--movielens", movielensDir, "--mongodb-url", product.mongoUrl!], {
    env: {},
    stdout: { write: () => true },
    stderr: { write: () => true },
    catalogLayer: mongoCatalogLayer,
    watchlistLayer: (url) => WatchlistStoreMongo.pipe(Layer.provide(MongoDatabaseLive(url))),
  });
  if (code !== 0) throw new Error(`catalog import failed (${code})`);
  for (;;) {
    const metrics = await (await fetch(`${product.baseURL}/metrics`)).text();
    if (Number(/^cinematch_catalog_films (\d+)$/mu.exec(metrics)?.[1] ?? 0) >= table.rows.length) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }

  const post = async (path: string, token: string, body: unknown) => {
    const response = await fetch(`${product.baseURL}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    await response.text();
    return response.status;
  };
  const signUp = async (email: string) => {
    const response = await fetch(`${product.baseURL}/auth/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: "correct horse battery" }),
    });
    return ((await response.json()) as { token: string }).token;
  };
  const [importer, ceiling, bystander] = await Promise.all([
    signUp("import-bench@example.com"),
    signUp("ceiling-bench@example.com"),
    signUp("bystander@example.com"),
  ]);

  /** Another user's adds at 20/s while `during` runs: their latencies, ms. */
  let probeFilm = 0;
  const probe = async (during: Promise<unknown>) => {
    const latencies: Array<number> = [];
    let done = false;
    void during.finally(() => (done = true));
    const inFlight: Array<Promise<void>> = [];
    while (!done) {
      const film = chosen[(probeFilm++ * 7) % chosen.length]!;
      inFlight.push(
        (async () => {
          const started = performance.now();
          await post("/movies", bystander, { movie_id: `ml-${film.id}`, rating: 7 });
          latencies.push(performance.now() - started);
        })(),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await Promise.all(inFlight);
    return latencies.sort((a, b) => a - b);
  };
  const percentile = (sorted: ReadonlyArray<number>, p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

  const idle = await probe(new Promise((resolve) => setTimeout(resolve, 5000)));

  // The ceiling: the same films by id, WRITERS requests in flight.
  const ceilingStarted = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < chosen.length) {
        const k = next++;
        const status = await post("/movies", ceiling, {
          movie_id: `ml-${chosen[k]!.id}`,
          rating: (k % 10) + 1,
        });
        if (status !== 201) throw new Error(`POST /movies answered ${status}`);
      }
    }),
  );
  const ceilingSeconds = (performance.now() - ceilingStarted) / 1000;

  // The import, with the bystander's adds running beside it.
  const importStarted = performance.now();
  const run = (async () => {
    const response = await fetch(`${product.baseURL}/imports/letterboxd`, {
      method: "POST",
      headers: { authorization: `Bearer ${importer}`, "content-type": "text/csv" },
      body: diary,
    });
    if (response.status !== 202)
      throw new Error(`import answered ${response.status}: ${await response.text()}`);
    const { report_url } = (await response.json()) as { report_url: string };
    for (;;) {
      const report = (await (
        await fetch(`${product.baseURL}${report_url}`, { headers: { authorization: `Bearer ${importer}` } })
      ).json()) as { status: string; matched: number; added: number; unmatched_count: number };
      if (report.status !== "running") return report;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const during = await probe(run);
  const report = await run;
  const importSeconds = (performance.now() - importStarted) / 1000;

  const ms = (v: number) => `${v.toFixed(0)} ms`;
  process.stdout.write(
    [
      `history import of ${FILMS} films (Letterboxd diary CSV, ${WRITERS} write slots), shared machine:`,
      `  import: ${importSeconds.toFixed(1)} s (${(FILMS / importSeconds).toFixed(0)} films/s; ${report.matched} matched, ${report.added} added, ${report.unmatched_count} not matched; status ${report.status})`,
      `  ceiling, same films by movie_id through POST /movies, ${WRITERS} in flight: ${ceilingSeconds.toFixed(1)} s (${(FILMS / ceilingSeconds).toFixed(0)} films/s)`,
      `  import / ceiling: ${(importSeconds / ceilingSeconds).toFixed(2)}x the time`,
      `  another user's POST /movies at 20/s: idle p50 ${ms(percentile(idle, 50))} p99 ${ms(percentile(idle, 99))} (n=${idle.length}); during the import p50 ${ms(percentile(during, 50))} p99 ${ms(percentile(during, 99))} (n=${during.length})`,
      "",
    ].join("\n"),
  );
} finally {
  await stops.stopAll();
}

/**
 * The history import end to end on the real stack (the API and both runners as their own processes
 * on Kafka and the MongoDB-wire server), with the MovieLens catalog imported as `cinematch catalog
 * import` does it. A Letterboxd export goes in through the CLI, a Trakt export through the API; the
 * films stored and the statistics the runner computes must equal what the fixtures' `expected.json`
 * (written as the fixtures were made, not by the importer) says, and importing again changes nothing.
 * Reads the MovieLens files from CINEMATCH_SHARED_DIR, as the catalog tests do.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { eventuallyAsync } from "@cinematch/adapters/testing";
import { MongoDatabaseLive, WatchlistStoreMongo } from "@cinematch/adapters/mongo";
import { mongoCatalogLayer, runCatalogImport } from "@cinematch/cli/catalog-import";
import { runHistoryImport } from "@cinematch/cli/history-import";
import { Layer } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../web/support/processes.ts";
import { type Product, startRealStack, withProductLogs } from "../web/support/product.ts";
import type { ExpectedFilm } from "../fixtures/imports/expected.ts";
import { callApi } from "../web/support/api-call.ts";

const fixtures = join(import.meta.dirname, "..", "fixtures", "imports");
const shared = process.env.CINEMATCH_SHARED_DIR ?? join(repoRoot, "..", "shared");
const movielensDir = join(shared, "data", "movielens-small");

type Expected = ExpectedFilm;
const expectedOf = (source: string): ReadonlyArray<Expected> =>
  JSON.parse(readFileSync(join(fixtures, source, "expected.json"), "utf8"));

let product: Product;

beforeAll(async () => {
  if (!existsSync(join(movielensDir, "movies.csv")))
    throw new Error(`the shared data is missing: ${movielensDir} (set CINEMATCH_SHARED_DIR)`);
  product = await startRealStack({ env: { CINEMATCH_CATALOG_REFRESH_MS: "200" } });
  let stderr = "";
  const code = await runCatalogImport(["--movielens", movielensDir, "--mongodb-url", product.mongoUrl!], {
    env: {},
    stdout: { write: () => true },
    stderr: { write: (text: string) => (stderr += text) },
    catalogLayer: mongoCatalogLayer,
    // Nobody has films yet, so films merged into MovieLens ones leave no entries to move.
    watchlistLayer: (url) => WatchlistStoreMongo.pipe(Layer.provide(MongoDatabaseLive(url))),
  });
  if (code !== 0) throw new Error(`catalog import failed (${code}): ${stderr}`);
  // The API's catalog index follows the store's revision: wait until it holds every film.
  const films = readFileSync(join(movielensDir, "movies.csv"), "utf8").trim().split("\n").length - 1;
  await eventuallyAsync(
    async () => (await fetch(`${product.baseURL}/metrics`)).text(),
    (text) => Number(/^cinematch_catalog_films (\d+)$/mu.exec(text)?.[1] ?? 0) >= films,
    { timeoutMs: 90_000, intervalMs: 250 },
  );
}, 300_000);

afterAll(async () => {
  await product?.stop();
});

const call = (method: string, path: string, token?: string, body?: unknown) =>
  callApi(product.baseURL, method, path, token, body);

const signUp = async (email: string, password: string) => {
  const answer = await call("POST", "/auth/signup", undefined, { email, password });
  expect(answer.status).toBe(201);
  return answer.body.token as string;
};

const myEntries = async (token: string) => {
  const entries: Array<{
    movie: { movie_id: string };
    rating?: number;
    watched_at: string;
    watch_count?: number;
  }> = [];
  for (let offset = 0; ; offset += 100) {
    const page = await call("GET", `/movies?offset=${offset}&limit=100`, token);
    entries.push(...page.body.items);
    if (entries.length >= page.body.total) return entries;
  }
};

/**
 * What the statistics must say, computed from the fixture's ground truth for the films the import
 * matched: how many, how many rated, the average (half away from zero, 2 places) and the histogram.
 */
const independentStats = (films: ReadonlyArray<Expected>) => {
  const rated = films.filter((f) => f.rating !== undefined).map((f) => f.rating!);
  const histogram = new Map<number, number>();
  for (const r of rated) histogram.set(r, (histogram.get(r) ?? 0) + 1);
  const mean = rated.reduce((a, b) => a + b, 0) / rated.length;
  return {
    total_watched: films.length,
    rated_count: rated.length,
    avg_rating: Math.round(mean * 100 + Number.EPSILON) / 100,
    // Every step of the 0.5–10 scale, rated or not.
    rating_chart_data: Array.from({ length: 20 }, (_, k) => (k + 1) / 2).map((rating) => ({
      rating,
      count: histogram.get(rating) ?? 0,
    })),
  };
};

/** The import's report once it no longer runs. */
const finishedReport = (token: string, reportUrl: string) =>
  eventuallyAsync(
    async () => (await call("GET", reportUrl, token)).body,
    (body) => body.status !== "running",
    { timeoutMs: 120_000, intervalMs: 200 },
  );

const statsOnceSettled = (token: string, total: number) =>
  eventuallyAsync(
    async () => (await call("GET", "/stats/me", token)).body,
    (body) => body?.stats?.total_watched === total,
    { timeoutMs: 60_000, intervalMs: 250 },
  );

/** The entries against the ground truth: every matched film with the rating, the latest watch and the watch count it should have. */
const checkEntries = async (token: string, matched: ReadonlyArray<Expected>) => {
  const entries = await myEntries(token);
  const stored = new Map(entries.map((e) => [e.movie.movie_id, e]));
  expect([...stored.keys()].sort()).toEqual(matched.map((f) => f.movie_id!).sort());
  for (const film of matched) {
    const entry = stored.get(film.movie_id!)!;
    // An entry without a count was watched once.
    expect({
      film: film.name,
      rating: entry.rating,
      watched_at: entry.watched_at,
      watch_count: entry.watch_count ?? 1,
    }).toEqual({
      film: film.name,
      rating: film.rating,
      watched_at: film.watched_at,
      watch_count: film.watch_count,
    });
  }
  return entries;
};

/** The entries, then the statistics once the runner counted them all, against the ground truth. */
const checkEntriesAndStats = async (token: string, matched: ReadonlyArray<Expected>) => {
  await checkEntries(token, matched);
  const stats = (await statsOnceSettled(token, matched.length)).stats;
  expect({
    total_watched: stats.total_watched,
    rated_count: stats.rated_count,
    avg_rating: stats.avg_rating,
    rating_chart_data: stats.rating_chart_data,
  }).toEqual(independentStats(matched));
  return stats;
};

describe("importing a history on the real stack", () => {
  it("given a Letterboxd export, when imported with the CLI and again through the API, then the films and statistics follow the fixture exactly once", async () => {
    await withProductLogs(product, async () => {
      const password = "correct horse battery";
      const token = await signUp("letterboxd@example.com", password);
      let stdout = "";
      let stderr = "";
      const started = performance.now();
      const code = await runHistoryImport(
        [
          "letterboxd",
          join(fixtures, "letterboxd", "letterboxd-export.zip"),
          "--api-url",
          product.baseURL,
          "--json",
        ],
        {
          env: { CINEMATCH_EMAIL: "letterboxd@example.com", CINEMATCH_PASSWORD: password },
          stdout: { write: (text: string) => (stdout += text) },
          stderr: { write: (text: string) => (stderr += text) },
          pollMs: 100,
        },
      );
      const seconds = (performance.now() - started) / 1000;
      expect(code, stderr).toBe(0);
      const report = JSON.parse(stdout);
      const expected = expectedOf("letterboxd");
      const unmatched = new Set(
        report.unmatched.map((u: { title: string; year?: number }) => `${u.title}|${u.year}`),
      );
      const matched = expected.filter((f) => f.movie_id !== null && !unmatched.has(`${f.name}|${f.year}`));
      const inCatalog = expected.filter((f) => f.movie_id !== null).length;
      process.stdout.write(
        `letterboxd fixture: ${report.films} films, ${report.matched} matched (${matched.length} of the ${inCatalog} in the catalog), ${report.unmatched_count} not matched, imported in ${seconds.toFixed(1)} s\n`,
      );
      expect(report).toMatchObject({
        status: "done",
        films: expected.length,
        added: report.matched,
        updated: 0,
      });
      expect(report.matched + report.unmatched_count).toBe(expected.length);
      expect(report.matched).toBe(matched.length);
      // A catalog film left unmatched is one a title cannot tell apart (no year, two films of that
      // title): reported as ambiguous, with the right film among the candidates to pick.
      for (const film of expected.filter((f) => f.movie_id !== null && !matched.includes(f))) {
        const left = report.unmatched.find(
          (u: { title: string; year?: number }) => u.title === film.name && u.year === film.year,
        );
        expect({ film: film.name, reason: left.reason }).toEqual({ film: film.name, reason: "ambiguous" });
        expect(left.candidates.map((c: { film: { movie_id: string } }) => c.film.movie_id)).toContain(
          film.movie_id,
        );
      }
      expect(report.problems.some((p: { message: string }) => p.message.includes("2021-02-29"))).toBe(true);

      const stats = await checkEntriesAndStats(token, matched);

      // Again, through the API this time: nothing changes, nothing is counted twice.
      const before = await myEntries(token);
      const upload = await fetch(`${product.baseURL}/imports/letterboxd`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/zip" },
        body: readFileSync(join(fixtures, "letterboxd", "letterboxd-export.zip")),
      });
      expect(upload.status).toBe(202);
      const { report_url } = (await upload.json()) as { report_url: string };
      const again = await finishedReport(token, report_url);
      expect(again).toMatchObject({ status: "done", added: 0, updated: 0, already_present: report.matched });
      expect(await myEntries(token)).toEqual(before);
      const statsAgain = (await call("GET", "/stats/me", token)).body.stats;
      expect(statsAgain.total_watched).toBe(matched.length);
      expect(statsAgain.rating_chart_data).toEqual(stats.rating_chart_data);
    });
  }, 300_000);

  it("given a Trakt export as one JSON body, when imported through the API, then films found by id carry their plays, latest watch and rating, and the statistics follow", async () => {
    await withProductLogs(product, async () => {
      const token = await signUp("trakt@example.com", "correct horse battery");
      const body = {
        "watched-movies.json": JSON.parse(
          readFileSync(join(fixtures, "trakt", "watched-movies.json"), "utf8"),
        ),
        "ratings-movies.json": JSON.parse(
          readFileSync(join(fixtures, "trakt", "ratings-movies.json"), "utf8"),
        ),
      };
      const accepted = await call("POST", "/imports/trakt", token, body);
      expect(accepted.status).toBe(202);
      const report = await finishedReport(token, accepted.body.report_url);
      const expected = expectedOf("trakt");
      const matched = expected.filter((f) => f.movie_id !== null);
      process.stdout.write(
        `trakt fixture: ${report.films} films, ${report.matched} matched of the ${matched.length} in the catalog, ${report.unmatched_count} not matched\n`,
      );
      expect(report).toMatchObject({
        status: "done",
        films: expected.length,
        matched: matched.length,
        added: matched.length,
        unmatched_count: expected.length - matched.length,
      });
      await checkEntriesAndStats(token, matched);
    });
  }, 300_000);
});

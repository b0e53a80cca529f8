import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CatalogStore as CatalogTag,
  type CatalogStore,
  StoreUnavailable,
  makeCatalogStoreMemory,
} from "@cinematch/adapters";
import { Effect, Layer } from "effect";
import { describe, expect, it } from "vitest";
import { runCatalogImport } from "@cinematch/cli/catalog-import";

const fixtures = join(import.meta.dirname, "fixtures");
const good = ["--imdb", join(fixtures, "imdb-good.csv"), "--movielens", join(fixtures, "movielens-good")];
const bad = ["--imdb", join(fixtures, "imdb-bad.csv"), "--movielens", join(fixtures, "movielens-bad")];

/** Runs the command in-process against one in-memory catalog, capturing what it prints. */
const run = async (
  argv: string[],
  options: { env?: Record<string, string>; layer?: Layer.Layer<CatalogStore, unknown> } = {},
) => {
  let stdout = "";
  let stderr = "";
  const catalog = makeCatalogStoreMemory();
  const urls: string[] = [];
  const code = await runCatalogImport(argv, {
    env: { CINEMATCH_CACHE_DIR: mkdtempSync(join(tmpdir(), "cli-")), ...options.env },
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    catalogLayer: (url) => {
      urls.push(url);
      return options.layer ?? Layer.succeed(CatalogTag, catalog);
    },
  });
  const stored = await Effect.runPromise(catalog.all);
  return { code, stdout, stderr, stored, urls };
};

describe("importing good files", () => {
  it("given both sources and a MongoDB URL, when imported, then the merged films are written and the summary says so", async () => {
    const result = await run([...good, "--mongodb-url", "mongodb://db.invalid/cat"]);
    expect(result.stderr).not.toMatch(/:\d+: /);
    expect(result.code).toBe(0);
    expect(result.urls).toEqual(["mongodb://db.invalid/cat"]);
    expect(result.stored).toHaveLength(9);
    expect(result.stdout).toContain(
      "merged (in both):       4 (2 on exact title and year, 2 on a looser match)",
    );
    expect(result.stdout).toContain(
      "written:                9 new, 0 updated, into mongodb://db.invalid/cat",
    );
  });

  it("given the same import run twice into one catalog, when run again, then every film is found already there and nothing is written", async () => {
    const catalog = makeCatalogStoreMemory();
    const layer = Layer.succeed(CatalogTag, catalog);
    await run([...good, "--mongodb-url", "mongodb://x/y"], { layer });
    const before = await Effect.runPromise(catalog.all);
    const second = await run([...good, "--mongodb-url", "mongodb://x/y"], { layer });
    expect(second.stdout).toContain(
      "catalog entries:        9 (was 9: 0 new films, 9 already there by id or title)",
    );
    expect(second.stdout).toContain("0 new, 0 updated");
    expect(await Effect.runPromise(catalog.all)).toEqual(before);
  });

  it("given MONGODB_URL is unset, when the stack recorded one, then the stack's database is used", async () => {
    const cache = mkdtempSync(join(tmpdir(), "cli-stack-"));
    mkdirSync(join(cache, "stack"));
    writeFileSync(
      join(cache, "stack", "env"),
      "KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:1\nMONGODB_URL=mongodb://stack.invalid/cinematch\n",
    );
    const result = await run(good, { env: { CINEMATCH_CACHE_DIR: cache } });
    expect(result.code).toBe(0);
    expect(result.urls).toEqual(["mongodb://stack.invalid/cinematch"]);
  });

  it("given neither MONGODB_URL nor a running stack, when imported, then it says how to name one and exits 2", async () => {
    const result = await run(good);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/set MONGODB_URL.*npm run stack:up/);
    expect(result.stored).toEqual([]);
  });

  it("given --dry-run, when imported, then nothing is written and the summary says so", async () => {
    const result = await run([...good, "--dry-run"]);
    expect(result.code).toBe(0);
    expect(result.urls).toEqual([]);
    expect(result.stdout).toContain("written:                nothing (--dry-run)");
  });

  it("given only an IMDB file, when imported, then its films are the catalog", async () => {
    const result = await run(["--imdb", join(fixtures, "imdb-good.csv"), "--mongodb-url", "mongodb://x/y"]);
    expect(result.code).toBe(0);
    expect(result.stored.map((e) => e.film.title).sort()).toEqual([
      "Furious Seven",
      "Guardians of the Galaxy",
      "Les Misérables",
      "Sing Street",
      "The Intouchables",
    ]);
  });

  it("given a long import, when it runs, then progress goes to stderr, never to stdout", async () => {
    const result = await run([...good, "--mongodb-url", "mongodb://x/y"]);
    expect(result.stderr).toContain("matching IMDB films to MovieLens: 5/5 done");
    expect(result.stderr).toContain("writing the catalog: 9/9 done");
    expect(result.stdout).not.toContain("matching");
  });
});

describe("importing bad files", () => {
  it("given bad lines in three files, when imported, then every one is listed as FILE:LINE, nothing is written, exit 1", async () => {
    const result = await run([...bad, "--mongodb-url", "mongodb://x/y"]);
    expect(result.code).toBe(1);
    const listed = result.stderr.split("\n").filter((l) => /:\d+: /.test(l));
    expect(listed).toHaveLength(13);
    expect(result.stderr).toContain(
      `${join(fixtures, "imdb-bad.csv")}:4: "Year": a year, got "twenty-twelve"`,
    );
    expect(result.stderr).toContain(
      `${join(fixtures, "movielens-bad", "links.csv")}:4: "movieId": 99 is not in movies.csv`,
    );
    expect(result.stderr).toContain("13 problems in 3 files; nothing was written");
    expect(result.stored).toEqual([]);
    expect(result.stdout).toBe("");
  });

  it("given --fail-fast, when imported, then only the first bad line is reported and exit is 1", async () => {
    const result = await run([...bad, "--dry-run", "--fail-fast"]);
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n").filter((l) => /:\d+: /.test(l))).toEqual([
      `${join(fixtures, "movielens-bad", "movies.csv")}:3: "movieId": a positive whole number, got "two"`,
    ]);
    expect(result.stderr).toContain("--fail-fast");
  });

  it("given --skip-bad, when imported, then the good lines are written, the bad ones listed, exit 0", async () => {
    const result = await run([...bad, "--skip-bad", "--mongodb-url", "mongodb://x/y"]);
    expect(result.code).toBe(0);
    expect(result.stored.map((e) => e.film.title).sort()).toEqual([
      "Fantastic Beasts and Where to Find Them",
      "Father of the Bride Part II",
      "Guardians of the Galaxy",
      "Mindhorn",
      "Toy Story",
    ]);
    expect(result.stdout).toContain("bad lines skipped:      13");
  });

  it("given a file that does not exist, when imported, then it is named and exit is 1", async () => {
    const result = await run(["--imdb", join(fixtures, "nope.csv"), "--dry-run"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${join(fixtures, "nope.csv")}: no such file`);
  });

  it("given a header that lacks a column, when imported, then line 1 names the column", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cli-header-"));
    writeFileSync(join(dir, "imdb.csv"), "Rank,Title,Year\n1,X,2001\n");
    const result = await run(["--imdb", join(dir, "imdb.csv"), "--dry-run"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /imdb\.csv:1: the header lacks "Genre", "Director", "Actors", "Runtime \(Minutes\)"/,
    );
  });
});

describe("wrong arguments", () => {
  it.each([
    [[], /give --imdb FILE, --movielens DIR, or both/],
    [["--imdb"], /argument missing|--imdb/],
    [["--what"], /Unknown option '--what'/],
    [["--imdb", "x", "--skip-bad", "--fail-fast"], /contradict/],
  ])("given %j, when run, then it explains and exits 2", async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it("given --help, when run, then the usage goes to stdout and exit is 0", async () => {
    const result = await run(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: cinematch catalog import/);
  });
});

describe("a database that fails", () => {
  it("given a catalog whose writes fail, when imported, then the failure is said without the password and exit is 3", async () => {
    const failing = Layer.succeed(CatalogTag, {
      ...makeCatalogStoreMemory(),
      upsertMany: () =>
        Effect.fail(new StoreUnavailable({ operation: "upsert", message: "connection refused" })),
    });
    const result = await run([...good, "--mongodb-url", "mongodb://user:hunter2@db.invalid/cat"], {
      layer: failing,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      "the database failed: connection refused (mongodb://user:***@db.invalid/cat)",
    );
    expect(result.stderr).not.toContain("hunter2");
  });
});

const shared = process.env.CINEMATCH_SHARED_DIR ?? join(import.meta.dirname, "..", "..", "..", "shared");
const imdbFile = join(shared, "data", "imdb-1000", "IMDB-Movie-Data.csv");
const movielensDir = join(shared, "data", "movielens-small");

describe("the real IMDB-1000 and MovieLens files", () => {
  it("given both files, when checked and merged, then they are clean and about two thirds of IMDB merges into MovieLens", async () => {
    if (!existsSync(imdbFile) || !existsSync(join(movielensDir, "movies.csv"))) {
      throw new Error(`the shared data is missing: ${imdbFile}, ${movielensDir} (set CINEMATCH_SHARED_DIR)`);
    }
    const result = await run(["--imdb", imdbFile, "--movielens", movielensDir, "--dry-run"]);
    expect(result.stderr).not.toMatch(/:\d+: /);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("MovieLens films read:   9125 (9125 with links.csv ids)");
    expect(result.stdout).toContain("IMDB films read:        1000");
    const merged = Number(/merged \(in both\):\s+(\d+)/.exec(result.stdout)?.[1]);
    expect(merged).toBeGreaterThan(600);
    expect(merged).toBeLessThan(1000);
    const total = Number(/catalog entries:\s+(\d+)/.exec(result.stdout)?.[1]);
    expect(total).toBe(9125 + 1000 - merged);
  }, 60_000);
});

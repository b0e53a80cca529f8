import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type CatalogEntry, CatalogStore, WatchlistStore } from "@cinematch/adapters";
import { CatalogStoreMongo, MongoDatabaseLive, WatchlistStoreMongo } from "@cinematch/adapters/mongo";
import { evolve, makeCatalogIndex, type MovieAdded, normalizeTitle } from "@cinematch/domain";
import { Effect, Layer } from "effect";
import { MongoClient } from "mongodb";
import { afterAll, describe, expect, it } from "vitest";
import { processCatalogIO, runCatalogImport } from "@cinematch/cli/catalog-import";

// stack:up's demo seed, then the real IMDB-1000 and MovieLens files imported in both orders, into
// a real MongoDB-wire server, with a user's entry moving through Kafka when its film merges.
const mongoUrl = process.env.MONGODB_URL;
const kafka = process.env.KAFKA_BOOTSTRAP_SERVERS;
if (!mongoUrl || !kafka) {
  throw new Error(
    'MONGODB_URL and KAFKA_BOOTSTRAP_SERVERS must be set: start the servers with `eval "$(bash scripts/infra/up.sh)"` (npm test does)',
  );
}
const repoRoot = join(import.meta.dirname, "..", "..");
const shared = process.env.CINEMATCH_SHARED_DIR ?? join(repoRoot, "..", "shared");
const imdbFile = join(shared, "data", "imdb-1000", "IMDB-Movie-Data.csv");
const movielensDir = join(shared, "data", "movielens-small");
if (!existsSync(imdbFile) || !existsSync(join(movielensDir, "movies.csv"))) {
  throw new Error(`the shared data is missing: ${imdbFile}, ${movielensDir} (set CINEMATCH_SHARED_DIR)`);
}

const databases: string[] = [];
const databaseUrl = (label: string) => {
  const name = `cli_sources_${label}_${Date.now().toString(36)}_${process.pid}`;
  databases.push(name);
  const parsed = new URL(mongoUrl);
  parsed.pathname = `/${name}`;
  return parsed.toString();
};

afterAll(async () => {
  const client = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  for (const name of databases) {
    // Bounded: FerretDB 1.24's dropDatabase has been seen to block for minutes.
    const dropped = client
      .db(name)
      .dropDatabase()
      .catch(() => undefined);
    await Promise.race([dropped, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
  }
  await client.close(true);
});

const seed = (url: string) => {
  const result = spawnSync(
    process.execPath,
    [join(repoRoot, "apps", "cinematch", "src", "seed-catalog.ts")],
    {
      env: { ...process.env, MONGODB_URL: url },
      encoding: "utf8",
      timeout: 300_000,
    },
  );
  expect(result.stderr).not.toMatch(/failed/);
  expect(result.status).toBe(0);
  return result.stderr;
};

const importFiles = async (url: string, argv: string[]) => {
  let stdout = "";
  let stderr = "";
  const topic = `catalog-sources-${Date.now().toString(36)}`;
  const code = await runCatalogImport([...argv, "--mongodb-url", url], {
    ...processCatalogIO({
      KAFKA_BOOTSTRAP_SERVERS: kafka,
      CINEMATCH_EVENTS_TOPIC: topic,
      CINEMATCH_EVENTS_PARTITIONS: "2",
    }),
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
  });
  expect(stderr).not.toMatch(/failed/);
  expect(code).toBe(0);
  return stdout;
};

const readAll = (url: string) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.flatMap(CatalogStore, (c) => c.all).pipe(
        Effect.provide(CatalogStoreMongo.pipe(Layer.provide(MongoDatabaseLive(url)))),
      ),
    ),
  );

const withWatchlist = <A>(
  url: string,
  body: (store: typeof WatchlistStore.Service) => Effect.Effect<A, unknown>,
) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.flatMap(WatchlistStore, body).pipe(
        Effect.provide(WatchlistStoreMongo.pipe(Layer.provide(MongoDatabaseLive(url)))),
      ),
    ) as Effect.Effect<A>,
  );

/** Films every source has (or two of them): each must be one entry whatever the order. */
const famous: ReadonlyArray<readonly [string, number]> = [
  ["Pulp Fiction", 1994],
  ["Titanic", 1997],
  ["Inception", 2010],
  ["The Dark Knight", 2008],
  ["Heat", 1995],
];

const entriesNamed = (catalog: ReadonlyArray<CatalogEntry>, title: string, year: number) =>
  catalog.filter(
    (e) =>
      e.film.year === year &&
      [e.film.title, ...(e.aliases ?? [])].some((t) => normalizeTitle(t) === normalizeTitle(title)),
  );

const orders = [
  {
    label: "imdb_first",
    steps: [
      ["--imdb", imdbFile],
      ["--movielens", movielensDir],
    ],
  },
  {
    label: "ml_first",
    steps: [
      ["--movielens", movielensDir],
      ["--imdb", imdbFile],
    ],
  },
] as const;

describe("the demo seed, then IMDB and MovieLens imports, in either order", () => {
  const results = new Map<string, ReadonlyArray<CatalogEntry>>();

  for (const order of orders) {
    it(`given stack:up's seed and a user on the demo's Pulp Fiction, when ${order.label.replace("_", " ")} is imported, then each famous film is one entry, found by its exact title, and the user's entry followed it`, async () => {
      const url = databaseUrl(order.label);
      seed(url);
      const seeded = await readAll(url);
      const demoPulp = entriesNamed(seeded, "Pulp Fiction", 1994);
      expect(demoPulp).toHaveLength(1);
      const now = Date.now();
      const added: MovieAdded = {
        event_type: "ADD",
        schema_version: 1,
        event_id: `ev-${order.label}`,
        user_id: "u-demo",
        occurred_at: now,
        movie: demoPulp[0]!.film,
        added_at: now,
        rating: 9,
        watched_at: now,
      };
      await withWatchlist(url, (store) =>
        store.commit({ expected_version: undefined, state: evolve(undefined, added), events: [added] }),
      );

      for (const step of order.steps) await importFiles(url, [...step]);
      const catalog = await readAll(url);
      results.set(order.label, catalog);

      const index = makeCatalogIndex(catalog);
      for (const [title, year] of famous) {
        const found = entriesNamed(catalog, title, year);
        expect(
          found.map((e) => e.film.movie_id),
          `${title} (${year})`,
        ).toHaveLength(1);
        const id = found[0]!.film.movie_id;
        // Adding it by its exact title (and year): the API takes the film without asking.
        const withYear = index.resolve({ text: title, year });
        expect(withYear._tag === "Matched" && withYear.film.movie_id, `"${title}" (${year})`).toBe(id);
        // Without a year: taken at once when no other film has that title, else offered first.
        const alone = index.resolve({ text: title });
        const first =
          alone._tag === "Matched"
            ? alone.film
            : alone._tag === "Ambiguous"
              ? alone.candidates[0]?.film
              : undefined;
        expect(first?.movie_id, `"${title}"`).toBe(id);
        const namesakes = catalog.filter(
          (e) =>
            e.film.movie_id !== id && normalizeTitle(e.film.title) === normalizeTitle(found[0]!.film.title),
        );
        if (namesakes.length === 0) expect(alone._tag, `"${title}" has no namesake`).toBe("Matched");
      }
      expect(entriesNamed(catalog, "Pulp Fiction", 1994)[0]!.film.movie_id).toBe("ml-296");

      const userList = await withWatchlist(url, (store) => store.list("u-demo", { offset: 0, limit: 10 }));
      expect(userList.entries.map((e) => [e.movie.movie_id, e.rating, e.added_at])).toEqual([
        ["ml-296", 9, now],
      ]);

      // Importing again, both files at once, or the demo seed again, changes nothing.
      const again = await importFiles(url, ["--imdb", imdbFile, "--movielens", movielensDir]);
      expect(again).toContain("written:                0 new, 0 updated");
      expect(again).not.toContain("merged away");
      expect(seed(url)).toMatch(/ 0 new, .*\(0 of those completed\)/);
      expect(await readAll(url)).toEqual(catalog);
    }, 900_000);
  }

  it("given both orders, when their catalogs are compared, then they are the same catalog, entry for entry", () => {
    const [a, b] = orders.map((o) => results.get(o.label));
    expect(a).toBeDefined();
    expect(b).toBeDefined();
    expect(b!.length).toBeGreaterThan(10_000);
    expect(b).toEqual(a);
  });
});

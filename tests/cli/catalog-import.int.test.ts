import { join } from "node:path";
import { CatalogStore } from "@cinematch/adapters";
import { CatalogStoreMongo, MongoDatabaseLive } from "@cinematch/adapters/mongo";
import { Effect, Layer } from "effect";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mongoCatalogLayer, runCatalogImport } from "@cinematch/cli/catalog-import";

const mongoUrl = process.env.MONGODB_URL;
if (!mongoUrl) {
  throw new Error(
    'MONGODB_URL is not set: start the servers with `eval "$(bash scripts/infra/up.sh)"` (npm test does)',
  );
}
const fixtures = join(import.meta.dirname, "fixtures");
const database = `cli_import_${Date.now().toString(36)}_${process.pid}`;
const url = (() => {
  const parsed = new URL(mongoUrl);
  parsed.pathname = `/${database}`;
  return parsed.toString();
})();

const run = async (argv: string[]) => {
  let stdout = "";
  let stderr = "";
  const code = await runCatalogImport([...argv, "--mongodb-url", url], {
    env: {},
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    catalogLayer: mongoCatalogLayer,
  });
  return { code, stdout, stderr };
};

const readCatalog = () =>
  Effect.runPromise(
    Effect.scoped(
      Effect.flatMap(CatalogStore, (c) => c.all).pipe(
        Effect.provide(CatalogStoreMongo.pipe(Layer.provide(MongoDatabaseLive(url)))),
      ),
    ),
  );

let client: MongoClient;
beforeAll(async () => {
  client = new MongoClient(url, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
});
afterAll(async () => {
  // Best effort and bounded: a database left behind is harmless, a hung hook is not (we saw
  // FerretDB 1.24's dropDatabase block for minutes after a handler of another client panicked).
  const dropped = client
    .db(database)
    .dropDatabase()
    .catch(() => undefined);
  await Promise.race([dropped, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
  await client.close(true);
});

describe("importing into a real MongoDB-wire server", () => {
  it("given both fixture sources, when imported, then the merged catalog is in the database and reads back through the API's store", async () => {
    const result = await run([
      "--imdb",
      join(fixtures, "imdb-good.csv"),
      "--movielens",
      join(fixtures, "movielens-good"),
    ]);
    expect(result.stderr).not.toMatch(/ERROR|failed/);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("written:                9 new, 0 updated");
    const catalog = await readCatalog();
    expect(catalog).toHaveLength(9);
    // IMDB's people and running time, on the merged film and on IMDB's own record.
    const fromImdb = {
      directors: ["Olivier Nakache"],
      actors: ["François Cluzet", "Omar Sy", "Anne Le Ny", "Audrey Fleurot"],
      runtime_minutes: 112,
    };
    expect(catalog.find((e) => e.film.movie_id === "ml-2")).toEqual({
      film: {
        movie_id: "ml-2",
        title: "Intouchables",
        year: 2011,
        genres: ["Comedy", "Drama", "Biography"],
        ...fromImdb,
      },
      aliases: ["The Intouchables"],
      ids: ["imdb-3869528693", "tmdb-77338", "tt1675434"],
      votes: { imdb: 557965 },
      // Each file's own record, which the next import merges again from.
      sources: [
        {
          film: { movie_id: "ml-2", title: "Intouchables", year: 2011, genres: ["Comedy", "Drama"] },
          ids: ["tmdb-77338", "tt1675434"],
        },
        {
          film: {
            movie_id: "imdb-3869528693",
            title: "The Intouchables",
            year: 2011,
            genres: ["Biography", "Comedy", "Drama"],
            ...fromImdb,
          },
          votes: { imdb: 557965 },
        },
      ],
    });
  });

  it("given the same import again, when run, then every film is found already there and nothing is written", async () => {
    const result = await run([
      "--imdb",
      join(fixtures, "imdb-good.csv"),
      "--movielens",
      join(fixtures, "movielens-good"),
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("0 new, 0 updated");
    expect(await client.db(database).collection("catalog").countDocuments()).toBe(9);
  });

  it("given bad files, when imported, then nothing more is written and the exit status is 1", async () => {
    const before = await client.db(database).collection("catalog").countDocuments();
    const result = await run(["--imdb", join(fixtures, "imdb-bad.csv")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/imdb-bad\.csv:4: /);
    expect(await client.db(database).collection("catalog").countDocuments()).toBe(before);
  });

  it("given a server that does not answer, when imported, then the failure is named and the exit status is 3", async () => {
    let stderr = "";
    const code = await runCatalogImport(
      [
        "--imdb",
        join(fixtures, "imdb-good.csv"),
        "--mongodb-url",
        "mongodb://127.0.0.1:1/nothing?serverSelectionTimeoutMS=500",
      ],
      {
        env: {},
        stdout: { write: () => true },
        stderr: { write: (t: string) => (stderr += t) },
        catalogLayer: (u) =>
          CatalogStoreMongo.pipe(Layer.provide(MongoDatabaseLive(u, { serverSelectionTimeoutMs: 500 }))),
      },
    );
    expect(code).toBe(3);
    expect(stderr).toContain("catalog import: the database failed");
  });
});

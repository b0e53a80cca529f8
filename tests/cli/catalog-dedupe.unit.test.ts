import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CatalogStore,
  type CatalogEntry,
  EventLogMemoryControl,
  IdGeneratorSequential,
  EventLogMemory,
  makeCatalogStoreMemory,
  makeWatchlistStoreMemory,
  OutboxPublisherLive,
  WatchlistCommands,
  WatchlistCommandsLive,
  WatchlistStore,
} from "@cinematch/adapters";
import { type Film, USER_MOVIE_EVENTS_TOPIC, type WatchedEntry } from "@cinematch/domain";
import { Context, Effect, Exit, Layer, Scope } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import { runCatalogDedupe, runCatalogImport } from "@cinematch/cli/catalog-import";

const T0 = Date.UTC(2026, 10, 20, 9);
const DAY = 86_400_000;
const vegaPulp: Film = {
  movie_id: "vega-11",
  title: "Pulp Fiction",
  year: 1994,
  genres: ["Thriller"],
  directors: ["Quentin Tarantino"],
  runtime_minutes: 154,
};
const mlPulp: Film = { movie_id: "ml-296", title: "Pulp Fiction", year: 1994, genres: ["Comedy", "Crime"] };
const vegaHeat: Film = { movie_id: "vega-12", title: "Heat", year: 1995, genres: ["Action"] };

/** One in-memory world: catalog, watchlists, event log, and the write path over them. */
const makeWorld = async (catalog: ReadonlyArray<CatalogEntry>) => {
  const scope = Effect.runSync(Scope.make());
  const store = makeWatchlistStoreMemory();
  const films = makeCatalogStoreMemory(catalog);
  const layer = WatchlistCommandsLive().pipe(
    Layer.provideMerge(OutboxPublisherLive()),
    Layer.provideMerge(
      Layer.mergeAll(Layer.succeed(WatchlistStore, store), EventLogMemory(), IdGeneratorSequential("e")),
    ),
  );
  const context = await Effect.runPromise(Layer.buildWithScope(layer, scope));
  const commands = Context.get(context, WatchlistCommands);
  const log = Context.get(context, EventLogMemoryControl);
  let stdout = "";
  let stderr = "";
  const io = {
    env: { CINEMATCH_CACHE_DIR: mkdtempSync(join(tmpdir(), "cli-dedupe-")) },
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    catalogLayer: () => Layer.succeed(CatalogStore, films),
    watchlistLayer: () => Layer.succeed(WatchlistStore, store),
    commandsLayer: () => Layer.succeedContext(context),
  };
  const add = (user: string, movie: Film, added_at: number, rating?: number) =>
    Effect.runPromise(
      commands.add(user, {
        movie,
        added_at,
        watched_at: added_at,
        ...(rating === undefined ? {} : { rating }),
      }),
    );
  const events = async () =>
    (await Effect.runPromise(log.records(USER_MOVIE_EVENTS_TOPIC)))
      .map(
        (r) =>
          JSON.parse(r.value) as {
            event_id: string;
            event_type: string;
            user_id: string;
            added_at: string;
            movie: Film;
          },
      )
      // Records come partition by partition; the sequential event ids give the order they were made.
      .sort((a, b) => Number(/\d+$/.exec(a.event_id)?.[0]) - Number(/\d+$/.exec(b.event_id)?.[0]));
  const listOf = async (user: string): Promise<ReadonlyArray<WatchedEntry>> =>
    (await Effect.runPromise(store.list(user, { offset: 0, limit: 100 }))).entries;
  const output = () => {
    const out = { stdout, stderr };
    stdout = "";
    stderr = "";
    return out;
  };
  return {
    io,
    add,
    events,
    listOf,
    output,
    catalog: () => Effect.runPromise(films.all),
    close: () => Effect.runPromise(Scope.close(scope, Exit.void)),
  };
};

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe("a catalog holding the same film twice, with users on both copies", () => {
  const given = async () => {
    const world = await makeWorld([{ film: vegaPulp }, { film: mlPulp }, { film: vegaHeat }]);
    close = world.close;
    await world.add("u1", vegaPulp, T0, 8);
    await world.add("u2", vegaPulp, T0 + DAY);
    await world.add("u2", mlPulp, T0 + 2 * DAY, 6);
    await world.add("u3", mlPulp, T0 + 3 * DAY);
    return { world, before: (await world.events()).length };
  };

  it("given --dry-run, when deduped, then it says what would merge and move, and nothing changes", async () => {
    const { world, before } = await given();
    const code = await runCatalogDedupe(["--dry-run", "--mongodb-url", "mongodb://x/y"], world.io);
    const { stdout } = world.output();
    expect(code).toBe(0);
    expect(stdout).toContain("catalog entries:        2 (was 3");
    expect(stdout).toContain("merged away:            1 duplicate entry (2 watchlist entries would move)");
    expect(stdout).toContain("written:                nothing (--dry-run)");
    expect(await world.catalog()).toHaveLength(3);
    expect(await world.events()).toHaveLength(before);
  });

  it("given a dedupe, when run, then one entry is left and every user keeps one entry of it, rating and added day included", async () => {
    const { world } = await given();
    const code = await runCatalogDedupe(["--mongodb-url", "mongodb://x/y"], world.io);
    const { stdout, stderr } = world.output();
    expect(stderr).not.toMatch(/failed/);
    expect(code).toBe(0);
    expect(stdout).toContain("merged away:            1 duplicate entry (1 watchlist entry moved, 1 folded");

    const catalog = await world.catalog();
    expect(catalog.map((e) => e.film.movie_id)).toEqual(["ml-296", "vega-12"]);
    expect(catalog[0]).toMatchObject({
      film: { movie_id: "ml-296", directors: ["Quentin Tarantino"], runtime_minutes: 154 },
      ids: ["vega-11"],
    });

    const u1 = await world.listOf("u1");
    expect(u1.map((e) => [e.movie.movie_id, e.rating, e.added_at])).toEqual([["ml-296", 8, T0]]);
    const u2 = await world.listOf("u2");
    expect(u2.map((e) => [e.movie.movie_id, e.rating, e.added_at])).toEqual([["ml-296", 6, T0 + 2 * DAY]]);
    const u3 = await world.listOf("u3");
    expect(u3.map((e) => e.movie.movie_id)).toEqual(["ml-296"]);
  });

  it("given a dedupe, when run, then the moves went through the event log as an ADD on the same day and a DELETE of the old copy, so trend counts stay exact", async () => {
    const { world, before } = await given();
    await runCatalogDedupe(["--mongodb-url", "mongodb://x/y"], world.io);
    const moves = (await world.events())
      .slice(before)
      .map((e) => [e.event_type, e.user_id, e.movie.movie_id, Date.parse(e.added_at)]);
    expect(moves).toEqual([
      ["ADD", "u1", "ml-296", T0],
      ["DELETE", "u1", "vega-11", T0],
      ["DELETE", "u2", "vega-11", T0 + DAY],
    ]);
    // Adds minus deletes per film: what the trends runner counts.
    const counts = new Map<string, number>();
    for (const e of await world.events()) {
      counts.set(e.movie.movie_id, (counts.get(e.movie.movie_id) ?? 0) + (e.event_type === "ADD" ? 1 : -1));
    }
    expect(Object.fromEntries(counts)).toEqual({ "vega-11": 0, "ml-296": 3 });
  });

  it("given a repaired catalog, when deduped again, then nothing is written and no event is sent", async () => {
    const { world } = await given();
    await runCatalogDedupe(["--mongodb-url", "mongodb://x/y"], world.io);
    const catalog = await world.catalog();
    const events = (await world.events()).length;
    world.output();
    await runCatalogDedupe(["--mongodb-url", "mongodb://x/y"], world.io);
    expect(world.output().stdout).toContain("no duplicates: the catalog has one entry per film");
    expect(await world.catalog()).toEqual(catalog);
    expect(await world.events()).toHaveLength(events);
  });

  it("given no write path to Kafka, when deduped, then it says why the entries cannot move, exits 3 and keeps the old copy", async () => {
    const { world } = await given();
    const code = await runCatalogDedupe(["--mongodb-url", "mongodb://x/y"], {
      ...world.io,
      commandsLayer: () => "no Kafka is known",
    });
    expect(code).toBe(3);
    expect(world.output().stderr).toMatch(
      /2 watchlist entries hold films merged into others .* no Kafka is known/,
    );
    expect((await world.catalog()).map((e) => e.film.movie_id)).toContain("vega-11");
    expect((await world.listOf("u1")).map((e) => e.movie.movie_id)).toEqual(["vega-11"]);
  });
});

describe("importing into a catalog the demo seed filled", () => {
  it("given the demo's Pulp Fiction with a user on it, when MovieLens is imported, then the catalog holds it once under MovieLens' id and the user's entry moved", async () => {
    const world = await makeWorld([{ film: vegaPulp }, { film: vegaHeat }]);
    close = world.close;
    await world.add("u1", vegaPulp, T0, 9);
    const dir = mkdtempSync(join(tmpdir(), "ml-"));
    writeFileSync(join(dir, "movies.csv"), "movieId,title,genres\n296,Pulp Fiction (1994),Comedy|Crime\n");
    writeFileSync(join(dir, "links.csv"), "movieId,imdbId,tmdbId\n296,0110912,680\n");
    const code = await runCatalogImport(["--movielens", dir, "--mongodb-url", "mongodb://x/y"], world.io);
    const { stdout, stderr } = world.output();
    expect(stderr).not.toMatch(/failed/);
    expect(code).toBe(0);
    expect(stdout).toContain(
      "catalog entries:        2 (was 2: 0 new films, 1 already there by id or title)",
    );
    const catalog = await world.catalog();
    expect(catalog.map((e) => [e.film.movie_id, e.ids])).toEqual([
      ["ml-296", ["vega-11", "tmdb-680", "tt0110912"]],
      ["vega-12", undefined],
    ]);
    expect((await world.listOf("u1")).map((e) => [e.movie.movie_id, e.rating])).toEqual([["ml-296", 9]]);

    const again = await runCatalogImport(["--movielens", dir, "--mongodb-url", "mongodb://x/y"], world.io);
    expect(again).toBe(0);
    expect(world.output().stdout).toContain("0 new, 0 updated");
    expect(await world.catalog()).toEqual(catalog);
  });
});

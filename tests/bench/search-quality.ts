#!/usr/bin/env node
/**
 * Search quality as people type: 40 queries (lowercase, no accents, partial words, one typo), each
 * with the film meant, on the demo catalog (`npm start`, stack:up's seed) and on the catalog that
 * `cinematch catalog import` makes of IMDB-1000 + MovieLens (the same code path, in memory).
 * Prints hits@1 and hits@3 per catalog, and every miss with what came first.
 *
 *   sh scripts/node24.sh node tests/bench/search-quality.ts [--data DIR] [--list]
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CatalogStore, type CatalogEntry, makeCatalogStoreMemory } from "@cinematch/adapters";
import { makeCatalogIndex, normalizeTitle } from "@cinematch/domain";
import { Effect, Layer } from "effect";
import { loadVegaCatalog } from "../../apps/cinematch/src/demo-catalog/vega.ts";
import { runCatalogImport } from "@cinematch/cli/catalog-import";

/**
 * [as typed, the film meant (its titles in either catalog, separated by `|`), its year, what the
 * query exercises]. Chosen before measuring, among well-known films both catalogs hold.
 */
export const QUERIES: ReadonlyArray<readonly [string, string, number, string]> = [
  [
    "amelie",
    "Amélie|Le Fabuleux destin d'Amélie Poulain",
    2001,
    "a word inside the original title, no accent",
  ],
  ["star wars", "Star Wars: Episode IV - A New Hope|Star Wars Ep. IV: A New Hope", 1977, "a series name"],
  ["pulp fictoin", "Pulp Fiction", 1994, "one typo (transposition)"],
  ["titanic", "Titanic", 1997, "a title several films share"],
  ["the dark knight", "The Dark Knight", 2008, "a full title"],
  ["godfather", "The Godfather", 1972, "without its article"],
  ["shawshank", "The Shawshank Redemption", 1994, "one word of the title"],
  ["forrest gump", "Forrest Gump", 1994, "a full title"],
  ["matrix", "The Matrix", 1999, "without its article, sequels around"],
  [
    "lord of the rings fellowship",
    "The Lord of the Rings: The Fellowship of the Ring",
    2001,
    "series + a word",
  ],
  ["jurasic park", "Jurassic Park", 1993, "one typo (missing letter)"],
  ["terminator 2", "Terminator 2: Judgment Day", 1991, "a sequel by number"],
  ["back to the future", "Back to the Future", 1985, "a title with sequels"],
  ["raiders of the lost", "Raiders of the Lost Ark", 1981, "partial title"],
  ["silence of the lambs", "The Silence of the Lambs", 1991, "without its article"],
  ["schindlers list", "Schindler's List", 1993, "no apostrophe"],
  ["fight club", "Fight Club", 1999, "a full title"],
  ["gladiator", "Gladiator", 2000, "a title several films share"],
  ["braveheart", "Braveheart", 1995, "one word"],
  ["sixth sense", "The Sixth Sense", 1999, "without its article"],
  ["toy story", "Toy Story", 1995, "a title with sequels"],
  ["finding nemo", "Finding Nemo", 2003, "a full title"],
  ["shrek", "Shrek", 2001, "a title with sequels"],
  ["avatar", "Avatar", 2009, "one word"],
  ["inception", "Inception", 2010, "one word"],
  ["goodfelas", "Goodfellas", 1990, "one typo (missing letter)"],
  ["ghostbusters", "Ghostbusters", 1984, "a title with a sequel"],
  [
    "indiana jones crystal",
    "Indiana Jones and the Kingdom of the Crystal Skull",
    2008,
    "words from a long title",
  ],
  ["harry potter sorcerer", "Harry Potter and the Sorcerer's Stone", 2001, "series + a word"],
  [
    "pirates of the caribbean",
    "Pirates of the Caribbean: The Curse of the Black Pearl",
    2003,
    "a series name",
  ],
  ["incredibles", "The Incredibles", 2004, "without its article"],
  ["spiderman", "Spider-Man", 2002, "written without its hyphen"],
  ["no country for old", "No Country for Old Men", 2007, "a title being typed"],
  ["slumdog", "Slumdog Millionaire", 2008, "the first word"],
  ["ratatouile", "Ratatouille", 2007, "one typo (missing letter)"],
  ["kill bill", "Kill Bill: Vol. 1|Kill Bill: Volume 1", 2003, "a series name"],
  ["jaws", "Jaws", 1975, "a short title with sequels"],
  ["the lion king", "The Lion King", 1994, "a full title"],
  ["the departed", "The Departed", 2006, "a full title"],
  ["gone with the wind", "Gone with the Wind", 1939, "an old film"],
];

const { values: options } = parseArgs({
  options: { data: { type: "string" }, list: { type: "boolean" } },
});
const repoRoot = join(import.meta.dirname, "..", "..");
const data = options.data ?? join(process.env.CINEMATCH_SHARED_DIR ?? join(repoRoot, "..", "shared"), "data");
const imdbFile = join(data, "imdb-1000", "IMDB-Movie-Data.csv");
const movielensDir = join(data, "movielens-small");
if (!existsSync(imdbFile) || !existsSync(join(movielensDir, "movies.csv"))) {
  throw new Error(`no data at ${data} (--data DIR, or CINEMATCH_SHARED_DIR)`);
}

/** The catalog `cinematch catalog import --imdb … --movielens …` writes, through the same code. */
const importedCatalog = async (): Promise<ReadonlyArray<CatalogEntry>> => {
  const store = makeCatalogStoreMemory();
  const quiet = { write: () => true };
  const code = await runCatalogImport(
    ["--imdb", imdbFile, "--movielens", movielensDir, "--mongodb-url", "memory://"],
    {
      env: {},
      stdout: quiet,
      stderr: quiet,
      catalogLayer: () => Layer.succeed(CatalogStore, store),
    },
  );
  if (code !== 0) throw new Error(`the import failed with exit status ${code}`);
  return Effect.runPromise(store.all);
};

const isMeant = (entry: CatalogEntry, titles: string, year: number) =>
  entry.film.year === year &&
  [entry.film.title, ...(entry.aliases ?? [])].some((t) =>
    titles.split("|").some((title) => normalizeTitle(t) === normalizeTitle(title)),
  );

const evaluate = (label: string, catalog: ReadonlyArray<CatalogEntry>) => {
  const index = makeCatalogIndex(catalog);
  let hits1 = 0;
  let hits3 = 0;
  let present = 0;
  const misses: string[] = [];
  for (const [typed, title, year] of QUERIES) {
    if (!catalog.some((e) => isMeant(e, title, year))) {
      misses.push(`  not in this catalog: ${title} (${year})`);
      continue;
    }
    present += 1;
    const ranked = index.match({ text: typed }, { limit: 10 });
    const rank = ranked.findIndex((c) =>
      isMeant({ film: c.film, ...aliasesOf(catalog, c.film.movie_id) }, title, year),
    );
    if (rank === 0) hits1 += 1;
    if (rank >= 0 && rank < 3) hits3 += 1;
    if (rank !== 0 || options.list) {
      const first = ranked
        .slice(0, 3)
        .map((c) => `${c.film.title} (${c.film.year ?? "?"}) ${c.score.toFixed(3)}`)
        .join(" | ");
      misses.push(
        `  "${typed}" -> ${title} (${year}): rank ${rank < 0 ? "not in the first 10" : rank + 1}; first: ${first}`,
      );
    }
  }
  const pct = (n: number) => `${((100 * n) / present).toFixed(1)} %`;
  console.log(
    `${label}: ${catalog.length} films; ${present} of ${QUERIES.length} queries' films present; ` +
      `hits@1 ${hits1}/${present} = ${pct(hits1)} (target >= 85 %: ${hits1 / present >= 0.85 ? "met" : "NOT met"}), ` +
      `hits@3 ${hits3}/${present} = ${pct(hits3)} (target >= 97 %: ${hits3 / present >= 0.97 ? "met" : "NOT met"})`,
  );
  for (const line of misses) console.log(line);
};

const aliasCache = new WeakMap<ReadonlyArray<CatalogEntry>, Map<string, CatalogEntry>>();
const aliasesOf = (catalog: ReadonlyArray<CatalogEntry>, id: string) => {
  let byId = aliasCache.get(catalog);
  if (byId === undefined) {
    byId = new Map(catalog.map((e) => [e.film.movie_id, e]));
    aliasCache.set(catalog, byId);
  }
  const aliases = byId.get(id)?.aliases;
  return aliases === undefined ? {} : { aliases };
};

const demo = await loadVegaCatalog();
evaluate("demo catalog (vega-datasets)", demo.entries);
evaluate("imported IMDB-1000 + MovieLens", await importedCatalog());

import { runCatalogImport } from "./command.ts";
import { mongoCatalogLayer } from "./mongo.ts";

export { CATALOG_IMPORT_USAGE, type CatalogImportIO, runCatalogImport } from "./command.ts";
export { mongoCatalogLayer } from "./mongo.ts";
// The readers and the merge are pure (text in, films and problems out): exported for the tests tier.
export { csvTable, decodeUtf8, parseCsv } from "./csv.ts";
export { readImdbCsv } from "./imdb.ts";
export { mergeCatalogs, mergeEntries } from "./merge.ts";
export { readMovieLensLinks, readMovieLensMovies } from "./movielens.ts";

/** `cinematch catalog import ...` as the CLI's dispatcher runs it: process env and streams, MongoDB. */
export const catalogImportMain = (argv: ReadonlyArray<string>): Promise<number> =>
  runCatalogImport(argv, {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    catalogLayer: mongoCatalogLayer,
  });

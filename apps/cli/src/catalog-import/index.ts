import { runCatalogImport } from "./command.ts";
import { mongoCatalogLayer } from "./mongo.ts";

export { CATALOG_IMPORT_USAGE, type CatalogImportIO, runCatalogImport } from "./command.ts";
export { mongoCatalogLayer } from "./mongo.ts";

/** `cinematch catalog import ...` as the CLI's dispatcher runs it: process env and streams, MongoDB. */
export const catalogImportMain = (argv: ReadonlyArray<string>): Promise<number> =>
  runCatalogImport(argv, {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    catalogLayer: mongoCatalogLayer,
  });

export { CATALOG_IMPORT_USAGE, type CatalogImportIO, runCatalogImport } from "./command.ts";

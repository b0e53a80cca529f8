import { CatalogStoreMongo, MongoDatabaseLive } from "@cinematch/adapters/mongo";
import { Layer } from "effect";

/** The catalog in the MongoDB at `url` (the database is the URL's path), as `catalog import` writes it. */
export const mongoCatalogLayer = (url: string) =>
  CatalogStoreMongo.pipe(Layer.provide(MongoDatabaseLive(url, { appName: "cinematch-cli" })));

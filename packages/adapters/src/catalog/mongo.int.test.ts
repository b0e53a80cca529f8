import { Layer } from "effect";
import { MongoDatabaseFresh } from "../mongo/test-support.ts";
import { catalogStoreContract } from "./CatalogStore.contract.ts";
import { CatalogStoreMongo } from "./mongo.ts";

catalogStoreContract("MongoDB wire (FerretDB in the int tier)", () =>
  CatalogStoreMongo.pipe(Layer.provide(MongoDatabaseFresh("catalog"))),
);

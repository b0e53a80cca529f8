import { Layer } from "effect";
import { layerMongoDatabaseFresh } from "../mongo/test-support.ts";
import { WatchlistStoreMongo } from "./mongo.ts";
import { watchlistStoreContract } from "./WatchlistStore.contract.ts";

watchlistStoreContract("MongoDB wire (FerretDB in the int tier)", () =>
  WatchlistStoreMongo.pipe(Layer.provide(layerMongoDatabaseFresh("watchlist"))),
);

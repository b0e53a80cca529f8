import { Layer } from "effect";
import { MongoDatabaseFresh } from "../mongo/test-support.ts";
import { WatchlistStoreMongo } from "./mongo.ts";
import { watchlistStoreContract } from "./WatchlistStore.contract.ts";

watchlistStoreContract("MongoDB wire (FerretDB in the int tier)", () =>
  WatchlistStoreMongo.pipe(Layer.provide(MongoDatabaseFresh("watchlist"))),
);

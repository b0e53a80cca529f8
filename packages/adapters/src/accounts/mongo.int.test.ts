import { Layer } from "effect";
import { MongoDatabaseFresh } from "../mongo/test-support.ts";
import { accountsStoreContract } from "./AccountsStore.contract.ts";
import { AccountsStoreMongo } from "./mongo.ts";

accountsStoreContract("MongoDB wire (FerretDB in the int tier)", () =>
  AccountsStoreMongo.pipe(Layer.provide(MongoDatabaseFresh("accounts"))),
);

import { Layer } from "effect";
import { MongoDatabaseFresh } from "../mongo/test-support.ts";
import { importJobsStoreContract } from "./ImportJobsStore.contract.ts";
import { ImportJobsStoreMongo } from "./mongo.ts";

importJobsStoreContract("MongoDB wire (FerretDB in the int tier)", () =>
  ImportJobsStoreMongo.pipe(Layer.provide(MongoDatabaseFresh("imports"))),
);

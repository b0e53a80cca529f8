import { Effect, Layer } from "effect";
import { requireEnv, uniqueName } from "../test-support.ts";
import { MongoDatabase } from "./MongoDatabase.ts";
import { type MongoDatabaseOptions, makeMongoDatabase } from "./layer.ts";

/**
 * A `MongoDatabase` on a database of its own (`<prefix>_<time>_<random>`) on the int tier's server
 * (`MONGODB_URL`, required: fails loudly when unset), dropped when the layer's scope closes.
 */
export const MongoDatabaseFresh = (
  prefix: string,
  options: Omit<MongoDatabaseOptions, "databaseName"> = {},
) =>
  Layer.scoped(
    MongoDatabase,
    Effect.gen(function* () {
      const url = requireEnv("MONGODB_URL");
      const databaseName = uniqueName(prefix).replaceAll("-", "_");
      const database = yield* makeMongoDatabase(url, { ...options, databaseName });
      // Registered after the client's own release, so it runs first, while the client is open.
      yield* Effect.addFinalizer(() =>
        Effect.promise(() => database.db.dropDatabase().catch(() => undefined)),
      );
      return database;
    }),
  );

import { MongoDatabaseLive, WatchlistStoreMongo } from "@cinematch/adapters/mongo";
import { USER_MOVIE_EVENTS_TOPIC } from "@cinematch/domain";
import { Effect, Layer } from "effect";
import { brokerList, serverSetting } from "../command-line/servers.ts";
import { type CatalogImportIO, runCatalogImport } from "./command.ts";
import { runCatalogDedupe } from "./dedupe.ts";
import { mongoCatalogLayer } from "./mongo.ts";

export { applyToCatalog, type CatalogApplied } from "./apply.ts";
export { CATALOG_IMPORT_USAGE, type CatalogImportIO, runCatalogImport } from "./command.ts";
export { CATALOG_DEDUPE_USAGE, runCatalogDedupe } from "./dedupe.ts";
export { mongoCatalogLayer } from "./mongo.ts";
// The readers and the merge are pure (text in, films and problems out): exported for the tests tier.
export { readImdbCsv } from "./imdb.ts";
export { mergeCatalogs, mergeEntries } from "./merge.ts";
export { readMovieLensLinks, readMovieLensMovies } from "./movielens.ts";

/**
 * The real stores behind both catalog commands: the catalog and watchlists in MongoDB, and the one
 * write path (entry + outbox, then Kafka) for moving entries of merged films.
 */
export const processCatalogIO = (env: CatalogImportIO["env"]): CatalogImportIO => ({
  env,
  stdout: process.stdout,
  stderr: process.stderr,
  catalogLayer: mongoCatalogLayer,
  watchlistLayer: (url) =>
    WatchlistStoreMongo.pipe(Layer.provide(MongoDatabaseLive(url, { appName: "cinematch-cli" }))),
  commandsLayer: (url) => {
    const kafka = serverSetting(undefined, env, "KAFKA_BOOTSTRAP_SERVERS");
    if (!kafka)
      return "no Kafka is known (set KAFKA_BOOTSTRAP_SERVERS, or start the stack with `npm run stack:up`)";
    // Loaded only when entries must move: the Kafka client is heavy for a command that mostly does not need it.
    return Layer.unwrapEffect(
      Effect.map(
        Effect.promise(() => import("../replay/via-topic.ts")),
        ({ topicCommandsLayer }) =>
          topicCommandsLayer({
            mongoUrl: url,
            brokers: brokerList(kafka),
            topic: env.CINEMATCH_EVENTS_TOPIC ?? USER_MOVIE_EVENTS_TOPIC,
            partitions: Number(env.CINEMATCH_EVENTS_PARTITIONS ?? "6") || 6,
          }),
      ),
    );
  },
});

/** `cinematch catalog import ...` as the CLI's dispatcher runs it: process env and streams, MongoDB. */
export const catalogImportMain = (argv: ReadonlyArray<string>): Promise<number> =>
  runCatalogImport(argv, processCatalogIO(process.env));

/** `cinematch catalog dedupe ...`. */
export const catalogDedupeMain = (argv: ReadonlyArray<string>): Promise<number> =>
  runCatalogDedupe(argv, processCatalogIO(process.env));
export { decodeUtf8 } from "./utf8.ts";

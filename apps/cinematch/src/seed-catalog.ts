#!/usr/bin/env node
/**
 * `node apps/cinematch/src/seed-catalog.ts`: loads the demo catalog (vega-datasets) into the MongoDB
 * of `MONGODB_URL` when its catalog is empty, so the real stack (`npm run stack:up`) has films to
 * search from the first minute. A catalog that has films is left alone (import a real one with
 * `npx cinematch catalog import`). Exit status 0 when the catalog has films afterwards.
 */
import { CatalogStore } from "@cinematch/adapters";
import { CatalogStoreMongo, MongoDatabaseLiveFromEnv } from "@cinematch/adapters/mongo";
import { Effect, Layer } from "effect";
import { describeVegaReport, loadVegaCatalog } from "./demo-catalog/vega.ts";

/** 50 films per bulk write: FerretDB 1.24 never answers an update command of about 100 or more. */
const CHUNK = 50;

const program = Effect.gen(function* () {
  const catalog = yield* CatalogStore;
  const count = yield* catalog.count;
  if (count > 0) {
    process.stderr.write(`seed-catalog: the catalog already has ${count} films; leaving it alone\n`);
    return;
  }
  const demo = yield* Effect.promise(() => loadVegaCatalog());
  const started = Date.now();
  for (let at = 0; at < demo.entries.length; at += CHUNK) {
    yield* catalog.upsertMany(demo.entries.slice(at, at + CHUNK));
  }
  process.stderr.write(
    `seed-catalog: loaded ${describeVegaReport(demo.report)} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
});

const exit = await Effect.runPromiseExit(
  Effect.scoped(
    program.pipe(
      Effect.provide(
        CatalogStoreMongo.pipe(Layer.provide(MongoDatabaseLiveFromEnv({ appName: "seed-catalog" }))),
      ),
    ),
  ),
);
if (exit._tag === "Failure") {
  process.stderr.write(`seed-catalog: failed: ${String(exit.cause)}\n`);
  process.exit(1);
}

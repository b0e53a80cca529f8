#!/usr/bin/env node
/**
 * `node apps/cinematch/src/seed-catalog.ts`: loads the demo catalog (vega-datasets) into the MongoDB
 * of `MONGODB_URL`, so the real stack (`npm run stack:up`) has films to search from the first
 * minute. Like every import it matches the demo films against the catalog already stored: a film
 * imported before (from MovieLens or IMDB) gains the demo's details and keeps its entry, so running
 * it again, before or after `npx cinematch catalog import`, never makes a second entry. Exit status
 * 0 when the catalog has films afterwards.
 */
import { CatalogStore, writeCatalogChanges } from "@cinematch/adapters";
import { CatalogStoreMongo, MongoDatabaseLiveFromEnv } from "@cinematch/adapters/mongo";
import { reconcileCatalog } from "@cinematch/domain";
import { Effect, Layer } from "effect";
import { describeVegaReport, loadVegaCatalog } from "./demo-catalog/vega.ts";

const program = Effect.gen(function* () {
  const catalog = yield* CatalogStore;
  const stored = yield* catalog.all;
  const demo = yield* Effect.promise(() => loadVegaCatalog());
  const started = Date.now();
  const result = reconcileCatalog(stored, demo.entries);
  // The demo catalog never outranks a stored source, so it merges nothing away by itself; duplicates
  // already stored are `cinematch catalog dedupe`'s to repair, since their users' entries must move.
  const changed = result.retired.length === 0 ? result.changed : changedWithoutRetiring(result);
  const written = yield* writeCatalogChanges(changed);
  process.stderr.write(
    `seed-catalog: ${describeVegaReport(demo.report)}: ${result.added} new, ${result.matched_stored} already ` +
      `in the catalog (${written.updated} of those completed), ${stored.length} -> ${stored.length + result.added} films ` +
      `in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  if (result.retired.length > 0) {
    process.stderr.write(
      `seed-catalog: the catalog holds ${result.retired.length} films twice; run \`npx cinematch catalog dedupe\`\n`,
    );
  }
});

/** The changes that do not touch a group with a stored duplicate (those wait for `catalog dedupe`). */
const changedWithoutRetiring = (result: ReturnType<typeof reconcileCatalog>) => {
  const touched = new Set(result.retired.map((r) => r.into));
  return result.changed.filter((entry) => !touched.has(entry.film.movie_id));
};

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

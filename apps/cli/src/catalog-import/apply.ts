import {
  CatalogStore,
  entriesOfRetiredFilms,
  filmsById,
  moveMergedEntries,
  removeRetiredFilms,
  writeCatalogChanges,
} from "@cinematch/adapters";
import { type CatalogRecord, type Reconciliation, reconcileCatalog } from "@cinematch/domain";
import { Effect } from "effect";
import type { CatalogImportIO } from "./command.ts";
import type { makeProgress } from "./progress.ts";

/** What a run did to the stored catalog. */
export interface CatalogApplied {
  readonly before: number;
  readonly after: number;
  /** Films new to the catalog. */
  readonly added: number;
  /** Incoming films the catalog already had. */
  readonly matched_stored: number;
  readonly inserted: number;
  readonly updated: number;
  /** Stored entries that were the same film as another and were merged into it. */
  readonly merged_away: ReadonlyArray<{
    readonly from: string;
    readonly into: string;
    readonly title: string;
  }>;
  readonly moved: number;
  readonly folded: number;
}

export type ApplyOutcome =
  | { readonly _tag: "Done"; readonly applied: CatalogApplied }
  | { readonly _tag: "Failed"; readonly message: string };

const errorText = (error: unknown): string =>
  typeof error === "object" && error !== null && "message" in error
    ? String((error as { message: unknown }).message)
    : String(error);

type Progress = ReturnType<typeof makeProgress>;

/**
 * Reads the stored catalog, reconciles `incoming` with it (`[]` repairs duplicates), and carries the
 * result out: merged films written, watchlist entries of merged-away films moved through the event
 * path, merged-away films removed. With `dryRun` it only reads and says what it would do.
 */
export const applyToCatalog = async (
  incoming: ReadonlyArray<CatalogRecord>,
  mongoUrl: string,
  io: Pick<CatalogImportIO, "catalogLayer" | "watchlistLayer" | "commandsLayer">,
  progress: Progress,
  dryRun = false,
): Promise<ApplyOutcome> => {
  // 1. Reconcile and write the merged films.
  const planned = await Effect.runPromise(
    Effect.either(
      Effect.scoped(
        Effect.gen(function* () {
          const catalog = yield* CatalogStore;
          const stored = yield* catalog.all;
          progress.start("matching against the stored catalog", 1);
          const result = reconcileCatalog(stored, incoming);
          progress.finish();
          if (dryRun) return { stored: stored.length, result, written: { inserted: 0, updated: 0 } };
          progress.start("writing the catalog", result.changed.length);
          const written = yield* writeCatalogChanges(result.changed, progress.update);
          progress.finish();
          return { stored: stored.length, result, written };
        }).pipe(Effect.provide(io.catalogLayer(mongoUrl))),
      ),
    ),
  );
  if (planned._tag === "Left")
    return { _tag: "Failed", message: `the database failed: ${errorText(planned.left)}` };
  const { stored, result, written } = planned.right;
  const base = {
    before: stored,
    after: result.entries.length,
    added: result.added,
    matched_stored: result.matched_stored,
    ...written,
    merged_away: describeRetired(result),
    moved: 0,
    folded: 0,
  };
  if (result.retired.length === 0) return { _tag: "Done", applied: base };

  // 2. Move the watchlist entries of merged-away films, then drop those films.
  if (io.watchlistLayer === undefined) {
    return { _tag: "Failed", message: "no watchlist store to move the entries of merged films with" };
  }
  const entries = await Effect.runPromise(
    Effect.either(
      Effect.scoped(entriesOfRetiredFilms(result.retired).pipe(Effect.provide(io.watchlistLayer(mongoUrl)))),
    ),
  );
  if (entries._tag === "Left")
    return { _tag: "Failed", message: `the database failed: ${errorText(entries.left)}` };
  if (dryRun) return { _tag: "Done", applied: { ...base, moved: entries.right.length } };
  let moved = { moved: 0, folded: 0 };
  if (entries.right.length > 0) {
    const commands = io.commandsLayer?.(mongoUrl) ?? "no write path is configured";
    if (typeof commands === "string") {
      return {
        _tag: "Failed",
        message:
          `${entries.right.length} watchlist entries hold films merged into others and must move through ` +
          `the event path, but ${commands}; the merged films are written, the old entries stay until you run it again`,
      };
    }
    progress.start("moving watchlist entries of merged films", entries.right.length);
    const outcome = await Effect.runPromise(
      Effect.either(
        Effect.scoped(
          moveMergedEntries(entries.right, result.retired, filmsById(result)).pipe(Effect.provide(commands)),
        ),
      ),
    );
    progress.finish();
    if (outcome._tag === "Left")
      return { _tag: "Failed", message: `moving entries failed: ${errorText(outcome.left)}` };
    moved = outcome.right;
  }
  const removed = await Effect.runPromise(
    Effect.either(
      Effect.scoped(removeRetiredFilms(result.retired).pipe(Effect.provide(io.catalogLayer(mongoUrl)))),
    ),
  );
  if (removed._tag === "Left")
    return { _tag: "Failed", message: `the database failed: ${errorText(removed.left)}` };
  return { _tag: "Done", applied: { ...base, ...moved } };
};

const describeRetired = (result: Reconciliation): CatalogApplied["merged_away"] => {
  const titles = new Map(result.entries.map((e) => [e.film.movie_id, e.film.title]));
  return result.retired.map((r) => ({ ...r, title: titles.get(r.into) ?? r.into }));
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Summary lines shared by `catalog import` and `catalog dedupe`. */
export const describeApplied = (
  applied: CatalogApplied,
  where: string,
  dryRun = false,
): ReadonlyArray<string> => {
  const lines = [
    `  catalog entries:        ${applied.after} (was ${applied.before}: ${applied.added} new films, ${applied.matched_stored} already there by id or title)`,
  ];
  if (applied.merged_away.length > 0) {
    lines.push(
      `  merged away:            ${plural(applied.merged_away.length, "duplicate entry", "duplicate entries")}` +
        (dryRun
          ? ` (${plural(applied.moved, "watchlist entry", "watchlist entries")} would move)`
          : ` (${plural(applied.moved, "watchlist entry", "watchlist entries")} moved, ${applied.folded} folded into a copy the user already had)`),
    );
  }
  lines.push(
    dryRun
      ? "  written:                nothing (--dry-run)"
      : `  written:                ${applied.inserted} new, ${applied.updated} updated, into ${where}`,
  );
  return lines;
};

import {
  type EventLogService,
  type LogPosition,
  type StoredEntry,
  type TrendsStateStoreService,
  type WatchlistStoreService,
  watchlistEntryKey,
} from "@cinematch/adapters";
import { compareOffsets, startBootstrap, takeChanges, type TrendConfig } from "@cinematch/domain";
import { Clock, Duration, Effect, Option } from "effect";
import type { TrendsRunnerConfig } from "../config.ts";
import type { Counters } from "./partitions.ts";
import { makeSharedRead } from "./shared-read.ts";

/**
 * Bootstrap: a partition with no complete checkpoint gets its state computed from the stored
 * entries, together with the log position from which streaming continues (see runner.ts' header).
 */
export interface BootstrapDeps {
  readonly config: TrendsRunnerConfig;
  readonly trendConfig: TrendConfig;
  readonly log: EventLogService;
  readonly watchlist: WatchlistStoreService;
  readonly store: TrendsStateStoreService;
  readonly counters: Counters;
}

const isUnsettled = (stored: StoredEntry): boolean =>
  Option.isNone(stored.add_position) || (stored.removed && Option.isNone(stored.delete_position));

export const makeBootstrap = ({ config, trendConfig, log, watchlist, store, counters }: BootstrapDeps) => {
  /**
   * The stored entries, once every publication before now has its position recorded (or the wait is
   * over); partitions bootstrapping at once share one read that began after each asked.
   */
  const settledEntries = makeSharedRead(
    Effect.gen(function* () {
      const first = yield* watchlist.entriesAddedSince(0);
      const unsettled = new Set(
        first.filter(isUnsettled).map((s) => watchlistEntryKey(s.entry.user_id, s.entry.movie.movie_id)),
      );
      if (unsettled.size === 0) return first;
      const deadline = (yield* Clock.currentTimeMillis) + config.bootstrapPendingWaitMs;
      const page = 10_000;
      while ((yield* Clock.currentTimeMillis) < deadline) {
        const pending = yield* watchlist.pendingEvents(page);
        const stillPending =
          pending.length >= page || pending.some((outbox) => unsettled.has(outbox.entry_key));
        if (!stillPending) break;
        yield* Effect.sleep(Duration.millis(100));
      }
      // Read again: entries published meanwhile now carry their positions.
      return yield* watchlist.entriesAddedSince(0);
    }),
  );

  /**
   * Builds and saves the state of a partition from the stored entries, under the owner's `epoch`:
   * what older epochs wrote is cleared first (only that: a superseded owner bootstrapping late cannot
   * delete its successor's state), and the checkpoint, written last, starts a lineage of that epoch.
   */
  return (partition: number, epoch: number) =>
    Effect.gen(function* () {
      yield* Effect.logInfo("trends bootstrap started").pipe(Effect.annotateLogs({ partition, epoch }));
      yield* store.clearPartition(partition, epoch);
      // Start position FIRST: where the group will resume (its committed offset), else the log's end.
      const end = (yield* log.endOffsets(config.topic)).find((p) => p.partition === partition);
      if (end === undefined)
        return yield* Effect.dieMessage(`partition ${partition} is not in ${config.topic}`);
      const resume = (yield* log.committedOffsets(config.groupId, config.topic)).find(
        (p) => p.partition === partition,
      )?.offset;
      const start: LogPosition =
        resume !== undefined && compareOffsets(resume, end.offset) <= 0 ? { partition, offset: resume } : end;
      const entries = yield* settledEntries;
      const now = yield* Clock.currentTimeMillis;
      const builder = startBootstrap([start], now, trendConfig);
      for (const entry of entries) builder.add(entry);
      const state = builder.states()[0]!;
      const changes = takeChanges(state);
      yield* Effect.logInfo("trends bootstrap writing its state").pipe(
        Effect.annotateLogs({ partition, entries: entries.length, pieces: changes.upserts.length }),
      );
      yield* store.writePieces(changes.upserts, [], epoch);
      counters.pieces_written += changes.upserts.length;
      // Only now is the bootstrap complete: a crash before this line bootstraps again.
      yield* store.putCheckpoints([
        { checkpoint: changes.checkpoint, bootstrap_complete: true, epoch, base_epoch: epoch },
      ]);
      yield* Effect.logInfo("trends bootstrap complete").pipe(
        Effect.annotateLogs({
          partition,
          epoch,
          entries: entries.length,
          start: `${start.partition}:${start.offset}`,
          pieces: changes.upserts.length,
        }),
      );
      return state;
    });
};

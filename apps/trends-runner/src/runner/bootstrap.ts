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
import type { Counters, PartitionSlots } from "./partitions.ts";

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
  readonly slots: PartitionSlots;
  readonly counters: Counters;
}

const isUnsettled = (stored: StoredEntry): boolean =>
  Option.isNone(stored.add_position) || (stored.removed && Option.isNone(stored.delete_position));

export const makeBootstrap = ({
  config,
  trendConfig,
  log,
  watchlist,
  store,
  slots,
  counters,
}: BootstrapDeps) => {
  /** The stored entries, once every publication before now has its position recorded (or the wait is over). */
  const settledEntries = Effect.gen(function* () {
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
  });

  /** Builds and saves the state of these partitions from the stored entries. */
  return (partitions: ReadonlyArray<number>) =>
    Effect.gen(function* () {
      yield* Effect.logInfo("trends bootstrap started").pipe(Effect.annotateLogs({ partitions }));
      for (const partition of partitions) yield* store.clearPartition(partition);
      // Start positions FIRST: where the group will resume (its committed offset), else the log's end.
      const ends = yield* log.endOffsets(config.topic);
      const committed = new Map(
        (yield* log.committedOffsets(config.groupId, config.topic)).map((p) => [p.partition, p.offset]),
      );
      const starts: Array<LogPosition> = ends
        .filter((end) => partitions.includes(end.partition))
        .map((end) => {
          const resume = committed.get(end.partition);
          return resume !== undefined && compareOffsets(resume, end.offset) <= 0
            ? { partition: end.partition, offset: resume }
            : end;
        });
      const entries = yield* settledEntries;
      const now = yield* Clock.currentTimeMillis;
      const builder = startBootstrap(starts, now, trendConfig);
      for (const entry of entries) builder.add(entry);
      const states = builder.states();
      const changes = states.map((state) => takeChanges(state));
      const pieces = changes.reduce((n, c) => n + c.upserts.length, 0);
      yield* Effect.logInfo("trends bootstrap writing its state").pipe(
        Effect.annotateLogs({ entries: entries.length, pieces }),
      );
      yield* store.writePieces(
        changes.flatMap((c) => c.upserts),
        [],
      );
      counters.pieces_written += pieces;
      // Only now is the bootstrap complete: a crash before this line bootstraps again.
      yield* store.putCheckpoints(
        changes.map((c) => ({ checkpoint: c.checkpoint, bootstrap_complete: true })),
      );
      for (const state of states) {
        const slot = slots.slotOf(state.partition);
        slot.state = state;
        slot.savedOffset = state.applied_offset;
        slot.needsReload = false;
      }
      counters.bootstraps += 1;
      yield* Effect.logInfo("trends bootstrap complete").pipe(
        Effect.annotateLogs({
          partitions,
          entries: entries.length,
          starts: starts.map((s) => `${s.partition}:${s.offset}`).join(","),
          pieces,
        }),
      );
    });
};

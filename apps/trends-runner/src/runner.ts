import {
  type EventLogError,
  consumeDecoded,
  EventLog,
  GlobalStatsStore,
  type LogPosition,
  type MongoError,
  type StoredEntry,
  TrendsStateStore,
  WatchlistStore,
  watchlistEntryKey,
} from "@cinematch/adapters";
import {
  applyEvents,
  compareOffsets,
  type GlobalStatsDocument,
  globalStatsDocument,
  jsonDecoderFor,
  type PartitionTrendState,
  type PositionedEvent,
  startBootstrap,
  TREND_WINDOWS,
  type TrendChanges,
  type TrendConfig,
  fromPieces,
  takeChanges,
  utcDayOf,
  WatchlistEvent,
} from "@cinematch/domain";
import { Clock, Duration, Effect, Layer, Option, Queue, Schedule, type Scope } from "effect";
import { defaultTrendsRunnerConfig, type TrendsRunnerConfig } from "./config.ts";

/**
 * The trends runner: community trends (7d, 30d, all-time) from the watchlist events, exactly once
 * in effect, without transactions.
 *
 * STATE. One `PartitionTrendState` per log partition (the domain's reducers), saved as bounded
 * documents (`TrendsStateStore`): a piece per (partition, film) carrying the offset applied to that
 * film and its recent event ids, and a checkpoint per partition. The consumer group's committed
 * offset is only a hint: every record at or below a partition's applied offset is skipped (by
 * `applyEvents`), and a republished event (same id, later offset) is dropped within the dedup horizon.
 *
 * SAVING A BATCH. Apply in memory → write the changed pieces (a bulk write that may stop half-way)
 * → write the checkpoint → return, which commits the group offset. A crash:
 * - mid pieces: some pieces are ahead of the checkpoint; after the restart every film skips the
 *   events it already holds (its own applied offset) and the others apply them;
 * - between the checkpoint and the offset commit: the batch comes again and is skipped;
 * - after the commit: nothing to redo.
 * A failed write (not a crash) marks the partition for a reload from the store before its next
 * batch: the same path as a restart.
 *
 * BOOTSTRAP (a partition with no complete checkpoint): its old pieces are deleted, then the start
 * positions are taken FIRST (where the consumer group will resume: its committed offset, or the
 * log's end), then the stored entries are read — ALL of them, tombstones included, because the
 * all-time window counts every entry still in a watchlist (the 7d/30d windows only need the last
 * `retentionDays`; one full read at bootstrap is the price of an exact all-time count) — waiting
 * up to `bootstrapPendingWaitMs` for entries whose events were published but whose positions are
 * not yet recorded. An entry counts iff its ADD landed before the start position and no DELETE did
 * (the domain's `startBootstrap`). All pieces are written, THEN the checkpoints marked complete;
 * a crash before that leaves "pieces without a complete checkpoint", which the next start clears
 * and bootstraps again. `global_stats` is then written with `source: "bootstrap"`.
 *
 * OUTPUT. After each applied batch (debounced by `outputDebounceMs`) and whenever the UTC day
 * changes with no event, `global_stats` gets one document per window, ranked over the SUM of every
 * partition's counts. Partitions another instance of the group advanced (their saved checkpoint
 * is ahead of the state in memory) are reloaded from the store first, so the output always merges
 * every partition: one small read of the checkpoints per output, plus the pieces of a partition
 * only when it moved elsewhere.
 *
 * Assumed: one bootstrapping instance at a time (start the first instance alone after wiping the
 * state); see the README.
 */
export interface TrendsRunnerCounters {
  readonly batches: number;
  readonly events_applied: number;
  readonly dead_lettered: number;
  readonly pieces_written: number;
  readonly outputs_written: number;
  readonly bootstraps: number;
  readonly reloads: number;
  readonly write_failures: number;
}

export interface TrendsRunnerHandle {
  readonly counters: Effect.Effect<TrendsRunnerCounters>;
  /** The partitions' states as they are in memory (a copy is not made: read, don't keep). */
  readonly states: Effect.Effect<ReadonlyArray<PartitionTrendState>>;
  /** Writes `global_stats` now (tests, and the embedded composition's demo). */
  readonly writeOutput: Effect.Effect<void, MongoError | EventLogError>;
}

interface Slot {
  readonly partition: number;
  state: PartitionTrendState | undefined;
  /** The applied offset of the last checkpoint this process wrote or loaded. */
  savedOffset: string;
  needsReload: boolean;
  readonly lock: Effect.Semaphore;
}

type Deps = EventLog | WatchlistStore | TrendsStateStore | GlobalStatsStore;

const decodeEvent = jsonDecoderFor(WatchlistEvent, "watchlist event");

const isUnsettled = (stored: StoredEntry): boolean =>
  Option.isNone(stored.add_position) || (stored.removed && Option.isNone(stored.delete_position));

export const startTrendsRunner = (
  config: TrendsRunnerConfig = defaultTrendsRunnerConfig,
): Effect.Effect<TrendsRunnerHandle, EventLogError | MongoError, Deps | Scope.Scope> =>
  Effect.gen(function* () {
    const log = yield* EventLog;
    const watchlist = yield* WatchlistStore;
    const store = yield* TrendsStateStore;
    const output = yield* GlobalStatsStore;
    const trendConfig: TrendConfig = {
      retention_days: config.retentionDays,
      dedup_horizon_ms: config.dedupHorizonMs,
    };
    const counters = {
      batches: 0,
      events_applied: 0,
      dead_lettered: 0,
      pieces_written: 0,
      outputs_written: 0,
      bootstraps: 0,
      reloads: 0,
      write_failures: 0,
    };
    const slots = new Map<number, Slot>();
    const slotOf = (partition: number): Slot => {
      let slot = slots.get(partition);
      if (slot === undefined) {
        slot = {
          partition,
          state: undefined,
          savedOffset: "-1",
          needsReload: false,
          lock: Effect.unsafeMakeSemaphore(1),
        };
        slots.set(partition, slot);
      }
      return slot;
    };

    // The API's publisher creates the topic too; one that exists with another partition count is fine.
    yield* log
      .ensureTopic(config.topic, config.partitions)
      .pipe(Effect.catchAll((error) => Effect.logDebug("ensureTopic", error.message)));

    /** Writes a partition's changes: pieces first, THEN the checkpoint. */
    const save = (changes: TrendChanges) =>
      Effect.gen(function* () {
        const partition = changes.checkpoint.partition;
        yield* store.writePieces(
          changes.upserts,
          changes.removals.map((movie_id) => ({ partition, movie_id })),
        );
        counters.pieces_written += changes.upserts.length + changes.removals.length;
        yield* store.putCheckpoints([{ checkpoint: changes.checkpoint, bootstrap_complete: true }]);
      });

    /** Rebuilds a partition's state from its saved checkpoint and pieces (caller holds the lock). */
    const load = (slot: Slot) =>
      Effect.gen(function* () {
        const saved = yield* store.checkpointOf(slot.partition);
        if (Option.isNone(saved) || !saved.value.bootstrap_complete) {
          // Cleared or never bootstrapped (a partition added to the topic later): bootstrap it.
          yield* bootstrap([slot.partition]);
          return;
        }
        const pieces = yield* store.piecesOf(slot.partition);
        slot.state = fromPieces(saved.value.checkpoint, pieces, trendConfig);
        slot.savedOffset = saved.value.checkpoint.applied_offset;
        slot.needsReload = false;
        counters.reloads += 1;
      });

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

    /** Builds and saves the state of these partitions from the stored entries (see the header). */
    const bootstrap = (partitions: ReadonlyArray<number>) =>
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
        yield* Effect.logInfo("trends bootstrap writing its state").pipe(
          Effect.annotateLogs({
            entries: entries.length,
            pieces: changes.reduce((n, c) => n + c.upserts.length, 0),
          }),
        );
        yield* store.writePieces(
          changes.flatMap((c) => c.upserts),
          [],
        );
        counters.pieces_written += changes.reduce((n, c) => n + c.upserts.length, 0);
        // Only now is the bootstrap complete: a crash before this line bootstraps again.
        yield* store.putCheckpoints(
          changes.map((c) => ({ checkpoint: c.checkpoint, bootstrap_complete: true })),
        );
        for (const state of states) {
          const slot = slotOf(state.partition);
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
            pieces: changes.reduce((n, c) => n + c.upserts.length, 0),
          }),
        );
      });

    // ---- output -------------------------------------------------------------------------------

    let lastOutputDay = Number.NaN;
    const dirty = yield* Queue.sliding<void>(1);
    const signalOutput = Queue.offer(dirty, undefined);

    /** Reloads partitions another instance advanced, so the output merges every partition. */
    const refreshForeignPartitions = Effect.gen(function* () {
      const saved = yield* store.checkpoints;
      for (const { checkpoint, bootstrap_complete } of saved) {
        if (!bootstrap_complete) continue;
        const slot = slotOf(checkpoint.partition);
        const behind = () =>
          slot.state === undefined || compareOffsets(checkpoint.applied_offset, slot.savedOffset) > 0;
        if (!behind()) continue;
        yield* slot.lock.withPermits(1)(
          Effect.gen(function* () {
            const again = yield* store.checkpointOf(slot.partition);
            if (
              Option.isSome(again) &&
              (slot.state === undefined ||
                compareOffsets(again.value.checkpoint.applied_offset, slot.savedOffset) > 0)
            ) {
              yield* load(slot);
            }
          }),
        );
      }
    });

    const outputDocuments = (source: GlobalStatsDocument["source"], now: number) => {
      const states = [...slots.values()]
        .sort((a, b) => a.partition - b.partition)
        .flatMap((slot) => (slot.state === undefined ? [] : [slot.state]));
      return TREND_WINDOWS.map((window) => globalStatsDocument(states, window, now, source));
    };

    const writeOutputAs = (source: GlobalStatsDocument["source"]) =>
      Effect.gen(function* () {
        if (config.verifyOwnership) yield* refreshForeignPartitions;
        const now = yield* Clock.currentTimeMillis;
        yield* output.putMany(outputDocuments(source, now));
        lastOutputDay = utcDayOf(now);
        counters.outputs_written += 1;
      });

    // ---- startup --------------------------------------------------------------------------------

    const partitions = (yield* log.endOffsets(config.topic)).map((p) => p.partition);
    const saved = yield* store.checkpoints;
    const complete = new Set(saved.filter((c) => c.bootstrap_complete).map((c) => c.checkpoint.partition));
    const missing = partitions.filter((p) => !complete.has(p));
    if (missing.length > 0) yield* bootstrap(missing);
    // Every other partition from its saved state, in one read of the pieces.
    const toLoad = partitions.filter((partition) => slotOf(partition).state === undefined);
    if (toLoad.length > 0) {
      const byPartition = yield* store.piecesOfPartitions(toLoad);
      const savedByPartition = new Map(saved.map((c) => [c.checkpoint.partition, c.checkpoint]));
      for (const partition of toLoad) {
        const slot = slotOf(partition);
        const checkpoint = savedByPartition.get(partition);
        if (checkpoint === undefined) yield* slot.lock.withPermits(1)(load(slot));
        else {
          slot.state = fromPieces(checkpoint, byPartition.get(partition) ?? [], trendConfig);
          slot.savedOffset = checkpoint.applied_offset;
        }
      }
    }
    yield* writeOutputAs(missing.length > 0 ? "bootstrap" : "streaming_incremental");

    const outputLoop = Effect.gen(function* () {
      yield* Queue.take(dirty);
      if (config.outputDebounceMs > 0) yield* Effect.sleep(Duration.millis(config.outputDebounceMs));
      yield* Queue.takeAll(dirty);
      yield* writeOutputAs("streaming_incremental").pipe(
        Effect.retry(
          Schedule.exponential(Duration.millis(100)).pipe(Schedule.union(Schedule.spaced("5 seconds"))),
        ),
      );
    }).pipe(Effect.forever);
    yield* Effect.forkScoped(outputLoop.pipe(Effect.annotateLogs({ runner: "trends" })));

    // The windows slide at UTC midnight: write the output then even if no event arrives.
    const slideLoop = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis;
      const untilMidnight = (utcDayOf(now) + 1) * 86_400_000 - now + 1;
      yield* Effect.sleep(Duration.millis(Math.max(1, Math.min(config.slideCheckMs, untilMidnight))));
      if (utcDayOf(yield* Clock.currentTimeMillis) !== lastOutputDay) yield* signalOutput;
    }).pipe(Effect.forever);
    yield* Effect.forkScoped(slideLoop);

    // ---- streaming ------------------------------------------------------------------------------

    yield* consumeDecoded({
      log,
      groupId: config.groupId,
      topic: config.topic,
      fromBeginning: true,
      decode: decodeEvent,
      handleBatch: (batch) => {
        const slot = slotOf(batch.partition);
        return slot.lock.withPermits(1)(
          Effect.gen(function* () {
            counters.dead_lettered += batch.deadLettered;
            if (slot.state === undefined || slot.needsReload) yield* load(slot);
            else if (config.verifyOwnership) {
              const current = yield* store.checkpointOf(slot.partition);
              if (
                Option.isNone(current) ||
                compareOffsets(current.value.checkpoint.applied_offset, slot.savedOffset) !== 0
              ) {
                yield* load(slot);
              }
            }
            const state = slot.state;
            if (state === undefined)
              return yield* Effect.dieMessage(`no trend state for partition ${slot.partition}`);
            const events: Array<PositionedEvent> = batch.records.map(({ record, value }) => ({
              offset: record.offset,
              event: value,
            }));
            const now = yield* Clock.currentTimeMillis;
            applyEvents(state, events, now);
            counters.batches += 1;
            counters.events_applied += events.length;
            yield* signalOutput;
            const changes = takeChanges(state);
            if (
              changes.upserts.length > 0 ||
              changes.removals.length > 0 ||
              changes.checkpoint.applied_offset !== slot.savedOffset
            ) {
              yield* save(changes).pipe(
                Effect.tapError(() =>
                  Effect.sync(() => {
                    slot.needsReload = true;
                    counters.write_failures += 1;
                  }),
                ),
              );
              slot.savedOffset = changes.checkpoint.applied_offset;
            }
          }),
        );
      },
    });
    yield* Effect.logInfo("trends runner consuming").pipe(
      Effect.annotateLogs({ topic: config.topic, groupId: config.groupId, partitions: partitions.length }),
    );

    return {
      counters: Effect.sync(() => ({ ...counters })),
      states: Effect.sync(() =>
        [...slots.values()]
          .sort((a, b) => a.partition - b.partition)
          .flatMap((slot) => (slot.state === undefined ? [] : [slot.state])),
      ),
      writeOutput: writeOutputAs("streaming_incremental"),
    };
  });

/**
 * The runner as a layer (for the one-process embedded composition): bootstraps when built, runs
 * until the layer's scope closes. Provide an `EventLog`, a `WatchlistStore`, a `TrendsStateStore`
 * and a `GlobalStatsStore` (in-memory or real).
 */
export const TrendsRunnerLive = (
  config: TrendsRunnerConfig = defaultTrendsRunnerConfig,
): Layer.Layer<never, EventLogError | MongoError, Deps> => Layer.scopedDiscard(startTrendsRunner(config));

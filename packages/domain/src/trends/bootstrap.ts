import { Option } from "effect";
import type { WatchedEntry } from "../schemas/entry.ts";
import { canonicalOffset, compareOffsets, previousOffset } from "./offsets.ts";
import { addToDay, advanceFloor } from "./day-buckets.ts";
import {
  DEFAULT_TREND_CONFIG,
  utcDayOf,
  markChanged,
  minuteOf,
  noteZeroed,
  type PartitionTrendState,
  PartitionState,
  type TrendConfig,
} from "./state.ts";
import { type FilmCell, makeFilmOf } from "./film-cell.ts";
import { cutoffMinute, rememberEvent } from "./recent-ids.ts";

/** A place in the log: partition and offset (decimal text). Same shape as the event-log port's. */
export interface TrendLogPosition {
  readonly partition: number;
  readonly offset: string;
}

/**
 * A stored watchlist entry as the bootstrap needs it: the same fields as the watchlist store's
 * `StoredEntry`, so its values can be passed as they are. A removed entry is a tombstone.
 */
export interface BootstrapEntry {
  readonly entry: WatchedEntry;
  readonly removed: boolean;
  /** Where the entry's ADD landed in the log (the last copy, when it was published twice); none until published. */
  readonly add_position: Option.Option<TrendLogPosition>;
  /** Where the entry's DELETE landed in the log; none until published (or when not removed). */
  readonly delete_position: Option.Option<TrendLogPosition>;
  /** The entry's ADD (its id and `occurred_at`), when known: a copy of it streamed later is dropped. */
  readonly add_event?: Option.Option<SeenEvent>;
  /** The entry's DELETE, when known (a tombstone): likewise. */
  readonly delete_event?: Option.Option<SeenEvent>;
}

/** An event the bootstrap counts as seen: its id and when it occurred. */
export interface SeenEvent {
  readonly event_id: string;
  readonly occurred_at: number;
}

/**
 * Builds one state per start position from the stored entries: the state of a partition that has
 * applied exactly the events before its start position. Stream each partition from its start
 * position on; the states say `applied_offset = start - 1`.
 *
 * An entry is counted (in its ADD's partition) iff its ADD landed before that partition's start
 * position and it is not removed by a DELETE that also landed before the start position of the
 * DELETE's partition. An entry whose ADD has no known position is not counted: its ADD will be
 * streamed. A tombstone whose DELETE has no known position is counted: its DELETE will be streamed.
 * Entries of partitions without a start position are someone else's and are ignored.
 *
 * Exact only when every event that landed before the start positions has its position recorded:
 * read the start positions (the log's end offsets) BEFORE the entries, and re-read the entries whose
 * ADD or DELETE is still pending until their positions are known (a published but not yet marked
 * event is in the log but looks unpublished). Pass ALL entries (tombstones too) for exact all-time
 * counts; entries older than the retention only count all-time.
 *
 * Also assumed, as the outbox publishes them: an entry's events land in one partition (they are
 * keyed by user) and in the entry's order (a republished ADD never lands after the entry's DELETE).
 *
 * The ADDs and DELETEs that landed before the start count as seen, as if streamed: their ids
 * (when the entry gives them) are remembered within the dedup horizon and the watermark is their
 * newest `occurred_at`. Why: a copy of one of them may land after the start (an event published
 * twice, whose entry still records the earlier position); without its id the state would count it
 * a second time.
 *
 * Every film of the result is pending (`takeChanges` gives them all).
 */
export const bootstrapPartitionStates = (
  entries: Iterable<BootstrapEntry>,
  startPositions: ReadonlyArray<TrendLogPosition>,
  now: number,
  config: TrendConfig = DEFAULT_TREND_CONFIG,
): ReadonlyArray<PartitionTrendState> => {
  const bootstrap = startBootstrap(startPositions, now, config);
  for (const stored of entries) bootstrap.add(stored);
  return bootstrap.states();
};

const isKnown = (event: Option.Option<SeenEvent> | undefined): boolean =>
  event !== undefined && Option.isSome(event);

export interface Bootstrap {
  /** Counts one stored entry (or not, by the rule of `bootstrapPartitionStates`). */
  readonly add: (stored: BootstrapEntry) => void;
  /** The states, one per start position, by partition. Call once, after the last `add`. */
  readonly states: () => ReadonlyArray<PartitionTrendState>;
}

/**
 * `bootstrapPartitionStates` one entry at a time, so a runner can feed a database cursor without
 * holding every entry in memory.
 */
export const startBootstrap = (
  startPositions: ReadonlyArray<TrendLogPosition>,
  now: number,
  config: TrendConfig = DEFAULT_TREND_CONFIG,
): Bootstrap => {
  const starts = new Map<number, string>();
  const states = new Map<number, PartitionState>();
  for (const { partition, offset } of startPositions) {
    const start = canonicalOffset(offset);
    starts.set(partition, start);
    const state = new PartitionState(partition, config, previousOffset(start), -Infinity, -Infinity);
    advanceFloor(state, now);
    states.set(partition, state);
  }
  /** Events seen before the start, by partition: remembered once the watermark is known (`states`). */
  const seen = new Map<PartitionState, Array<{ readonly film: FilmCell; readonly event: SeenEvent }>>();
  const see = (state: PartitionState, film: FilmCell, event: Option.Option<SeenEvent> | undefined) => {
    if (event === undefined || Option.isNone(event)) return;
    if (event.value.occurred_at > state.watermark) state.watermark = event.value.occurred_at;
    const list = seen.get(state);
    if (list === undefined) seen.set(state, [{ film, event: event.value }]);
    else list.push({ film, event: event.value });
  };

  const add = (stored: BootstrapEntry): void => {
    if (Option.isNone(stored.add_position)) return;
    const added = stored.add_position.value;
    const state = states.get(added.partition);
    const addStart = starts.get(added.partition);
    if (state === undefined || addStart === undefined) return;
    if (compareOffsets(added.offset, addStart) >= 0) return;
    const { movie, added_at } = stored.entry;
    if (stored.removed && Option.isSome(stored.delete_position)) {
      const del = stored.delete_position.value;
      const deleteStart = starts.get(del.partition) ?? addStart;
      if (compareOffsets(del.offset, deleteStart) < 0) {
        // Not counted, but both events are seen: copies of either must not count. The film holds
        // their ids; with no count it leaves once they expire, as after a streamed DELETE.
        if (!isKnown(stored.add_event) && !isKnown(stored.delete_event)) return;
        let film = state.films.get(movie.movie_id);
        if (film === undefined) {
          film = makeFilmOf(movie, Number.NEGATIVE_INFINITY, state.applied_offset);
          state.films.set(movie.movie_id, film);
          markChanged(state, film);
          noteZeroed(state, film);
        }
        see(state, film, stored.add_event);
        see(state, film, stored.delete_event);
        return;
      }
    }
    let film = state.films.get(movie.movie_id);
    if (film === undefined) {
      film = makeFilmOf(movie, added_at, state.applied_offset);
      state.films.set(movie.movie_id, film);
    } else if (added_at >= film.snapshot_time) {
      // The newest entry's snapshot stands in for the newest ADD's (by `added_at`: entries written
      // before the ADD's time was kept beside it have no other).
      film.title = movie.title;
      film.poster_path = movie.poster_path ?? null;
      film.genres = movie.genres ?? [];
      film.snapshot_time = added_at;
    }
    film.all_time += 1;
    const day = utcDayOf(added_at);
    if (day >= state.floor_day) addToDay(film, day, state.floor_day, config.retention_days);
    markChanged(state, film);
    see(state, film, stored.add_event);
  };
  const rememberSeen = () => {
    for (const [state, events] of seen) {
      const cutoff = cutoffMinute(state.watermark, config.dedup_horizon_ms);
      for (const { film, event } of events) {
        const minute = minuteOf(event.occurred_at);
        if (minute >= cutoff) rememberEvent(state, film, event.event_id, minute, cutoff);
      }
    }
    seen.clear();
  };
  return {
    add,
    states: () => {
      rememberSeen();
      return [...states.values()].sort((a, b) => a.partition - b.partition);
    },
  };
};

import type { WatchlistEvent } from "../schemas/events.ts";
import { canonicalOffset, isAfter, isCanonicalOffset } from "./offsets.ts";
import { addToDay, advanceFloor, removeFromDay } from "./day-buckets.ts";
import { cutoffMinute, isRecent, rememberEvent } from "./recent-ids.ts";
import {
  internalOf,
  MS_PER_DAY,
  markChanged,
  minuteOf,
  noteZeroed,
  type PartitionTrendState,
} from "./state.ts";
import { makeFilmOf } from "./film-cell.ts";

/** An event with the log offset it was read at (decimal text, as the event log gives it). */
export interface PositionedEvent {
  readonly offset: string;
  readonly event: WatchlistEvent;
}

/**
 * Applies one partition's batch, in offset order, and returns the state. CONSUMES `state`: it is
 * updated in place and returned; do not use the argument afterwards (it is the same object).
 *
 * Per event at offset `o`:
 * - `o` at or below the partition's applied offset: skipped (a redelivered batch changes nothing).
 * - UPDATE: moves the watermark only; trends count entries, and an update does not change which
 *   entries exist.
 * - ADD / DELETE of film `f`: skipped when `o` is at or below `f`'s own applied offset (after a
 *   crash in the middle of saving, some films were saved further than the partition checkpoint);
 *   dropped when the partition saw the same event id within the dedup horizon (a republished copy:
 *   only an event not newer than the watermark can be one, so only those are looked up); else ADD
 *   adds one to `f`'s all-time count and to the day of its `added_at` when that day is retained;
 *   DELETE removes one from both (from the day its entry was added). A count at zero stays at zero:
 *   a DELETE whose ADD is not in the retained state (its day left the window, or the ADD was never
 *   seen) is ignored for that bucket.
 *
 * `now` (epoch ms) only moves the retention floor: days older than the retention are dropped,
 * before the batch is applied. The floor never moves back, so the result depends on the events and
 * on the latest `now`, not on how the stream was cut into batches.
 */
export const applyEvents = (
  state: PartitionTrendState,
  events: ReadonlyArray<PositionedEvent>,
  now: number,
): PartitionTrendState => {
  const s = internalOf(state);
  advanceFloor(s, now);
  const films = s.films;
  const horizon = s.config.dedup_horizon_ms;
  const retention = s.config.retention_days;
  const floor = s.floor_day;
  const ahead = s.films_ahead_until;
  let applied = s.applied_offset;
  let watermark = s.watermark;
  let cutoff = cutoffMinute(watermark, horizon);
  for (let i = 0; i < events.length; i++) {
    const positioned = events[i]!;
    const offset = isCanonicalOffset(positioned.offset)
      ? positioned.offset
      : canonicalOffset(positioned.offset);
    if (!isAfter(offset, applied)) continue;
    applied = offset;
    const event = positioned.event;
    const occurred_at = event.occurred_at;
    // An event newer than everything seen cannot be a copy of one already seen.
    const newest = occurred_at > watermark;
    if (newest) {
      watermark = occurred_at;
      cutoff = cutoffMinute(watermark, horizon);
    }
    const type = event.event_type;
    if (type === "UPDATE") continue;

    const movie = event.movie;
    let film = films.get(movie.movie_id);
    if (film === undefined) {
      film = makeFilmOf(movie, type === "ADD" ? occurred_at : -Infinity, offset);
      films.set(movie.movie_id, film);
      s.removed.delete(movie.movie_id);
    } else if (ahead !== null && !isAfter(offset, film.applied_offset)) {
      continue;
    }
    film.applied_offset = offset;
    markChanged(s, film);

    const event_id = event.event_id;
    if (!newest && isRecent(s, event_id, cutoff)) continue;
    const minute = minuteOf(occurred_at);
    if (minute >= cutoff) rememberEvent(s, film, event_id, minute, cutoff);

    const day = Math.floor(event.added_at / MS_PER_DAY);
    if (type === "ADD") {
      film.all_time += 1;
      if (day >= floor) addToDay(film, day, floor, retention);
      if (occurred_at >= film.snapshot_time) {
        film.title = movie.title;
        film.poster_path = movie.poster_path ?? null;
        film.genres = movie.genres ?? [];
        film.snapshot_time = occurred_at;
      }
    } else {
      if (film.all_time > 0) film.all_time -= 1;
      removeFromDay(film, day, floor, retention);
      noteZeroed(s, film);
    }
  }
  s.applied_offset = applied;
  s.watermark = watermark;
  if (ahead !== null && !isAfter(ahead, applied)) s.films_ahead_until = null;
  return state;
};

import type { WatchlistEvent } from "../schemas/events.ts";
import { canonicalOffset, isAfter, isCanonicalOffset } from "./offsets.ts";
import {
  advanceFloor,
  type FilmCell,
  impl,
  MS_PER_DAY,
  makeFilm,
  markDirty,
  type PartitionTrendState,
  pruneRecent,
} from "./state.ts";

/** An event with the log offset it was read at (decimal text, as the event log gives it). */
export interface PositionedEvent {
  readonly offset: string;
  readonly event: WatchlistEvent;
}

const remember = (film: FilmCell, event_id: string, occurred_at: number, cutoff: number): void => {
  film.recent.set(event_id, occurred_at);
  if (film.recent.size >= 2 * film.recent_pruned_size + 16) pruneRecent(film, cutoff);
};

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
 *   dropped when `f` saw the same event id within the dedup horizon (a republished copy); else ADD
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
  const s = impl(state);
  advanceFloor(s, now);
  const films = s.films;
  const horizon = s.config.dedup_horizon_ms;
  const floor = s.floor_day;
  let applied = s.applied_offset;
  let watermark = s.watermark;
  for (let i = 0; i < events.length; i++) {
    const positioned = events[i]!;
    const offset = isCanonicalOffset(positioned.offset)
      ? positioned.offset
      : canonicalOffset(positioned.offset);
    if (!isAfter(offset, applied)) continue;
    applied = offset;
    const event = positioned.event;
    const occurred_at = event.occurred_at;
    if (occurred_at > watermark) watermark = occurred_at;
    const type = event.event_type;
    if (type === "UPDATE") continue;

    const movie = event.movie;
    let film = films.get(movie.movie_id);
    if (film === undefined) {
      film =
        type === "ADD"
          ? makeFilm(
              movie.movie_id,
              movie.title,
              movie.poster_path ?? null,
              movie.genres ?? [],
              occurred_at,
              offset,
            )
          : makeFilm(
              movie.movie_id,
              movie.title,
              movie.poster_path ?? null,
              movie.genres ?? [],
              -Infinity,
              offset,
            );
      films.set(movie.movie_id, film);
      s.removed.delete(movie.movie_id);
    } else if (!isAfter(offset, film.applied_offset)) {
      continue;
    }
    film.applied_offset = offset;
    markDirty(s, film);

    const cutoff = watermark - horizon;
    const seen = film.recent.get(event.event_id);
    if (seen !== undefined && seen >= cutoff) continue;
    if (occurred_at >= cutoff) remember(film, event.event_id, occurred_at, cutoff);

    const day = Math.floor(event.added_at / MS_PER_DAY);
    if (type === "ADD") {
      film.all_time += 1;
      if (day >= floor) film.days.set(day, (film.days.get(day) ?? 0) + 1);
      if (occurred_at >= film.snapshot_time) {
        film.title = movie.title;
        film.poster_path = movie.poster_path ?? null;
        film.genres = movie.genres ?? [];
        film.snapshot_time = occurred_at;
      }
    } else {
      if (film.all_time > 0) film.all_time -= 1;
      if (day >= floor) {
        const count = film.days.get(day);
        if (count !== undefined) {
          if (count > 1) film.days.set(day, count - 1);
          else film.days.delete(day);
        }
      }
    }
  }
  s.applied_offset = applied;
  s.watermark = watermark;
  return state;
};

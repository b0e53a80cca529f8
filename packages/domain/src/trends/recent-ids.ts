import type { FilmCell } from "./film-cell.ts";
import { MIN_GENERATION, minuteOf, type PartitionState } from "./state.ts";

// The ids of recently applied events, kept for the dedup horizon so a republished copy is dropped.

/** The oldest minute whose event ids still count as recent, for a given watermark. */
export const cutoffMinute = (watermark: number, horizon_ms: number): number =>
  minuteOf(watermark - horizon_ms);
export const dedupCutoff = (state: PartitionState): number =>
  cutoffMinute(state.watermark, state.config.dedup_horizon_ms);

/** Whether the id was remembered with a minute at or after `cutoff`. */
export const isRecent = (state: PartitionState, event_id: string, cutoff: number): boolean => {
  const young = state.recent_young.get(event_id);
  if (young !== undefined && young >= cutoff) return true;
  const old = state.recent_old.get(event_id);
  return old !== undefined && old >= cutoff;
};

/** Remembers that `film` saw event `event_id` (whose `occurred_at` falls in `minute`). */
export const rememberEvent = (
  state: PartitionState,
  film: FilmCell,
  event_id: string,
  minute: number,
  cutoff: number,
): void => {
  state.recent_young.set(event_id, minute);
  if (minute > state.recent_young_newest) state.recent_young_newest = minute;
  if (state.recent_young.size >= state.recent_young_limit) rotateRecent(state, cutoff);
  film.recent_ids.push(event_id);
  film.recent_minutes.push(minute);
  if (minute > film.recent_newest) film.recent_newest = minute;
  if (film.recent_ids.length >= film.recent_limit) compactFilmRecent(film, cutoff);
};

/**
 * The young generation is full: when the old one has expired entirely it is dropped and the young
 * one takes its place (no per-id delete); otherwise the young one may grow until it has.
 */
const rotateRecent = (state: PartitionState, cutoff: number): void => {
  if (state.recent_old_newest < cutoff) {
    state.recent_old = state.recent_young;
    state.recent_old_newest = state.recent_young_newest;
    state.recent_young = new Map();
    state.recent_young_newest = -Infinity;
    state.recent_young_limit = Math.max(MIN_GENERATION, state.recent_old.size);
  } else {
    state.recent_young_limit *= 2;
  }
};

/** Drops a film's expired ids, in place. */
export const compactFilmRecent = (film: FilmCell, cutoff: number): void => {
  const ids = film.recent_ids;
  const minutes = film.recent_minutes;
  if (film.recent_newest < cutoff) {
    ids.length = 0;
    minutes.length = 0;
  } else {
    let kept = 0;
    for (let i = 0; i < ids.length; i++) {
      const minute = minutes[i]!;
      if (minute < cutoff) continue;
      ids[kept] = ids[i]!;
      minutes[kept] = minute;
      kept++;
    }
    ids.length = kept;
    minutes.length = kept;
  }
  film.recent_limit = 2 * ids.length + 16;
};

/**
 * The state, split into bounded pieces for storage without transactions.
 *
 * - One `TrendFilmPiece` per (partition, film): the film's snapshot, its day buckets, its all-time
 *   count, the offset up to which events for it have been applied, and the ids of the recent events
 *   that touched it. Each is one single-document write, so a film's counts and "what was applied to
 *   it" never disagree.
 * - One `TrendCheckpoint` per partition: the offset applied up to, the watermark and the floor day.
 *
 * Saving: `takeChanges(state)` gives the changed pieces, the pieces to delete and the checkpoint.
 * Write the pieces first (any order, a bulk write may stop half-way), THEN the checkpoint. Restart:
 * read the checkpoint and the partition's pieces, `fromPieces`, and stream from checkpoint + 1. A
 * film saved further than the checkpoint skips the events it already holds (its own applied offset),
 * the others apply them again: after any crash the state is the one a run without crash would have.
 * A partition with pieces but no checkpoint is an interrupted bootstrap: delete its pieces and
 * bootstrap again.
 *
 * Size: a piece holds at most `retention_days` day entries, plus the ids of its film's ADDs and
 * DELETEs within the dedup horizon (about 60 bytes each in BSON: a film would need some 250,000 of
 * them per horizon to near MongoDB's 16 MB document limit; lower `dedup_horizon_ms` for such a
 * catalog). A film whose counts are zero and whose ids have expired is removed (`removals`).
 *
 * No field name is built from data (no dots, no `$`): lists of `{day, count}` and
 * `{event_id, minute}`, ids in values only.
 */
import { Schema } from "effect";
import { EventId, MovieId, Timestamp } from "../schemas/primitives.ts";
import { canonicalOffset, compareOffsets } from "./offsets.ts";
import {
  DEFAULT_TREND_CONFIG,
  dropFilm,
  internalOf,
  noteZeroed,
  type PartitionTrendState,
  PartitionState,
  type TrendConfig,
} from "./state.ts";
import { dedupCutoff, compactFilmRecent, rememberEvent } from "./recent-ids.ts";
import { forEachDay, setDay } from "./day-buckets.ts";
import { type FilmCell, isEmptyFilm, makeFilm } from "./film-cell.ts";

/** A log offset as decimal text: "-1" (nothing applied) or a canonical non-negative integer. */
export const OffsetText = Schema.String.pipe(
  Schema.pattern(/^(?:-1|0|[1-9][0-9]{0,19})$/, { message: () => "a log offset: -1 or a decimal integer" }),
).annotations({ identifier: "OffsetText" });

export const TrendDayCount = Schema.Struct({
  /** UTC day number (days since 1970-01-01). */
  day: Schema.Int,
  count: Schema.Int.pipe(Schema.positive()),
});
export type TrendDayCount = typeof TrendDayCount.Type;

export const TrendRecentEvent = Schema.Struct({
  event_id: EventId,
  /** The event's `occurred_at` in whole minutes since the epoch (the dedup horizon's resolution). */
  minute: Schema.Int,
});
export type TrendRecentEvent = typeof TrendRecentEvent.Type;

export const TrendFilmPiece = Schema.Struct({
  partition: Schema.Int.pipe(Schema.nonNegative()),
  movie_id: MovieId,
  title: Schema.String,
  poster_path: Schema.NullOr(Schema.String),
  genres: Schema.Array(Schema.String),
  /** `occurred_at` of the ADD that gave the snapshot (the newest one wins); null when a DELETE gave it. */
  snapshot_time: Schema.NullOr(Timestamp),
  /** Retained days with a non-zero count, oldest first. */
  days: Schema.Array(TrendDayCount),
  all_time: Schema.Int.pipe(Schema.nonNegative()),
  /** Events for this film at or below this offset have been applied to this piece. */
  applied_offset: OffsetText,
  /** Ids of the ADDs and DELETEs of the last dedup horizon that touched this film, in arrival order. */
  recent_events: Schema.Array(TrendRecentEvent),
}).annotations({ identifier: "TrendFilmPiece" });
export type TrendFilmPiece = typeof TrendFilmPiece.Type;

export const TrendCheckpoint = Schema.Struct({
  partition: Schema.Int.pipe(Schema.nonNegative()),
  /** Every event of the partition at or below this offset is in the saved pieces. Stream from the next one. */
  applied_offset: OffsetText,
  /** Newest `occurred_at` applied; null before the first event. */
  watermark: Schema.NullOr(Timestamp),
  /** First retained UTC day; null before any `now` was seen. */
  floor_day: Schema.NullOr(Schema.Int),
}).annotations({ identifier: "TrendCheckpoint" });
export type TrendCheckpoint = typeof TrendCheckpoint.Type;

export interface TrendChanges {
  readonly checkpoint: TrendCheckpoint;
  /** Pieces to write (replace whole), by movie id. */
  readonly upserts: ReadonlyArray<TrendFilmPiece>;
  /** Movie ids whose saved piece of this partition must be deleted (the film's state became empty). */
  readonly removals: ReadonlyArray<string>;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const finiteOrNull = (n: number): number | null => (Number.isFinite(n) ? n : null);

const pieceOf = (state: PartitionState, film: FilmCell, cutoff: number): TrendFilmPiece => {
  const days: Array<TrendDayCount> = [];
  forEachDay(film, state.floor_day, state.config.retention_days, (day, count) => days.push({ day, count }));
  if (film.overflow !== null) days.sort((a, b) => a.day - b.day); // the ring is visited in day order
  const recent_events: Array<TrendRecentEvent> = [];
  for (let i = 0; i < film.recent_ids.length; i++) {
    const minute = film.recent_minutes[i]!;
    if (minute >= cutoff) recent_events.push({ event_id: film.recent_ids[i]!, minute });
  }
  return {
    partition: state.partition,
    movie_id: film.movie_id,
    title: film.title,
    poster_path: film.poster_path,
    genres: film.genres,
    snapshot_time: finiteOrNull(film.snapshot_time),
    days,
    all_time: film.all_time,
    applied_offset: film.applied_offset,
    recent_events,
  };
};

/** The partition's checkpoint as it stands. */
export const trendCheckpoint = (state: PartitionTrendState): TrendCheckpoint => {
  const s = internalOf(state);
  return {
    partition: s.partition,
    applied_offset: s.applied_offset,
    watermark: finiteOrNull(s.watermark),
    floor_day: finiteOrNull(s.floor_day),
  };
};

/** Every non-empty film of the state as a piece, by movie id. Does not change the state. */
export const filmPieces = (state: PartitionTrendState): ReadonlyArray<TrendFilmPiece> => {
  const s = internalOf(state);
  const cutoff = dedupCutoff(s);
  const pieces: Array<TrendFilmPiece> = [];
  for (const film of s.films.values()) if (!isEmptyFilm(film, cutoff)) pieces.push(pieceOf(s, film, cutoff));
  return pieces.sort((a, b) => byText(a.movie_id, b.movie_id));
};

/**
 * What to save since the last call: the changed films' pieces, the films to delete, the checkpoint.
 * CONSUMES `state` in the sense that it forgets these changes (the next call reports only newer
 * ones): keep the returned value until the write succeeded, and write it again if it failed. The
 * returned pieces are copies, unaffected by later events.
 */
export const takeChanges = (state: PartitionTrendState): TrendChanges => {
  const s = internalOf(state);
  const cutoff = dedupCutoff(s);
  const upserts: Array<TrendFilmPiece> = [];
  for (const film of s.changedFilms) {
    if (!film.changedSinceSave || s.films.get(film.movie_id) !== film) continue;
    film.changedSinceSave = false;
    compactFilmRecent(film, cutoff);
    if (isEmptyFilm(film, cutoff)) dropFilm(s, film);
    else upserts.push(pieceOf(s, film, cutoff));
  }
  s.changedFilms = [];
  // Films whose counts went to zero leave once their ids have expired too, changed or not.
  const zeroed = s.zeroed;
  s.zeroed = [];
  for (const film of zeroed) {
    film.zeroed = false;
    if (s.films.get(film.movie_id) !== film) continue;
    if (isEmptyFilm(film, cutoff)) dropFilm(s, film);
    else noteZeroed(s, film);
  }
  const removals = [...s.removed].sort(byText);
  s.removed.clear();
  upserts.sort((a, b) => byText(a.movie_id, b.movie_id));
  return { checkpoint: trendCheckpoint(state), upserts, removals };
};

/**
 * Rebuilds a partition's state from its checkpoint and its saved pieces (pieces of other partitions
 * are ignored). Pieces may be ahead of the checkpoint (a save interrupted after some pieces): each
 * keeps its own applied offset. Days before the checkpoint's floor are dropped. The result has no
 * pending changes, except the deletion of saved pieces that turn out to be empty.
 */
export const fromPieces = (
  checkpoint: TrendCheckpoint,
  pieces: ReadonlyArray<TrendFilmPiece>,
  config: TrendConfig = DEFAULT_TREND_CONFIG,
): PartitionTrendState => {
  const s = new PartitionState(
    checkpoint.partition,
    config,
    canonicalOffset(checkpoint.applied_offset),
    checkpoint.watermark ?? -Infinity,
    checkpoint.floor_day ?? -Infinity,
  );
  const cutoff = dedupCutoff(s);
  for (const piece of pieces) {
    if (piece.partition !== checkpoint.partition) continue;
    const film = makeFilm(
      piece.movie_id,
      piece.title,
      piece.poster_path,
      piece.genres,
      piece.snapshot_time ?? -Infinity,
      canonicalOffset(piece.applied_offset),
    );
    for (const { day, count } of piece.days) {
      if (day >= s.floor_day && count > 0) setDay(film, day, count, s.floor_day, config.retention_days);
    }
    film.all_time = Math.max(0, piece.all_time);
    for (const { event_id, minute } of piece.recent_events) {
      if (minute >= cutoff) rememberEvent(s, film, event_id, minute, cutoff);
    }
    if (isEmptyFilm(film, cutoff)) {
      s.removed.add(film.movie_id);
      continue;
    }
    s.films.set(film.movie_id, film);
    noteZeroed(s, film);
    if (compareOffsets(film.applied_offset, s.films_ahead_until ?? s.applied_offset) > 0) {
      s.films_ahead_until = film.applied_offset;
    }
  }
  return s;
};

/**
 * One film's cell in a partition's trend state: its snapshot, its day counts (see day-buckets.ts),
 * its all-time count, the offset it has processed up to and its recent event ids (see recent-ids.ts).
 */

/**
 * Per-film internals. Day counts live in a ring of `retention_days` slots: day `d` of the retained
 * range [floor, floor + retention - 1] is slot `d mod retention`. Days after that range (entries
 * dated in the future) and every day while the floor is unknown go to `overflow`.
 */
export interface FilmCell {
  readonly movie_id: string;
  title: string;
  poster_path: string | null;
  genres: ReadonlyArray<string>;
  /** `occurred_at` of the ADD that gave the snapshot; -Infinity when it came from a DELETE. */
  snapshot_time: number;
  /** Counts of the retained days by slot; null until the film has one. */
  ring: Int32Array | null;
  /** Counts (> 0) of retained days outside the ring's range; null when none. */
  overflow: Map<number, number> | null;
  /** The sum of all retained day counts (ring + overflow). */
  retained: number;
  all_time: number;
  /** The highest offset of an event for this film that has been processed (applied or dropped). */
  applied_offset: string;
  /**
   * The ids (and minutes) of the recent events of this film, in arrival order: what its piece
   * saves. May hold expired ones until compacted: filter by minute. Lookups use the state's maps.
   */
  readonly recent_ids: string[];
  readonly recent_minutes: number[];
  /** Compact the lists when they reach this length. */
  recent_limit: number;
  /** The largest minute in the lists (-Infinity when none): when it has expired, all have. */
  recent_newest: number;
  /** In the state's `changedFilms` list: changed since the last `takeChanges`. */
  changedSinceSave: boolean;
  /** In the state's `zeroed` list. */
  zeroed: boolean;
}

export const makeFilm = (
  movie_id: string,
  title: string,
  poster_path: string | null,
  genres: ReadonlyArray<string>,
  snapshot_time: number,
  applied_offset: string,
): FilmCell => ({
  movie_id,
  title,
  poster_path,
  genres,
  snapshot_time,
  ring: null,
  overflow: null,
  retained: 0,
  all_time: 0,
  applied_offset,
  recent_ids: [],
  recent_minutes: [],
  recent_limit: 16,
  recent_newest: -Infinity,
  changedSinceSave: false,
  zeroed: false,
});

/** A new cell for a film as an event or a stored entry carries it (no poster or genres: none). */
export const makeFilmOf = (
  movie: {
    readonly movie_id: string;
    readonly title: string;
    readonly poster_path?: string | null | undefined;
    readonly genres?: ReadonlyArray<string> | undefined;
  },
  snapshot_time: number,
  applied_offset: string,
): FilmCell =>
  makeFilm(
    movie.movie_id,
    movie.title,
    movie.poster_path ?? null,
    movie.genres ?? [],
    snapshot_time,
    applied_offset,
  );

/** A film with no count and no id to remember is as good as absent: it is dropped. */
export const isEmptyFilm = (film: FilmCell, cutoff: number): boolean =>
  film.all_time === 0 && film.retained === 0 && film.recent_newest < cutoff;

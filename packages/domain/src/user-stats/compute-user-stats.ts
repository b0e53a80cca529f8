import type { WatchedEntry } from "../schemas/entry.ts";
import {
  formatDay,
  formatMonthKey,
  formatYear,
  localDayNumber,
  monthKeyOfDay,
  WEEKDAY_NAMES,
  weekdayIndex,
} from "./calendar.ts";
import { roundRatio } from "./round.ts";
import { TOP_LIST_SIZE, USER_STATS_VERSION, type UserStats } from "./schema.ts";

export interface UserStatsOptions {
  /**
   * The user's fixed offset from UTC in minutes (+60 for UTC+01:00, -300 for UTC-05:00), used for
   * every calendar figure: days, weekdays, months, years, streaks. Default 0 (UTC). A fixed offset,
   * not a time zone: the caller picks the offset; the domain has no time-zone database and no clock.
   * A non-finite value counts as 0; a fractional one is truncated to whole minutes.
   */
  readonly utcOffsetMinutes?: number;
}

type StatsFilm = UserStats["top_rated_movies"][number];
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The ordinal positions (1-based) whose film the milestones report. */
export const MILESTONES = [1, 10, 50, 100, 250, 500, 1000] as const;
/** A director needs at least this many rated films to be ranked by average rating. */
export const MIN_RATED_FILMS_PER_DIRECTOR = 2;

const RATING_BUCKETS = 20; // 0.5, 1.0, …, 10

/** The bucket (0–19) of a valid rating, or -1 when the rating is absent or not on the 0.5–10 half-step scale. */
const ratingBucket = (rating: number | undefined): number => {
  if (rating === undefined) return -1;
  const doubled = rating * 2;
  return Number.isInteger(doubled) && doubled >= 1 && doubled <= RATING_BUCKETS ? doubled - 1 : -1;
};

const hasRuntime = (runtime: number | undefined): runtime is number =>
  runtime !== undefined && Number.isFinite(runtime) && runtime > 0;

// Text order by UTF-16 code units: the same on every machine and locale (`localeCompare` is not).
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const compareOptionalText = (a: string | undefined, b: string | undefined): number =>
  a === b ? 0 : a === undefined ? -1 : b === undefined ? 1 : compareText(a, b);
const compareOptionalNumber = (a: number | undefined, b: number | undefined): number =>
  a === b ? 0 : a === undefined ? -1 : b === undefined ? 1 : a - b;

/**
 * The last tie-break of every film list: title, then every other field a listed film shows. Two
 * entries it calls equal produce identical list items, so the output never depends on input order.
 */
const compareFilmTail = (a: WatchedEntry, b: WatchedEntry): number =>
  compareText(a.movie.title, b.movie.title) ||
  compareText(a.movie.movie_id, b.movie.movie_id) ||
  a.watched_at - b.watched_at ||
  compareOptionalNumber(a.rating, b.rating) ||
  compareOptionalNumber(a.movie.year, b.movie.year) ||
  compareOptionalText(a.movie.poster_path, b.movie.poster_path) ||
  a.added_at - b.added_at;

/** Top rated: rating descending, then most recently watched, then title. */
const compareTopRated = (a: WatchedEntry, b: WatchedEntry): number =>
  (b.rating ?? 0) - (a.rating ?? 0) || b.watched_at - a.watched_at || compareFilmTail(a, b);

/** Recent: most recently watched first, then title. */
const compareRecent = (a: WatchedEntry, b: WatchedEntry): number =>
  b.watched_at - a.watched_at || compareFilmTail(a, b);

/** Chronological (milestones, streaks): watched, then added, then title. */
const compareChronological = (a: WatchedEntry, b: WatchedEntry): number =>
  a.watched_at - b.watched_at || a.added_at - b.added_at || compareFilmTail(a, b);

/**
 * Keeps `top` the best `limit` items seen so far, best first, under `compare` (negative = better).
 * O(limit) per item at worst and one comparison for most, with no allocation: a partial sort
 * instead of sorting every candidate.
 */
const offerTop = <T>(top: T[], item: T, limit: number, compare: (a: T, b: T) => number): void => {
  let index = top.length;
  if (index === limit) {
    if (compare(item, top[limit - 1] as T) >= 0) return;
    index = limit - 1;
  } else {
    top.push(item);
  }
  while (index > 0 && compare(item, top[index - 1] as T) < 0) {
    top[index] = top[index - 1] as T;
    index -= 1;
  }
  top[index] = item;
};

/** Whether `names[index]` is the first occurrence of its value, so a name listed twice in one film counts once. */
const isFirstOccurrence = (names: ReadonlyArray<string>, index: number): boolean => {
  const name = names[index];
  for (let i = 0; i < index; i++) if (names[i] === name) return false;
  return true;
};

const toStatsFilm = (entry: WatchedEntry): StatsFilm => {
  const film: Mutable<StatsFilm> = {
    movie_id: entry.movie.movie_id,
    title: entry.movie.title,
    watched_at: entry.watched_at,
  };
  if (entry.movie.year !== undefined) film.year = entry.movie.year;
  if (entry.movie.poster_path !== undefined) film.poster_path = entry.movie.poster_path;
  if (ratingBucket(entry.rating) >= 0) film.rating = entry.rating as number;
  return film;
};

interface DirectorTally {
  readonly director: string;
  /** Rated films, and the sum of their ratings doubled (an integer: ratings are half-steps). */
  ratedCount: number;
  doubledRatingSum: number;
}

interface PeriodTally {
  films: number;
  minutes: number;
}

interface ActorCount {
  readonly actor: string;
  readonly count: number;
}

interface RankedDirector {
  readonly director: string;
  /** The displayed average in hundredths (an integer, so ties compare exactly). */
  readonly hundredths: number;
  readonly count: number;
}

/**
 * A user's statistics over their watched list: everything the earlier system's
 * `compute_user_stats` returned, plus years, months, decades, weekdays, the longest streak and
 * milestones. Pure and deterministic: the same entries in any order give a deep-equal result.
 * O(n log n): one aggregation pass with no per-entry allocation, one chronological sort, bounded
 * top-10 selections, and sorts of the (small) distinct genres, periods and decades.
 *
 * A film without runtime, genres, people or year is counted everywhere it can be (total, ratings,
 * periods, weekdays, streak, milestones) and noted in `missing_data`. A rating outside the
 * 0.5–10 half-step scale (which the `Rating` schema already refuses) counts as no rating.
 */
export const computeUserStats = (
  entries: ReadonlyArray<WatchedEntry>,
  options: UserStatsOptions = {},
): UserStats => {
  const rawOffset = options.utcOffsetMinutes ?? 0;
  const utcOffsetMinutes = Number.isFinite(rawOffset) ? Math.trunc(rawOffset) : 0;

  const ratingCounts: number[] = new Array<number>(RATING_BUCKETS).fill(0);
  const weekdayCounts: number[] = [0, 0, 0, 0, 0, 0, 0];
  const genreCounts = new Map<string, number>();
  const actorCounts = new Map<string, number>();
  const directors = new Map<string, DirectorTally>();
  const months = new Map<number, PeriodTally>();
  const decadeCounts = new Map<number, number>();
  const topRated: WatchedEntry[] = [];
  const recent: WatchedEntry[] = [];

  let ratedCount = 0;
  let doubledRatingSum = 0;
  let totalMinutes = 0;
  let genreAssignments = 0;
  let withoutRuntime = 0;
  let withoutGenres = 0;
  let withoutDirectors = 0;
  let withoutActors = 0;
  let withoutYear = 0;

  for (const entry of entries) {
    const movie = entry.movie;
    const bucket = ratingBucket(entry.rating);
    if (bucket >= 0) {
      ratedCount += 1;
      doubledRatingSum += bucket + 1;
      ratingCounts[bucket] = (ratingCounts[bucket] as number) + 1;
      offerTop(topRated, entry, TOP_LIST_SIZE, compareTopRated);
    }
    offerTop(recent, entry, TOP_LIST_SIZE, compareRecent);

    const runtime = movie.runtime_minutes;
    const minutes = hasRuntime(runtime) ? runtime : 0;
    if (minutes > 0) totalMinutes += minutes;
    else withoutRuntime += 1;

    const day = localDayNumber(entry.watched_at, utcOffsetMinutes);
    const dayOfWeek = weekdayIndex(day);
    weekdayCounts[dayOfWeek] = (weekdayCounts[dayOfWeek] as number) + 1;
    const monthKey = monthKeyOfDay(day);
    const month = months.get(monthKey);
    if (month === undefined) months.set(monthKey, { films: 1, minutes });
    else {
      month.films += 1;
      month.minutes += minutes;
    }

    const year = movie.year;
    if (year !== undefined && Number.isInteger(year)) {
      const decade = Math.floor(year / 10) * 10;
      decadeCounts.set(decade, (decadeCounts.get(decade) ?? 0) + 1);
    } else withoutYear += 1;

    const genres = movie.genres;
    if (genres !== undefined && genres.length > 0) {
      for (let i = 0; i < genres.length; i++) {
        if (!isFirstOccurrence(genres, i)) continue;
        const genre = genres[i] as string;
        genreCounts.set(genre, (genreCounts.get(genre) ?? 0) + 1);
        genreAssignments += 1;
      }
    } else withoutGenres += 1;

    const actors = movie.actors;
    if (actors !== undefined && actors.length > 0) {
      for (let i = 0; i < actors.length; i++) {
        if (!isFirstOccurrence(actors, i)) continue;
        const actor = actors[i] as string;
        actorCounts.set(actor, (actorCounts.get(actor) ?? 0) + 1);
      }
    } else withoutActors += 1;

    const filmDirectors = movie.directors;
    if (filmDirectors !== undefined && filmDirectors.length > 0) {
      if (bucket >= 0) {
        for (let i = 0; i < filmDirectors.length; i++) {
          if (!isFirstOccurrence(filmDirectors, i)) continue;
          const director = filmDirectors[i] as string;
          const tally = directors.get(director);
          if (tally === undefined) {
            directors.set(director, { director, ratedCount: 1, doubledRatingSum: bucket + 1 });
          } else {
            tally.ratedCount += 1;
            tally.doubledRatingSum += bucket + 1;
          }
        }
      }
    } else withoutDirectors += 1;
  }

  // Genres: every distinct genre (a small vocabulary), count descending, then name.
  const genre_data: Mutable<UserStats["genre_data"][number]>[] = [];
  genreCounts.forEach((count, genre) => {
    genre_data.push({ genre, count, percentage: roundRatio(count * 100, genreAssignments, 1) });
  });
  genre_data.sort((a, b) => b.count - a.count || compareText(a.genre, b.genre));

  // Directors with enough rated films: displayed average descending, then count, then name.
  const rankedDirectors: RankedDirector[] = [];
  const compareDirectors = (a: RankedDirector, b: RankedDirector): number =>
    b.hundredths - a.hundredths || b.count - a.count || compareText(a.director, b.director);
  directors.forEach((tally) => {
    if (tally.ratedCount < MIN_RATED_FILMS_PER_DIRECTOR) return;
    const hundredths = roundRatio(tally.doubledRatingSum * 100, 2 * tally.ratedCount, 0);
    offerTop(
      rankedDirectors,
      { director: tally.director, hundredths, count: tally.ratedCount },
      TOP_LIST_SIZE,
      compareDirectors,
    );
  });

  // Actors: films per actor descending, then name.
  const topActors: ActorCount[] = [];
  const compareActors = (a: ActorCount, b: ActorCount): number =>
    b.count - a.count || compareText(a.actor, b.actor);
  actorCounts.forEach((count, actor) => {
    const worst = topActors.length === TOP_LIST_SIZE ? topActors[TOP_LIST_SIZE - 1] : undefined;
    // Skip the allocation for the many actors that cannot enter the list.
    if (worst !== undefined && (count < worst.count || (count === worst.count && actor > worst.actor)))
      return;
    offerTop(topActors, { actor, count }, TOP_LIST_SIZE, compareActors);
  });

  // Months, then years summed from their months (no second pass over the entries).
  const monthKeys = Array.from(months.keys()).sort((a, b) => a - b);
  const films_per_month: UserStats["films_per_month"][number][] = [];
  const films_per_year: UserStats["films_per_year"][number][] = [];
  let yearOpen = Number.NaN;
  let yearFilms = 0;
  let yearMinutes = 0;
  const closeYear = (): void => {
    if (Number.isNaN(yearOpen)) return;
    films_per_year.push({
      period: formatYear(yearOpen),
      films: yearFilms,
      hours: roundRatio(yearMinutes, 60, 1),
    });
  };
  for (const monthKey of monthKeys) {
    const tally = months.get(monthKey) as PeriodTally;
    films_per_month.push({
      period: formatMonthKey(monthKey),
      films: tally.films,
      hours: roundRatio(tally.minutes, 60, 1),
    });
    const year = Math.floor(monthKey / 12);
    if (year !== yearOpen) {
      closeYear();
      yearOpen = year;
      yearFilms = 0;
      yearMinutes = 0;
    }
    yearFilms += tally.films;
    yearMinutes += tally.minutes;
  }
  closeYear();

  const decades = Array.from(decadeCounts, ([decade, count]) => ({ decade, count })).sort(
    (a, b) => a.decade - b.decade,
  );

  // One chronological sort serves the milestones and the longest streak.
  const chronological = entries.slice().sort(compareChronological);
  const milestones: UserStats["milestones"][number][] = [];
  for (const milestone of MILESTONES) {
    const entry = chronological[milestone - 1];
    if (entry === undefined) break;
    milestones.push({ milestone, film: toStatsFilm(entry) });
  }
  let bestDays = 0;
  let bestStart = 0;
  let runDays = 0;
  let runStart = 0;
  let previousDay = Number.NaN;
  for (const entry of chronological) {
    const day = localDayNumber(entry.watched_at, utcOffsetMinutes);
    if (day === previousDay) continue;
    if (day === previousDay + 1) runDays += 1;
    else {
      runDays = 1;
      runStart = day;
    }
    previousDay = day;
    // Strictly longer only: on a tie the earlier streak stays.
    if (runDays > bestDays) {
      bestDays = runDays;
      bestStart = runStart;
    }
  }

  return {
    stats_version: USER_STATS_VERSION,
    total_watched: entries.length,
    rated_count: ratedCount,
    avg_rating: ratedCount === 0 ? null : roundRatio(doubledRatingSum, 2 * ratedCount, 2),
    rating_chart_data: ratingCounts.map((count, bucket) => ({ rating: (bucket + 1) / 2, count })),
    top_rated_movies: topRated.map(toStatsFilm),
    recent_movies: recent.map(toStatsFilm),
    genre_data,
    favorite_genre: genre_data[0]?.genre ?? null,
    watch_time_hours: roundRatio(totalMinutes, 60, 1),
    best_rated_directors: rankedDirectors.map(({ director, hundredths, count }) => ({
      director,
      avg_rating: hundredths / 100,
      count,
    })),
    most_watched_actors: topActors,
    films_per_year,
    films_per_month,
    decades,
    weekdays: weekdayCounts.map((count, index) => ({ weekday: WEEKDAY_NAMES[index] as string, count })),
    longest_streak:
      bestDays === 0
        ? { days: 0, start: null, end: null }
        : { days: bestDays, start: formatDay(bestStart), end: formatDay(bestStart + bestDays - 1) },
    milestones,
    missing_data: {
      without_runtime: withoutRuntime,
      without_genres: withoutGenres,
      without_directors: withoutDirectors,
      without_actors: withoutActors,
      without_year: withoutYear,
    },
  };
};

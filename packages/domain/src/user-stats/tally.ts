import type { WatchedEntry } from "../schemas/entry.ts";
import { localDayNumber, monthKeyOfDay, weekdayIndex } from "./calendar.ts";
import { compareRecent, compareTopRated, offerTop, RATING_BUCKETS, ratingBucket } from "./film-lists.ts";
import { TOP_LIST_SIZE } from "./schema.ts";

const hasRuntime = (runtime: number | undefined): runtime is number =>
  runtime !== undefined && Number.isFinite(runtime) && runtime > 0;

/** Whether `names[index]` is the first occurrence of its value, so a name listed twice in one film counts once. */
const isFirstOccurrence = (names: ReadonlyArray<string>, index: number): boolean => {
  const name = names[index];
  for (let i = 0; i < index; i++) if (names[i] === name) return false;
  return true;
};

/** Adds one to the count of each name of one film (a name listed twice counts once); how many it counted. */
const countOnce = (names: ReadonlyArray<string>, counts: Map<string, number>): number => {
  let counted = 0;
  for (let i = 0; i < names.length; i++) {
    if (!isFirstOccurrence(names, i)) continue;
    const name = names[i] as string;
    counts.set(name, (counts.get(name) ?? 0) + 1);
    counted += 1;
  }
  return counted;
};

export interface DirectorTally {
  readonly director: string;
  /** Rated films, and the sum of their ratings doubled (an integer: ratings are half-steps). */
  ratedCount: number;
  doubledRatingSum: number;
}

export interface PeriodTally {
  films: number;
  minutes: number;
}

/** Everything one pass over the entries counts; the summaries are derived from it. */
export interface Tally {
  readonly ratingCounts: ReadonlyArray<number>;
  readonly weekdayCounts: ReadonlyArray<number>;
  readonly genreCounts: ReadonlyMap<string, number>;
  readonly actorCounts: ReadonlyMap<string, number>;
  readonly directors: ReadonlyMap<string, DirectorTally>;
  /** By month key (see calendar.ts). */
  readonly months: ReadonlyMap<number, PeriodTally>;
  readonly decadeCounts: ReadonlyMap<number, number>;
  /** The best `TOP_LIST_SIZE` entries of each list, best first. */
  readonly topRated: ReadonlyArray<WatchedEntry>;
  readonly recent: ReadonlyArray<WatchedEntry>;
  readonly ratedCount: number;
  readonly doubledRatingSum: number;
  readonly totalMinutes: number;
  /** Film-genre pairs counted (a film in two genres counts twice), the base of the genre percentages. */
  readonly genreAssignments: number;
  readonly withoutRuntime: number;
  readonly withoutGenres: number;
  readonly withoutDirectors: number;
  readonly withoutActors: number;
  readonly withoutYear: number;
}

/** One aggregation pass with no per-entry allocation. */
export const tallyEntries = (entries: ReadonlyArray<WatchedEntry>, utcOffsetMinutes: number): Tally => {
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
    if (genres !== undefined && genres.length > 0) genreAssignments += countOnce(genres, genreCounts);
    else withoutGenres += 1;

    const actors = movie.actors;
    if (actors !== undefined && actors.length > 0) countOnce(actors, actorCounts);
    else withoutActors += 1;

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

  return {
    ratingCounts,
    weekdayCounts,
    genreCounts,
    actorCounts,
    directors,
    months,
    decadeCounts,
    topRated,
    recent,
    ratedCount,
    doubledRatingSum,
    totalMinutes,
    genreAssignments,
    withoutRuntime,
    withoutGenres,
    withoutDirectors,
    withoutActors,
    withoutYear,
  };
};

import { formatMonthKey, formatYear } from "./calendar.ts";
import { compareText, type Mutable, offerTop } from "./film-lists.ts";
import { roundRatio } from "./round.ts";
import { TOP_LIST_SIZE, type UserStats } from "./schema.ts";
import type { PeriodTally, Tally } from "./tally.ts";

// The ranked and grouped lists derived from a tally: genres, directors, actors, periods, decades.

/** A director needs at least this many rated films to be ranked by average rating. */
export const MIN_RATED_FILMS_PER_DIRECTOR = 2;

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

/** Every distinct genre (a small vocabulary), count descending, then name. */
export const genreList = ({ genreCounts, genreAssignments }: Tally): UserStats["genre_data"] => {
  const genre_data: Mutable<UserStats["genre_data"][number]>[] = [];
  genreCounts.forEach((count, genre) => {
    genre_data.push({ genre, count, percentage: roundRatio(count * 100, genreAssignments, 1) });
  });
  genre_data.sort((a, b) => b.count - a.count || compareText(a.genre, b.genre));
  return genre_data;
};

/** Directors with enough rated films: displayed average descending, then count, then name. */
export const bestRatedDirectors = ({ directors }: Tally): UserStats["best_rated_directors"] => {
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
  return rankedDirectors.map(({ director, hundredths, count }) => ({
    director,
    avg_rating: hundredths / 100,
    count,
  }));
};

/** Films per actor descending, then name. */
export const mostWatchedActors = ({ actorCounts }: Tally): UserStats["most_watched_actors"] => {
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
  return topActors;
};

/** Months, then years summed from their months (no second pass over the entries). */
export const periods = ({ months }: Tally): Pick<UserStats, "films_per_year" | "films_per_month"> => {
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
  return { films_per_year, films_per_month };
};

export const decadeList = ({ decadeCounts }: Tally): UserStats["decades"] =>
  Array.from(decadeCounts, ([decade, count]) => ({ decade, count })).sort((a, b) => a.decade - b.decade);

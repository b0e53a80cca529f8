import type { WatchedEntry } from "../schemas/entry.ts";
import { formatDay, localDayNumber } from "./calendar.ts";
import { compareChronological, toStatsFilm } from "./film-lists.ts";
import type { UserStats } from "./schema.ts";

// What only the order of watching tells: the milestone films and the longest streak of days.

/** The ordinal positions (1-based) whose film the milestones report. */
export const MILESTONES = [1, 10, 50, 100, 250, 500, 1000] as const;

/** The films at the milestone positions, in watching order. */
export const milestonesOf = (chronological: ReadonlyArray<WatchedEntry>): UserStats["milestones"] => {
  const milestones: UserStats["milestones"][number][] = [];
  for (const milestone of MILESTONES) {
    const entry = chronological[milestone - 1];
    if (entry === undefined) break;
    milestones.push({ milestone, film: toStatsFilm(entry) });
  }
  return milestones;
};

/** The longest run of consecutive local days with a film watched; on a tie the earlier run. */
export const longestStreak = (
  chronological: ReadonlyArray<WatchedEntry>,
  utcOffsetMinutes: number,
): UserStats["longest_streak"] => {
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
  return bestDays === 0
    ? { days: 0, start: null, end: null }
    : { days: bestDays, start: formatDay(bestStart), end: formatDay(bestStart + bestDays - 1) };
};

/** One chronological sort serves the milestones and the longest streak. */
export const chronologicalOrder = (entries: ReadonlyArray<WatchedEntry>): ReadonlyArray<WatchedEntry> =>
  entries.slice().sort(compareChronological);

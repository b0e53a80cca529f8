/**
 * Pure view logic: everything the screens compute from API data, kept free of the DOM and of the
 * clock (the caller passes `now`), so it is unit-tested without a browser.
 */

/** "just now", "12 seconds ago", "3 minutes ago", ... from an ISO time and the current epoch millis. */
export const timeAgo = (iso: string, now: number): string => {
  const then = Date.parse(iso);
  if (!Number.isFinite(then)) return "at an unknown time";
  const seconds = Math.max(0, Math.floor((now - then) / 1000));
  if (seconds < 5) return "just now";
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"} ago`;
  if (seconds < 60) return unit(seconds, "second");
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return unit(minutes, "minute");
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return unit(hours, "hour");
  return unit(Math.floor(hours / 24), "day");
};

export type RankChange =
  | { readonly kind: "new" }
  | { readonly kind: "up"; readonly by: number }
  | { readonly kind: "down"; readonly by: number }
  | { readonly kind: "same" }
  /** No earlier update to compare with (first look at this window). */
  | { readonly kind: "unknown" };

export interface Ranked<T> {
  readonly item: T;
  /** Shared by films with the same count ("1, 2, 2, 4"), so a tie never looks like an order. */
  readonly rank: number;
  /** Another film in the list has the same count. */
  readonly tied: boolean;
  readonly change: RankChange;
}

/** 1-based ranks where equal counts share the better rank; without counts, list order. */
const sharedRanks = (items: ReadonlyArray<{ readonly count?: number }>): ReadonlyArray<number> =>
  items.map((item, index) =>
    item.count === undefined
      ? index + 1
      : 1 + items.filter((other) => (other.count ?? 0) > item.count!).length,
  );

/**
 * Each film's rank and how it moved since the previous update of the same window. A film that was
 * not in the previous top list is `new`; without a previous list every change is `unknown`.
 */
export const rankChanges = <T extends { readonly movie_id: string; readonly count?: number }>(
  previous: ReadonlyArray<T> | undefined,
  current: ReadonlyArray<T>,
): ReadonlyArray<Ranked<T>> => {
  const previousRanks = previous === undefined ? [] : sharedRanks(previous);
  const before = new Map(previous?.map((movie, index) => [movie.movie_id, previousRanks[index]!]));
  const ranks = sharedRanks(current);
  return current.map((item, index): Ranked<T> => {
    const rank = ranks[index]!;
    const tied = ranks.filter((r) => r === rank).length > 1;
    if (previous === undefined) return { item, rank, tied, change: { kind: "unknown" } };
    const was = before.get(item.movie_id);
    if (was === undefined) return { item, rank, tied, change: { kind: "new" } };
    if (was > rank) return { item, rank, tied, change: { kind: "up", by: was - rank } };
    if (was < rank) return { item, rank, tied, change: { kind: "down", by: rank - was } };
    return { item, rank, tied, change: { kind: "same" } };
  });
};

export const describeRankChange = (
  change: RankChange,
): { readonly symbol: string; readonly label: string } => {
  switch (change.kind) {
    case "new":
      return { symbol: "new", label: "new in the top 10 since the last update" };
    case "up":
      return { symbol: `▲${change.by}`, label: `up ${change.by} since the last update` };
    case "down":
      return { symbol: `▼${change.by}`, label: `down ${change.by} since the last update` };
    case "same":
      return { symbol: "=", label: "unchanged since the last update" };
    case "unknown":
      return { symbol: "", label: "" };
  }
};

/** Every rating the scale allows, 0.5 to 10 in steps of 0.5. */
export const RATING_STEPS: ReadonlyArray<number> = Array.from({ length: 20 }, (_, i) => (i + 1) / 2);

export const formatRating = (rating: number): string =>
  Number.isInteger(rating) ? String(rating) : rating.toFixed(1);

/** The histogram with a bar for every step of the scale, zero where no film has that rating. */
export const ratingHistogram = (
  data: ReadonlyArray<{ readonly rating: number; readonly count: number }>,
): ReadonlyArray<{ readonly rating: number; readonly count: number }> => {
  const counts = new Map<number, number>();
  for (const { rating, count } of data) counts.set(rating, (counts.get(rating) ?? 0) + count);
  return RATING_STEPS.map((rating) => ({ rating, count: counts.get(rating) ?? 0 }));
};

export const formatPercent = (percentage: number): string =>
  `${percentage >= 10 || Number.isInteger(percentage) ? Math.round(percentage) : percentage.toFixed(1)}%`;

export const formatHours = (hours: number): string => {
  if (hours === 0) return "0 h";
  if (hours < 10) return `${(Math.round(hours * 10) / 10).toString()} h`;
  return `${Math.round(hours).toLocaleString("en")} h`;
};

export const plural = (count: number, word: string, words = `${word}s`): string =>
  `${count.toLocaleString("en")} ${count === 1 ? word : words}`;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "2024-03" → "Mar 2024"; a year or anything else is shown as it is. */
export const periodLabel = (period: string): string => {
  const match = /^(\d{4})-(\d{2})$/.exec(period);
  const month = match ? MONTHS[Number(match[2]) - 1] : undefined;
  return match && month ? `${month} ${match[1]}` : period;
};

/** A short calendar date from an ISO string, in UTC (the dates users enter are days, stored at midnight UTC). */
export const formatDate = (iso: string): string => {
  const millis = Date.parse(iso);
  if (!Number.isFinite(millis)) return iso;
  const date = new Date(millis);
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
};

/** Today as `YYYY-MM-DD` in the viewer's own calendar, for a date input's default. */
export const localDateInput = (now: Date): string => {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
};

export const ordinal = (n: number): string => {
  const mod100 = n % 100;
  const suffix = mod100 >= 11 && mod100 <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th");
  return `${n.toLocaleString("en")}${suffix}`;
};

/** Up to two letters standing for a title on a poster placeholder ("The Dark Knight" → "DK"). */
export const initials = (title: string): string => {
  const words = title
    .replace(/^(the|a|an|le|la|les|el|il|der|die|das)\s+/i, "")
    .split(/[\s:–-]+/)
    .filter((word) => /\p{L}|\p{N}/u.test(word));
  const letters = words.slice(0, 2).map((word) => [...word.replace(/^[^\p{L}\p{N}]+/u, "")][0] ?? "");
  return letters.join("").toUpperCase() || "?";
};

/** A stable hue (0–359) for a movie id, so a film's placeholder keeps its colour everywhere. */
export const hueOf = (id: string): number => {
  // FNV-1a, then a golden-angle step, so similar ids ("ml-293", "ml-296") still get distant colours.
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return Math.floor((hash * 137.508) % 360);
};

/**
 * Where a poster can be loaded from: an absolute http(s) URL or a same-origin path. Anything else
 * (empty, or a bare file name) has no usable address and gets the placeholder.
 */
export const posterUrl = (posterPath: string | null | undefined): string | null => {
  if (!posterPath) return null;
  if (/^https?:\/\//i.test(posterPath)) return posterPath;
  if (posterPath.startsWith("/") && !posterPath.startsWith("//")) return posterPath;
  return null;
};

export interface PageInfo {
  readonly label: string;
  readonly hasPrevious: boolean;
  readonly hasNext: boolean;
  readonly previousOffset: number;
  readonly nextOffset: number;
}

/** "11–20 of 23", and where the previous and next pages start. */
export const pageInfo = (
  offset: number,
  limit: number,
  shown: number,
  total: number | undefined,
): PageInfo => {
  const first = shown === 0 ? 0 : offset + 1;
  const last = offset + shown;
  const label =
    total === undefined ? (shown === 0 ? "no films" : `${first}–${last}`) : `${first}–${last} of ${total}`;
  return {
    label,
    hasPrevious: offset > 0,
    hasNext: total === undefined ? shown === limit : last < total,
    previousOffset: Math.max(0, offset - limit),
    nextOffset: offset + limit,
  };
};

/** The largest value of a series, at least 1, so bar lengths never divide by zero. */
export const scaleMax = (values: ReadonlyArray<number>): number => Math.max(1, ...values);

/** The last `n` items of a chronological series (e.g. the last 24 months). */
export const lastN = <T>(items: ReadonlyArray<T>, n: number): ReadonlyArray<T> =>
  items.length <= n ? items : items.slice(items.length - n);

export interface Period {
  readonly period: string;
  readonly films: number;
  readonly hours: number;
}

/**
 * A chronological axis without holes: the months (`YYYY-MM`) or years (`YYYY`) between the first
 * and the last period get a zero entry, so a quiet month shows as a gap rather than vanishing.
 * Periods that are neither form are returned as they are.
 */
export const fillPeriods = (periods: ReadonlyArray<Period>): ReadonlyArray<Period> => {
  if (periods.length === 0) return periods;
  const monthly = periods.every((p) => /^\d{4}-(0[1-9]|1[0-2])$/.test(p.period));
  const yearly = periods.every((p) => /^\d{4}$/.test(p.period));
  if (!monthly && !yearly) return periods;
  const index = (period: string) =>
    monthly ? Number(period.slice(0, 4)) * 12 + Number(period.slice(5, 7)) - 1 : Number(period);
  const label = (i: number) =>
    monthly ? `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}` : String(i);
  const byIndex = new Map(periods.map((p) => [index(p.period), p]));
  const first = Math.min(...byIndex.keys());
  const last = Math.max(...byIndex.keys());
  const filled: Period[] = [];
  for (let i = first; i <= last; i++) filled.push(byIndex.get(i) ?? { period: label(i), films: 0, hours: 0 });
  return filled;
};

/** Why "Best-rated directors" is empty: the runner ranks a director from two rated films on. */
export const DIRECTORS_HINT =
  "A director shows here once you have rated two of their films (directors are known for most catalog films).";

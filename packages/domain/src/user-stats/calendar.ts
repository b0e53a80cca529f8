/**
 * Calendar arithmetic on epoch milliseconds at a fixed UTC offset: no `Date` objects, no `Intl`
 * time zones, no clock. Days are numbered from 1970-01-01 (day 0) in the offset's local calendar.
 */

const MS_PER_DAY = 86_400_000;
const MS_PER_MINUTE = 60_000;

/** The local calendar day number of `epochMs` at `utcOffsetMinutes` (e.g. +60 for UTC+01:00). */
export const localDayNumber = (epochMs: number, utcOffsetMinutes: number): number =>
  Math.floor((epochMs + utcOffsetMinutes * MS_PER_MINUTE) / MS_PER_DAY);

/** Monday-first weekday index (0 = Monday … 6 = Sunday) of a day number; 1970-01-01 was a Thursday. */
export const weekdayIndex = (day: number): number => (((day + 3) % 7) + 7) % 7;

export const WEEKDAY_NAMES = [
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
  "Sunday",
] as const;

/**
 * The month of a day number as `year × 12 + (month − 1)`: one integer that sorts chronologically
 * and holds both parts. Howard Hinnant's `civil_from_days`, valid for every day a double can hold.
 */
export const monthKeyOfDay = (day: number): number => {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1_460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const marchMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return year * 12 + (month - 1);
};

/** The civil date of a day number, as [year, month 1–12, day of month 1–31]. */
export const civilFromDay = (day: number): readonly [number, number, number] => {
  const monthKey = monthKeyOfDay(day);
  const year = Math.floor(monthKey / 12);
  const month = monthKey - year * 12 + 1;
  return [year, month, day - daysBeforeMonth(year, month) + 1];
};

/** The day number of the 1st of `month` (1–12) of `year`: Hinnant's `days_from_civil`. */
const daysBeforeMonth = (year: number, month: number): number => {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5);
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
};

const pad = (value: number, width: number): string => {
  const text = String(Math.abs(value)).padStart(width, "0");
  return value < 0 ? `-${text}` : text;
};

/** `YYYY` of a year (4 digits, zero-padded; a leading minus for years before year 0). */
export const formatYear = (year: number): string => pad(year, 4);

/** `YYYY-MM` of a month key from {@link monthKeyOfDay}. */
export const formatMonthKey = (monthKey: number): string => {
  const year = Math.floor(monthKey / 12);
  return `${formatYear(year)}-${pad(monthKey - year * 12 + 1, 2)}`;
};

/** `YYYY-MM-DD` of a day number. */
export const formatDay = (day: number): string => {
  const [year, month, dayOfMonth] = civilFromDay(day);
  return `${formatYear(year)}-${pad(month, 2)}-${pad(dayOfMonth, 2)}`;
};

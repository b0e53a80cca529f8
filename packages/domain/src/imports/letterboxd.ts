import type { Either } from "effect";
import { type CsvRecord, csvTable, parseCsv } from "../csv/csv.ts";
import {
  type ExportFile,
  type ExportProblem,
  type ExportUnreadable,
  exportOrUnreadable,
  type Observation,
  type ParsedExport,
  parseDay,
  titleYearKey,
} from "./export-film.ts";

/**
 * Letterboxd's data export (Settings → Import & Export → Export your data) is a ZIP of CSV files.
 * What this relies on, from Letterboxd's export as public tools that read it show it (e.g. the
 * repositories ortolanph/letterboxd_diary_parser and lucasirustaDEV/pelisApp2Back `data/diary.js`,
 * and the issue's own description):
 * - `watched.csv`: `Date,Name,Year,Letterboxd URI` (Date: the day it was marked watched);
 * - `ratings.csv`: `Date,Name,Year,Letterboxd URI,Rating` (Date: the day it was rated; Rating 0.5–5
 *   in half stars);
 * - `diary.csv`: `Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date` (one line per
 *   watch logged; Date is the day it was logged, Watched Date the day it was seen, Rewatch `Yes` or
 *   empty);
 * - dates are `YYYY-MM-DD`; files under `deleted/` and `orphaned/` and `watchlist.csv` (films not yet
 *   seen, same header as watched.csv) are not history; `reviews.csv` repeats diary lines.
 * The diary's Letterboxd URI names the diary entry, not the film, so rows are grouped by normalized
 * title and year, which all three files share.
 */

type Kind = "diary" | "ratings" | "watched";

const BASE = ["Date", "Name", "Year"] as const;
const needed: Record<Kind, ReadonlyArray<string>> = {
  diary: [...BASE, "Rating", "Watched Date"],
  ratings: [...BASE, "Rating"],
  watched: BASE,
};

const knownNames: Record<string, Kind> = {
  "diary.csv": "diary",
  "ratings.csv": "ratings",
  "watched.csv": "watched",
};

/** Files of the archive that are not the user's viewing history. */
const notHistory = (path: string) =>
  /(^|\/)(deleted|orphaned)\//iu.test(path) || !/\.csv$/iu.test(path) || !(baseName(path) in knownNames);

const baseName = (path: string) => (path.split("/").pop() ?? "").toLowerCase();

/** A lone CSV upload, named or not, is recognised by its header. */
const kindOfHeader = (header: ReadonlyArray<string>): Kind | undefined => {
  const has = (name: string) => header.includes(name);
  if (!BASE.every(has)) return undefined;
  if (has("Watched Date")) return "diary";
  if (has("Rating")) return "ratings";
  return "watched";
};

const STARS = /^(?:[0-4](?:\.[05])?|5(?:\.0)?|0?\.5)$/u;

/** `3.5` stars → 7 on our scale; undefined when it is not a half-star rating from 0.5 to 5. */
export const letterboxdStars = (text: string): number | undefined => {
  if (!STARS.test(text)) return undefined;
  const doubled = Number(text) * 2;
  return doubled >= 1 && doubled <= 10 ? doubled : undefined;
};

const readFile = (
  file: ExportFile,
  kind: Kind | undefined,
  observations: Array<Observation>,
  problems: Array<ExportProblem>,
): Kind | undefined => {
  const parsed = parseCsv(file.text);
  const header = (parsed.records[0]?.fields ?? []).map((name) => name.trim());
  const actual = kind ?? kindOfHeader(header);
  const label = file.name === "" ? "upload" : file.name;
  if (actual === undefined) {
    problems.push({
      file: label,
      line: 1,
      message: `not a Letterboxd watched, ratings or diary file (header: ${header.join(",") || "none"})`,
    });
    return undefined;
  }
  const table = csvTable(parsed, needed[actual]);
  const own: Array<ExportProblem> = table.problems.map((problem) => ({ file: label, ...problem }));
  const at = (record: CsvRecord, name: string) => {
    const index = table.column(name);
    return index < 0 ? "" : (record.fields[index] ?? "").trim();
  };
  for (const record of table.rows) {
    const issues: Array<string> = [];
    const title = at(record, "Name");
    if (title === "") {
      own.push({ file: label, line: record.line, message: "no film name" });
      continue;
    }
    const yearText = at(record, "Year");
    const year = /^\d{4}$/u.test(yearText) ? Number(yearText) : undefined;
    if (yearText !== "" && year === undefined) issues.push(`the year ${JSON.stringify(yearText)} is not one`);
    const dateText = at(record, "Date");
    const date = parseDay(dateText);
    if (dateText !== "" && date === undefined)
      issues.push(`the date ${JSON.stringify(dateText)} is not a day`);
    let rating: Observation["rating"];
    if (actual !== "watched") {
      const stars = at(record, "Rating");
      const value = stars === "" ? undefined : letterboxdStars(stars);
      if (stars !== "" && value === undefined)
        issues.push(`the rating ${JSON.stringify(stars)} is not 0.5–5 stars in half stars`);
      if (value !== undefined) rating = { value, authority: actual === "ratings" ? 2 : 1, at: date };
    }
    // A diary line is a watch: on its watched date, else on the day it was logged. The other files
    // only say the film was seen by the day it was marked or rated.
    let watched_at: number | undefined;
    if (actual === "diary") {
      const watchedText = at(record, "Watched Date");
      const watchedDay = parseDay(watchedText);
      if (watchedText !== "" && watchedDay === undefined)
        issues.push(`the watched date ${JSON.stringify(watchedText)} is not a day; the logged date is used`);
      watched_at = watchedDay ?? date;
    }
    if (issues.length > 0) own.push({ file: label, line: record.line, message: issues.join("; ") });
    observations.push({
      key: titleYearKey(title, year),
      title,
      ...(year === undefined ? {} : { year }),
      ...(rating === undefined ? {} : { rating }),
      ...(watched_at === undefined ? {} : { watched_at }),
      ...(date === undefined || actual === "diary" ? {} : { seen_by: date }),
      watches: 1,
      additive: actual === "diary",
    });
  }
  problems.push(...own.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
  return actual;
};

/**
 * The films of a Letterboxd export: the CSV files of its ZIP (by name), or one CSV uploaded alone
 * (by its header). Fails when nothing in it is a watched, ratings or diary file.
 */
export const parseLetterboxdExport = (
  files: ReadonlyArray<ExportFile>,
): Either.Either<ParsedExport, ExportUnreadable> => {
  const observations: Array<Observation> = [];
  const problems: Array<ExportProblem> = [];
  const read: Array<string> = [];
  const archive = files.length > 1 || files.some((file) => file.name.includes("/"));
  for (const file of files) {
    const named = knownNames[baseName(file.name)];
    if (archive && notHistory(file.name)) continue;
    if (readFile(file, archive ? named : undefined, observations, problems) !== undefined)
      read.push(file.name);
  }
  return exportOrUnreadable(
    read,
    observations,
    problems,
    "no watched.csv, ratings.csv or diary.csv in the export (Letterboxd: Settings → Import & Export → Export your data)",
  );
};

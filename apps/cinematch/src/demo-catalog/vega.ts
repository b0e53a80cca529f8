import { readFile } from "node:fs/promises";
import type { CatalogEntry } from "@cinematch/adapters";
import { decoderFor, Film, normalizeTitle, parseTitle } from "@cinematch/domain";
import { Either, Schema } from "effect";
import { repairMacRomanMojibake } from "./mojibake.ts";

/**
 * The demo catalog of the embedded default: vega-datasets' `data/movies.json` (npm `vega-datasets`
 * 3.2.1, BSD-3-Clause), 3,201 US releases up to 2010 with title, release date, major genre, director
 * and running time. The file carries deliberate errors (it is a data-cleaning teaching set); each
 * row is cleaned where the fix is certain, skipped where it is not, and the choices are counted in
 * the report so `npm start` can say what it loaded.
 */

/** The raw row, only the fields we use; every one may be null (and `Title` may be a number). */
const VegaRow = Schema.Struct({
  Title: Schema.NullOr(Schema.Union(Schema.String, Schema.Number)),
  "Release Date": Schema.NullOr(Schema.String),
  "Major Genre": Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  Director: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  "Running Time min": Schema.optionalWith(Schema.NullOr(Schema.Number), { default: () => null }),
  "IMDB Votes": Schema.optionalWith(Schema.NullOr(Schema.Number), { default: () => null }),
  "US Gross": Schema.optionalWith(Schema.NullOr(Schema.Number), { default: () => null }),
});
const decodeRow = decoderFor(VegaRow, "vega-datasets movies.json row");
const decodeFilm = decoderFor(Film, "film");

export interface SkippedRow {
  /** Index in `movies.json` (0-based). */
  readonly row: number;
  readonly reason: string;
}

export interface VegaReport {
  readonly rows: number;
  readonly films: number;
  readonly skipped: ReadonlyArray<SkippedRow>;
  readonly cleaned: {
    /** `1776`, `300`, `2012`…: real titles the file stores as numbers; turned back into text. */
    readonly numeric_titles: number;
    /** Windows-1252 text once read as Mac OS Roman (`LÈon` → `Léon`). */
    readonly mojibake_titles: number;
    /** Two-digit years expanded into the wrong century (`Gone with the Wind`, `Dec 15 2039` → 1939). */
    readonly years_moved_back_a_century: number;
    /** Rows whose year came from the title (`King Kong (1933)`) rather than the release date. */
    readonly years_from_title: number;
  };
  /** Rows that came out as a film already loaded (same normalized title and year), merged into the first. */
  readonly duplicates: ReadonlyArray<{
    readonly row: number;
    readonly movie_id: string;
    readonly first_row: number;
  }>;
}

export interface VegaCatalog {
  readonly entries: ReadonlyArray<CatalogEntry>;
  readonly report: VegaReport;
}

/**
 * The newest genuine release in the file is from 2011 (the set was compiled around 2010); a later
 * year is a two-digit year put into the wrong century.
 */
const lastGenuineYear = 2012;

/** `Major Genre` in MovieLens' genre names, so trends read the same whichever catalog is loaded. */
const genreNames: Readonly<Record<string, ReadonlyArray<string>>> = {
  Action: ["Action"],
  Adventure: ["Adventure"],
  "Black Comedy": ["Comedy"],
  Comedy: ["Comedy"],
  "Concert/Performance": ["Documentary", "Musical"],
  Documentary: ["Documentary"],
  Drama: ["Drama"],
  Horror: ["Horror"],
  Musical: ["Musical"],
  "Romantic Comedy": ["Comedy", "Romance"],
  "Thriller/Suspense": ["Thriller"],
  Western: ["Western"],
};

/** Parenthesised notes about a release, not alternative titles: `(IMAX)`, `(Theatrical Release)`. */
const releaseNote = /\b(?:release|imax|version|cut|edition|re-?issue)\b/iu;

const releaseDate = /^[A-Z][a-z]{2} \d{2} (\d{4})$/;

/**
 * A stable movie id from what identifies the film, not from its place in the file: FNV-1a (32 bits)
 * of the normalized title and the year, in decimal. Reordering or extending the file keeps every id.
 */
export const vegaMovieId = (title: string, year: number | undefined): string => {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(`${normalizeTitle(title)}|${year ?? ""}`)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `vega-${hash}`;
};

const firstIssue = (error: { readonly issues: ReadonlyArray<{ path: string; message: string }> }) =>
  error.issues.map((i) => `${i.path || "(row)"}: ${i.message}`).join("; ");

/** Cleans and maps the rows of `movies.json` to catalog entries, each decoded with the domain's `Film` schema. */
export const vegaCatalog = (rows: unknown): VegaCatalog => {
  if (!Array.isArray(rows)) throw new TypeError("vega-datasets movies.json: expected an array of rows");
  const skipped: SkippedRow[] = [];
  const duplicates: Array<{ row: number; movie_id: string; first_row: number }> = [];
  const cleaned = {
    numeric_titles: 0,
    mojibake_titles: 0,
    years_moved_back_a_century: 0,
    years_from_title: 0,
  };
  const firstRowOf = new Map<string, number>();
  const entries: CatalogEntry[] = [];

  rows.forEach((raw: unknown, index) => {
    const decoded = decodeRow(raw);
    if (Either.isLeft(decoded)) {
      skipped.push({ row: index, reason: firstIssue(decoded.left) });
      return;
    }
    const row = decoded.right;
    if (row.Title === null || String(row.Title).trim() === "") {
      skipped.push({ row: index, reason: "no title" });
      return;
    }
    let rawTitle: string;
    if (typeof row.Title === "number") {
      cleaned.numeric_titles += 1;
      rawTitle = String(row.Title);
    } else {
      rawTitle = repairMacRomanMojibake(row.Title);
      if (rawTitle !== row.Title) cleaned.mojibake_titles += 1;
    }
    const parsed = parseTitle(rawTitle);

    let year: number | undefined;
    const date = row["Release Date"] === null ? null : releaseDate.exec(row["Release Date"].trim());
    if (date !== null) {
      year = Number(date[1]);
      if (year > lastGenuineYear) {
        year -= 100;
        cleaned.years_moved_back_a_century += 1;
      }
    }
    if (parsed.year !== undefined && parsed.year !== year) {
      year = parsed.year;
      cleaned.years_from_title += 1;
    }

    const genres = row["Major Genre"] === null ? undefined : genreNames[row["Major Genre"].trim()];
    const director = row.Director?.trim();
    const runtime = row["Running Time min"];
    const candidate = {
      movie_id: vegaMovieId(parsed.title, year),
      title: parsed.title,
      ...(year === undefined ? {} : { year }),
      ...(genres === undefined ? {} : { genres }),
      ...(director ? { directors: [director] } : {}),
      ...(runtime === null ? {} : { runtime_minutes: runtime }),
    };
    const film = decodeFilm(candidate);
    if (Either.isLeft(film)) {
      skipped.push({ row: index, reason: firstIssue(film.left) });
      return;
    }
    const first = firstRowOf.get(film.right.movie_id);
    if (first !== undefined) {
      // The same film listed twice (`Fantasia 2000 (IMAX)` and `(Theatrical Release)`): one entry,
      // the first row's fields, completed by the later row's where the first has none.
      duplicates.push({ row: index, movie_id: film.right.movie_id, first_row: first });
      const at = entries.findIndex((e) => e.film.movie_id === film.right.movie_id);
      const kept = entries[at]!;
      entries[at] = { ...kept, film: { ...film.right, ...kept.film } };
      return;
    }
    firstRowOf.set(film.right.movie_id, index);
    const aliases = parsed.aliases.filter((alias) => !releaseNote.test(alias));
    // The popularity prior of search: how many IMDB users rated the film when the set was made, and
    // its US gross where the set left the votes out.
    const count = (value: number | null) =>
      value !== null && Number.isInteger(value) && value >= 0 ? value : undefined;
    const imdbVotes = count(row["IMDB Votes"]);
    const gross = count(row["US Gross"]);
    const known =
      imdbVotes === undefined && gross === undefined
        ? {}
        : {
            votes: {
              ...(imdbVotes === undefined ? {} : { imdb: imdbVotes }),
              ...(gross === undefined ? {} : { us_gross_usd: gross }),
            },
          };
    entries.push(
      aliases.length === 0 ? { film: film.right, ...known } : { film: film.right, aliases, ...known },
    );
  });

  return {
    entries,
    report: { rows: rows.length, films: entries.length, skipped, cleaned, duplicates },
  };
};

/** Where `vega-datasets` keeps `movies.json` (the package exports no data paths, so it is found beside its entry). */
export const vegaMoviesPath = (): string =>
  new URL("../data/movies.json", import.meta.resolve("vega-datasets")).pathname;

/** Reads and cleans the installed package's `movies.json`. */
export const loadVegaCatalog = async (path: string = vegaMoviesPath()): Promise<VegaCatalog> =>
  vegaCatalog(JSON.parse(await readFile(path, "utf8")));

/** One line for the start-up banner. */
export const describeVegaReport = (report: VegaReport): string => {
  const c = report.cleaned;
  return (
    `${report.films} films from vega-datasets movies.json (${report.rows} rows: ` +
    `${report.skipped.length} skipped, ${report.duplicates.length} duplicates merged; cleaned ` +
    `${c.numeric_titles} numeric titles, ${c.mojibake_titles} garbled accents, ` +
    `${c.years_moved_back_a_century} years in the wrong century, ${c.years_from_title} years taken from the title)`
  );
};

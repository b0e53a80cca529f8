import { redactUrl } from "../command-line/servers.ts";
import { type CatalogApplied, describeApplied } from "./apply.ts";
import type { MergeReport } from "./merge.ts";
import type { Reading } from "./reading.ts";

// Step 4 of an import: what was read, merged and written, in a few lines.

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export const summary = (
  report: MergeReport,
  reading: Reading,
  skipped: number,
  applied: CatalogApplied | undefined,
  dryEntries: number,
  mongoUrl: string | undefined,
  verbose: boolean,
): string => {
  const lines = ["catalog import summary:"];
  if (reading.movielens.length > 0 || report.movielens_films > 0) {
    lines.push(
      `  MovieLens films read:   ${report.movielens_films} (${reading.links.size} with links.csv ids)`,
    );
  }
  if (reading.imdb.length > 0 || report.imdb_films > 0) {
    lines.push(
      `  IMDB films read:        ${report.imdb_films}${reading.imdbDuplicates > 0 ? ` (${plural(reading.imdbDuplicates, "duplicate row")} folded into the first)` : ""}`,
    );
  }
  if (report.movielens_films > 0 && report.imdb_films > 0) {
    const merged = report.merged_exact + report.merged_fuzzy.length;
    lines.push(
      `  merged (in both):       ${merged} (${report.merged_exact} on exact title and year, ${report.merged_fuzzy.length} on a looser match)`,
      `  IMDB only:              ${report.imdb_only} (${report.ambiguous.length} where the matcher hesitated, ${report.conflicts.length} whose match was taken)`,
      `  MovieLens only:         ${report.movielens_only}`,
    );
  }
  lines.push(`  films in these files:   ${report.total}`);
  if (skipped > 0) lines.push(`  bad lines skipped:      ${skipped}`);
  if (applied === undefined || mongoUrl === undefined) {
    lines.push(
      `  catalog entries:        ${dryEntries} (these files alone)`,
      "  written:                nothing (--dry-run)",
    );
  } else {
    lines.push(...describeApplied(applied, redactUrl(mongoUrl)));
  }
  if (verbose) {
    for (const m of report.merged_fuzzy)
      lines.push(`  loose match: line ${m.imdb_line} "${m.title}" -> ${m.movie_id}: ${m.reason}`);
    for (const a of report.ambiguous)
      lines.push(`  hesitated: line ${a.imdb_line} "${a.title}": ${a.candidates.join(" | ")}`);
    for (const c of report.conflicts)
      lines.push(`  taken: line ${c.imdb_line} "${c.title}" matched the film of line ${c.taken_by_line}`);
  }
  return lines.join("\n");
};

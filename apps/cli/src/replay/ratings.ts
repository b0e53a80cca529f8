import type { LineProblem } from "../catalog-import/problems.ts";

/** One line of MovieLens `ratings.csv` (`userId,movieId,rating,timestamp`; 0.5–5 stars, epoch seconds). */
export interface MovieLensRating {
  readonly line: number;
  readonly user: number;
  readonly movie: number;
  /** Stars, 0.5 to 5 in steps of 0.5. */
  readonly stars: number;
  /** Epoch seconds. */
  readonly timestamp: number;
}

const HEADER = ["userId", "movieId", "rating", "timestamp"];
const whole = /^\d+$/;

/**
 * Reads `ratings.csv` (plain numbers, no quoting). Every bad line is reported with its number and
 * what is wrong; the good ones are returned in file order.
 */
export const readMovieLensRatings = (
  text: string,
  file: string,
): { readonly ratings: ReadonlyArray<MovieLensRating>; readonly problems: ReadonlyArray<LineProblem> } => {
  const problems: Array<LineProblem> = [];
  const ratings: Array<MovieLensRating> = [];
  const lines = text.split(/\r\n|\n|\r/);
  const header = (lines[0] ?? "")
    .replace(/^\uFEFF/, "")
    .split(",")
    .map((h) => h.trim());
  if (HEADER.some((name, i) => header[i] !== name)) {
    problems.push({
      file,
      line: 1,
      message: `the header must be ${HEADER.join(",")}, got ${JSON.stringify(lines[0] ?? "")}`,
    });
    return { ratings, problems };
  }
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === "") continue;
    const line = i + 1;
    const fields = raw.split(",").map((f) => f.trim());
    if (fields.length !== 4) {
      problems.push({
        file,
        line,
        message: `4 fields expected (userId,movieId,rating,timestamp), got ${fields.length}`,
      });
      continue;
    }
    const [userText, movieText, ratingText, timeText] = fields as [string, string, string, string];
    const issues: Array<string> = [];
    const stars = Number(ratingText);
    if (!whole.test(userText) || Number(userText) < 1)
      issues.push(`"userId": a positive whole number, got ${JSON.stringify(userText)}`);
    if (!whole.test(movieText) || Number(movieText) < 1)
      issues.push(`"movieId": a positive whole number, got ${JSON.stringify(movieText)}`);
    if (
      ratingText === "" ||
      !Number.isFinite(stars) ||
      stars < 0.5 ||
      stars > 5 ||
      !Number.isInteger(stars * 2)
    ) {
      issues.push(`"rating": 0.5 to 5 in steps of 0.5, got ${JSON.stringify(ratingText)}`);
    }
    if (!whole.test(timeText)) issues.push(`"timestamp": epoch seconds, got ${JSON.stringify(timeText)}`);
    if (issues.length > 0) {
      problems.push({ file, line, message: issues.join("; ") });
      continue;
    }
    ratings.push({
      line,
      user: Number(userText),
      movie: Number(movieText),
      stars,
      timestamp: Number(timeText),
    });
  }
  return { ratings, problems };
};

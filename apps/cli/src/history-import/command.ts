import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { parseArgs } from "node:util";
import type { ImportReport, ImportSource } from "@cinematch/domain";

/** The report as the API sends it (timestamps as ISO text). */
type ReportWire = typeof ImportReport.Encoded;
type UnmatchedWire = ReportWire["unmatched"][number];

export const HISTORY_IMPORT_USAGE = `Usage: cinematch import letterboxd FILE [options]
       cinematch import trakt FILE [options]

Imports a film history into a CineMatch account through the API, and prints the report: films
matched, added, already present and updated, and each film not matched, with the reason and the
closest catalog films (add one with POST /movies, or on the dashboard's import screen).

  FILE                Letterboxd: the export ZIP or one of its CSV files (watched, ratings, diary).
                      Trakt: the export ZIP or one of its JSON files (watched-movies, ratings-movies).
  --api-url URL       the API (default: CINEMATCH_API_URL, else http://127.0.0.1:8000)
  --email EMAIL       log in as this account (default: CINEMATCH_EMAIL); the password comes from
                      CINEMATCH_PASSWORD, never from the command line. Without them: CINEMATCH_TOKEN.
  --json              print the report as JSON (as GET /imports/{id} gives it)
  --timeout SECONDS   longest wait for the import to finish (default 1800)
  -h, --help          this text

Importing the same file again changes nothing. Exit status: 0 done; 1 the file was refused (the
reason is printed); 2 wrong arguments; 3 the API failed or the import did not finish.`;

export interface HistoryImportIO {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** How long to wait between two looks at the report. */
  readonly pollMs?: number;
}

const EXIT_OK = 0;
const EXIT_REFUSED = 1;
const EXIT_USAGE = 2;
const EXIT_SERVER = 3;

const contentTypes: Record<string, string> = {
  ".zip": "application/zip",
  ".csv": "text/csv",
  ".json": "application/json",
};

class ApiFailure extends Error {
  readonly exit: number;
  constructor(message: string, exit: number) {
    super(message);
    this.exit = exit;
  }
}

const answerText = async (response: Response) => {
  const text = await response.text();
  try {
    return (JSON.parse(text) as { message?: string }).message ?? text;
  } catch {
    return text;
  }
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The report as people read it: the counts, then every unmatched film with its closest candidates. */
export const formatImportReport = (report: ReportWire): string => {
  const lines = [
    `import ${report.import_id} (${report.source}): ${report.status}`,
    `  films in the export  ${report.films}`,
    `  matched              ${report.matched}`,
    `    added              ${report.added}`,
    `    already present    ${report.already_present}`,
    `    updated            ${report.updated}`,
    `  not matched          ${report.unmatched_count}`,
  ];
  if (report.matched > 0 || report.unmatched_count > 0) {
    const rate = (100 * report.matched) / (report.matched + report.unmatched_count);
    lines.push(`  match rate           ${rate.toFixed(1)}%`);
  }
  if (report.error !== undefined) lines.push(`  error: ${report.error}`);
  const film = (f: UnmatchedWire) => `${f.title}${f.year === undefined ? "" : ` (${f.year})`}`;
  for (const unmatched of report.unmatched) {
    const why = unmatched.reason === "ambiguous" ? "several films fit" : "not in the catalog";
    lines.push(`  ? ${film(unmatched)}: ${why}`);
    for (const candidate of unmatched.candidates) {
      const c = candidate.film;
      lines.push(
        `      ${c.movie_id}  ${c.title}${c.year === undefined ? "" : ` (${c.year})`}  score ${candidate.score}`,
      );
    }
  }
  if (report.unmatched.length < report.unmatched_count)
    lines.push(`  … and ${report.unmatched_count - report.unmatched.length} more not matched`);
  for (const problem of report.problems)
    lines.push(
      `  ! ${problem.file}${problem.line === undefined ? "" : `:${problem.line}`}: ${problem.message}`,
    );
  if (report.problems.length < report.problem_count)
    lines.push(`  … and ${report.problem_count - report.problems.length} more problems`);
  return `${lines.join("\n")}\n`;
};

/** `cinematch import letterboxd|trakt FILE`: upload, follow the progress, print the report. */
export const runHistoryImport = async (argv: ReadonlyArray<string>, io: HistoryImportIO): Promise<number> => {
  const usage = (message: string) => {
    io.stderr.write(`cinematch import: ${message}\n\n${HISTORY_IMPORT_USAGE}\n`);
    return EXIT_USAGE;
  };
  let parsed: ReturnType<typeof parse>;
  const parse = () =>
    parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        "api-url": { type: "string" },
        email: { type: "string" },
        json: { type: "boolean" },
        timeout: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  try {
    parsed = parse();
  } catch (error) {
    return usage((error as Error).message);
  }
  const { values: options, positionals } = parsed;
  if (options.help) {
    io.stdout.write(`${HISTORY_IMPORT_USAGE}\n`);
    return EXIT_OK;
  }
  const [source, file, ...extra] = positionals;
  if (source !== "letterboxd" && source !== "trakt") return usage("say letterboxd or trakt");
  if (file === undefined) return usage("give the export FILE");
  if (extra.length > 0) return usage(`unexpected ${JSON.stringify(extra.join(" "))}`);
  const timeoutSeconds = options.timeout === undefined ? 1800 : Number(options.timeout);
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1)
    return usage("--timeout: whole seconds, at least 1");
  const email = options.email ?? io.env.CINEMATCH_EMAIL;
  const password = io.env.CINEMATCH_PASSWORD;
  const presetToken = io.env.CINEMATCH_TOKEN;
  if (email !== undefined && password === undefined)
    return usage("set CINEMATCH_PASSWORD for the account (passwords never go on the command line)");
  if (email === undefined && presetToken === undefined)
    return usage("sign in: --email (or CINEMATCH_EMAIL) with CINEMATCH_PASSWORD, or CINEMATCH_TOKEN");
  const apiUrl = (options["api-url"] ?? io.env.CINEMATCH_API_URL ?? "http://127.0.0.1:8000").replace(
    /\/+$/u,
    "",
  );

  let body: Buffer;
  try {
    body = await readFile(file);
  } catch (error) {
    io.stderr.write(`cinematch import: cannot read ${file}: ${(error as Error).message}\n`);
    return EXIT_REFUSED;
  }

  try {
    const token = email !== undefined ? await logIn(apiUrl, email, password!) : presetToken!;
    const report = await importAndWait(apiUrl, token, source, file, body, io, timeoutSeconds * 1000);
    io.stdout.write(options.json ? `${JSON.stringify(report)}\n` : formatImportReport(report));
    return report.status === "done" ? EXIT_OK : EXIT_SERVER;
  } catch (error) {
    io.stderr.write(`cinematch import: ${(error as Error).message}\n`);
    return error instanceof ApiFailure ? error.exit : EXIT_SERVER;
  }
};

const logIn = async (apiUrl: string, email: string, password: string): Promise<string> => {
  const response = await fetch(`${apiUrl}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200)
    throw new ApiFailure(
      `log in as ${email} failed (${response.status}): ${await answerText(response)}`,
      EXIT_SERVER,
    );
  return ((await response.json()) as { token: string }).token;
};

const importAndWait = async (
  apiUrl: string,
  token: string,
  source: ImportSource,
  file: string,
  body: Buffer,
  io: HistoryImportIO,
  timeoutMs: number,
): Promise<ReportWire> => {
  const authorization = `Bearer ${token}`;
  const started = await fetch(`${apiUrl}/imports/${source}`, {
    method: "POST",
    headers: {
      authorization,
      "content-type": contentTypes[extname(file).toLowerCase()] ?? "application/octet-stream",
    },
    body: new Uint8Array(body),
  });
  if (started.status !== 202) {
    const refused = started.status === 413 || started.status === 415 || started.status === 422;
    throw new ApiFailure(
      `the API ${refused ? "refused" : "could not take"} ${file} (${started.status}): ${await answerText(started)}`,
      refused ? EXIT_REFUSED : EXIT_SERVER,
    );
  }
  const { report_url } = (await started.json()) as { report_url: string };
  const deadline = Date.now() + timeoutMs;
  let shown = "";
  for (;;) {
    const response = await fetch(`${apiUrl}${report_url}`, { headers: { authorization } });
    if (response.status !== 200)
      throw new ApiFailure(
        `reading the report failed (${response.status}): ${await answerText(response)}`,
        EXIT_SERVER,
      );
    const report = (await response.json()) as ReportWire;
    const progress = `${report.processed}/${report.matched} written`;
    if (progress !== shown) {
      io.stderr.write(`import: ${progress}\n`);
      shown = progress;
    }
    if (report.status !== "running") return report;
    if (Date.now() > deadline)
      throw new ApiFailure(
        `the import did not finish within ${timeoutMs / 1000} s (${report_url})`,
        EXIT_SERVER,
      );
    await sleep(io.pollMs ?? 500);
  }
};

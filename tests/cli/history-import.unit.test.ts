import { describe, expect, it } from "vitest";
import { formatImportReport, runHistoryImport } from "@cinematch/cli/history-import";

const run = async (argv: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  let stdout = "";
  let stderr = "";
  const code = await runHistoryImport(argv, {
    env,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
};
const signedIn = { CINEMATCH_EMAIL: "a@example.com", CINEMATCH_PASSWORD: "correct horse battery" };

describe("cinematch import, before it reaches the API", () => {
  it("given --help, when run, then the usage goes to stdout and exit is 0", async () => {
    const result = await run(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/cinematch import letterboxd FILE/);
  });

  it.each([
    [[], "say letterboxd or trakt"],
    [["netflix", "x.csv"], "say letterboxd or trakt"],
    [["letterboxd"], "give the export FILE"],
    [["letterboxd", "a.csv", "b.csv"], "unexpected"],
    [["trakt", "x.json", "--timeout", "0"], "--timeout"],
  ])("given %j, when run, then it explains (%s) and exits 2", async (argv, message) => {
    const result = await run(argv, signedIn);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it("given no way to sign in, when run, then it says which variables to set and exits 2", async () => {
    const result = await run(["letterboxd", "x.csv"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/CINEMATCH_PASSWORD.*CINEMATCH_TOKEN/);
  });

  it("given an email without a password, when run, then the password is asked of the environment, never of the command line", async () => {
    const result = await run(["letterboxd", "x.csv", "--email", "a@example.com"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/set CINEMATCH_PASSWORD/);
  });

  it("given a file that does not exist, when run, then it is named and exit is 1", async () => {
    const result = await run(["letterboxd", "/nonexistent/export.zip"], signedIn);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("/nonexistent/export.zip");
  });
});

describe("the printed report", () => {
  it("given a finished import with an ambiguous film, when printed, then the counts, the match rate and each candidate are listed", () => {
    const text = formatImportReport({
      import_id: "imp-1",
      source: "letterboxd",
      status: "done",
      created_at: "2026-12-05T02:00:00.000Z",
      updated_at: "2026-12-05T02:00:05.000Z",
      films: 4,
      matched: 3,
      processed: 3,
      added: 2,
      already_present: 0,
      updated: 1,
      unmatched_count: 1,
      unmatched: [
        {
          title: "Solaris",
          reason: "ambiguous",
          candidates: [
            { film: { movie_id: "ml-3", title: "Solaris", year: 1972 }, score: 0.9, reason: "matches title" },
            { film: { movie_id: "ml-4", title: "Solaris", year: 2002 }, score: 0.9, reason: "matches title" },
          ],
          watch_count: 1,
        },
      ],
      problems: [{ file: "diary.csv", line: 7, message: 'the date "2021-02-29" is not a day' }],
      problem_count: 1,
    });
    expect(text).toContain("import imp-1 (letterboxd): done");
    expect(text).toMatch(/added\s+2/);
    expect(text).toMatch(/updated\s+1/);
    expect(text).toMatch(/match rate\s+75\.0%/);
    expect(text).toContain("? Solaris: several films fit");
    expect(text).toContain("ml-3  Solaris (1972)");
    expect(text).toContain("! diary.csv:7:");
  });
});

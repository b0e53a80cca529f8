import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// `cinematch catalog import` as a process, through the CLI's dispatcher: exit status and streams.
const repoRoot = join(import.meta.dirname, "..", "..");
const cli = join(repoRoot, "apps", "cli", "src", "main.ts");
const fixtures = join(import.meta.dirname, "fixtures");

const cinematch = (...args: string[]) => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CINEMATCH_CACHE_DIR: mkdtempSync(join(tmpdir(), "cli-proc-")),
  };
  delete env.MONGODB_URL;
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd: repoRoot,
    env,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
};

describe("the cinematch process", () => {
  it("given good files and --dry-run, when run, then it exits 0 with the summary on stdout", () => {
    const result = cinematch(
      "catalog",
      "import",
      "--imdb",
      join(fixtures, "imdb-good.csv"),
      "--movielens",
      join(fixtures, "movielens-good"),
      "--dry-run",
    );
    expect(result.stderr).not.toMatch(/:\d+: /);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("catalog entries:        9");
  });

  it("given a bad file, when run, then it exits 1 and stderr lists every bad line with its number", () => {
    const result = cinematch("catalog", "import", "--imdb", join(fixtures, "imdb-bad.csv"), "--dry-run");
    expect(result.code).toBe(1);
    const lines = result.stderr.split("\n").filter((l) => l.startsWith(join(fixtures, "imdb-bad.csv")));
    expect(lines.map((l) => Number(/\.csv:(\d+):/.exec(l)?.[1]))).toEqual([4, 5, 6, 7, 8, 9, 11, 12]);
  });

  it("given no database and no running stack, when run without --dry-run, then it exits 2 and says what to set", () => {
    const result = cinematch("catalog", "import", "--imdb", join(fixtures, "imdb-good.csv"));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("MONGODB_URL");
  });
});

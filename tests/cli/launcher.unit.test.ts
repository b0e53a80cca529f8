import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// `npx cinematch` runs this file; it once imported the CLI without running it and exited 0 silently.
const launcher = fileURLToPath(new URL("../../apps/cli/bin/cinematch.js", import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [launcher, ...args], { encoding: "utf8" });

describe("the cinematch launcher (bin)", () => {
  it("given --help, when run, then it prints the commands and exits 0", () => {
    const result = run("--help");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/catalog import/);
    expect(result.stdout).toMatch(/replay/);
  });

  it("given an unknown command, when run, then it says so on stderr and exits 2", () => {
    const result = run("frobnicate");
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/unknown command "frobnicate"/);
  });
});

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { RELAUNCHED, relaunchPlan } from "../../apps/cli/bin/relaunch.js";

const launcher = fileURLToPath(new URL("../../apps/cli/bin/cinematch.js", import.meta.url));
const script = fileURLToPath(new URL("../../scripts/node24.sh", import.meta.url));
const base = { env: {}, self: launcher, args: ["catalog", "import", "--help"], exists: existsSync };

describe("the launcher's plan", () => {
  it("given Node 24 or 22.18, when planned, then the CLI runs in this process", () => {
    expect(relaunchPlan({ ...base, version: "24.1.0" })).toEqual({ kind: "run" });
    expect(relaunchPlan({ ...base, version: "22.18.0" })).toEqual({ kind: "run" });
  });

  it("given Node 20 in the repository, when planned, then it re-executes itself through scripts/node24.sh with the same arguments", () => {
    const plan = relaunchPlan({ ...base, version: "20.20.2", env: { HOME: "/root" } });
    expect(plan).toEqual({
      kind: "relaunch",
      command: "sh",
      args: [script, "node", launcher, "catalog", "import", "--help"],
      env: { HOME: "/root", [RELAUNCHED]: "1" },
    });
  });

  it("given Node 20 again after a relaunch, when planned, then it refuses instead of looping", () => {
    const plan = relaunchPlan({ ...base, version: "20.20.2", env: { [RELAUNCHED]: "1" } });
    expect(plan).toMatchObject({ kind: "refuse", message: expect.stringMatching(/not Node 24/) });
  });

  it("given Node 20 and no scripts/node24.sh beside the launcher, when planned, then it refuses naming the version needed", () => {
    const plan = relaunchPlan({ ...base, version: "20.20.2", exists: () => false });
    expect(plan).toMatchObject({
      kind: "refuse",
      message: expect.stringMatching(/needs Node 22\.18 or newer \(found 20\.20\.2\)/),
    });
  });
});

/** The machine's own Node, found on PATH outside the project's Node 24 cache (Node 20 on our machines). */
const machineNode = (): string | undefined =>
  (process.env.PATH ?? "")
    .split(delimiter)
    .filter((dir) => dir !== "" && !dir.includes("node24") && !dir.includes("node_modules"))
    .map((dir) => join(dir, "node"))
    .find(existsSync);

describe("the launcher run by the machine's own Node", () => {
  it("given `cinematch --help`, when run, then it prints the commands and exits 0 (relaunched under Node 24 when that Node is older)", () => {
    const node = machineNode() ?? process.execPath;
    const result = spawnSync(node, [launcher, "--help"], { encoding: "utf8", timeout: 120_000 });
    expect(result.stderr).not.toMatch(/needs Node/);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/catalog import/);
  });

  it("given an unknown command, when run, then its exit status 2 comes through the relaunch", () => {
    const node = machineNode() ?? process.execPath;
    const result = spawnSync(node, [launcher, "frobnicate"], { encoding: "utf8", timeout: 120_000 });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/unknown command "frobnicate"/);
  });
});

#!/usr/bin/env node
// `cinematch` (npx cinematch …): the CLI is TypeScript run natively by Node 24 (type stripping).
// On an older Node (the machines' own is 20) it re-executes itself through scripts/node24.sh, which
// installs the project's Node 24 into the ignored cache once, exactly as the npm scripts do, so the
// README's `npx cinematch …` works wherever `npm start` does.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { relaunchPlan } from "./relaunch.js";

const plan = relaunchPlan({
  version: process.versions.node,
  env: process.env,
  self: fileURLToPath(import.meta.url),
  args: process.argv.slice(2),
  exists: existsSync,
});

if (plan.kind === "refuse") {
  process.stderr.write(`${plan.message}\n`);
  process.exit(2);
} else if (plan.kind === "relaunch") {
  const child = spawn(plan.command, plan.args, { stdio: "inherit", env: plan.env });
  // Ctrl-C reaches the child through the terminal's process group; the parent only waits for it.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => {});
  child.on("error", (cause) => {
    process.stderr.write(`cinematch: could not start Node 24 through ${plan.args[0]}: ${cause.message}\n`);
    process.exit(2);
  });
  child.on("exit", (code, signal) => {
    process.exit(code ?? (signal === null ? 1 : 128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 }[signal] ?? 0)));
  });
} else {
  // Imported, main.ts's own `import.meta.main` entry does not run, so the launcher dispatches itself.
  const { dispatch } = await import("../src/main.ts");
  process.title = `cinematch ${process.argv.slice(2, 4).join(" ")}`.trim();
  process.exitCode = await dispatch(process.argv.slice(2));
}

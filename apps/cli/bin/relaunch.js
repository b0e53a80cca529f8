// Plain JavaScript on purpose: it must load on any Node, before type stripping is known to exist.
import { dirname, join } from "node:path";

/** Type stripping of `.ts` files without a flag arrived in Node 22.18 (and 23.6). */
const runsTypeScript = (version) => {
  const [major, minor] = version.split(".").map(Number);
  return major > 22 || (major === 22 && minor >= 18);
};

/** Set on the re-executed process, so a broken Node 24 install can never loop. */
export const RELAUNCHED = "CINEMATCH_CLI_RELAUNCHED";

/**
 * What the launcher does on this Node: run the CLI here, re-execute it under the project's Node 24
 * through `scripts/node24.sh` (found beside the launcher, in the repository), or refuse with a
 * message when neither can work.
 */
export const relaunchPlan = ({ version, env, self, args, exists }) => {
  if (runsTypeScript(version)) return { kind: "run" };
  const script = join(dirname(self), "..", "..", "..", "scripts", "node24.sh");
  if (env[RELAUNCHED] === "1") {
    return {
      kind: "refuse",
      message: `cinematch: ${script} started Node ${version}, not Node 24; remove .cache/node24 and try again`,
    };
  }
  if (!exists(script)) {
    return {
      kind: "refuse",
      message: `cinematch needs Node 22.18 or newer (found ${version}), and no scripts/node24.sh is beside it to fetch one`,
    };
  }
  return {
    kind: "relaunch",
    command: "sh",
    args: [script, "node", self, ...args],
    env: { ...env, [RELAUNCHED]: "1" },
  };
};

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// Which servers a command talks to: its option, else the environment, else the stack that
// `npm run stack:up` started (it writes their addresses as `KEY=value` lines).

export type Environment = Readonly<Record<string, string | undefined>>;

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));

/** The env file `npm run stack:up` writes. */
export const stackEnvPath = (env: Environment): string =>
  join(env.CINEMATCH_CACHE_DIR ?? join(repoRoot, ".cache"), "stack", "env");

export const readStackEnv = (path: string): Record<string, string> => {
  if (!existsSync(path)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) out[match[1]!] = match[2]!;
  }
  return out;
};

/** The option's value, else the variable from the environment, else from the stack's env file (empty counts as unset). */
export const serverSetting = (
  option: string | undefined,
  env: Environment,
  variable: string,
): string | undefined => option || env[variable] || readStackEnv(stackEnvPath(env))[variable] || undefined;

/** `host:port,host:port` as a list of brokers. */
export const brokerList = (servers: string): ReadonlyArray<string> =>
  servers
    .split(",")
    .map((broker) => broker.trim())
    .filter((broker) => broker !== "");

/** A URL without its password, for messages. */
export const redactUrl = (url: string): string => {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(an unparsable URL)";
  }
};

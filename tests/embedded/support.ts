/**
 * Starts `node apps/cinematch/src/main.ts` (the embedded default) on a free loopback port with its
 * output captured, polls it over HTTP (never sleeps for readiness), and stops only the process it
 * started, by its own handle.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";

export const repoRoot = join(import.meta.dirname, "..", "..");
export const mainEntry = join(repoRoot, "apps", "cinematch", "src", "main.ts");

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });

export interface Embedded {
  readonly url: string;
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exit: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended. */
  readonly stop: (
    graceMs?: number,
  ) => Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
}

/** The environment of the test process without the real servers, plus `extra`. */
export const embeddedEnv = (extra: Record<string, string> = {}, keepServers = false): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  if (!keepServers) {
    delete env.KAFKA_BOOTSTRAP_SERVERS;
    delete env.MONGODB_URL;
  }
  return env;
};

export const startEmbedded = (
  args: ReadonlyArray<string>,
  env: NodeJS.ProcessEnv,
  port: number,
): Embedded => {
  const child = spawn(process.execPath, [mainEntry, ...args], {
    cwd: repoRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on("data", (chunk) => {
    output += String(chunk);
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  let exited = false;
  void exit.then(() => {
    exited = true;
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => output,
    exit,
    stop: async (graceMs = 20_000) => {
      if (!exited) child.kill("SIGTERM");
      const timer = setTimeout(() => {
        if (!exited) child.kill("SIGKILL");
      }, graceMs);
      const result = await exit;
      clearTimeout(timer);
      return result;
    },
  };
};

/** Polls `probe` until it returns a value (not `undefined`), the process dies, or the time is up. */
export const pollUntil = async <A>(
  what: string,
  embedded: Embedded,
  probe: () => Promise<A | undefined>,
  timeoutMs = 30_000,
): Promise<A> => {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = "nothing yet";
  while (Date.now() < deadline) {
    if (embedded.child.exitCode !== null || embedded.child.signalCode !== null) {
      throw new Error(
        `the embedded default exited while waiting for ${what}:\n${embedded.output().slice(-3000)}`,
      );
    }
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (cause) {
      last = cause;
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)}):\n${embedded.output().slice(-3000)}`,
  );
};

export interface Answer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers loosely and assert on them.
  readonly body: any;
}

export const call = async (
  base: string,
  method: string,
  path: string,
  options: { readonly token?: string; readonly body?: unknown } = {},
): Promise<Answer> => {
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body };
};

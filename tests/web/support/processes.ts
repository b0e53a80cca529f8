/**
 * Child processes for the browser tests: the product started on a free loopback port, its output
 * kept in a log file under the ignored cache, readiness polled over HTTP (never slept), and only
 * the processes this file started are stopped, by their own pid.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

export const repoRoot = join(import.meta.dirname, "..", "..", "..");
const logDir = join(repoRoot, ".cache", "e2e-logs");

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });

export interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** The last lines of the process's output, for failure messages. */
  readonly tail: (lines?: number) => string;
  readonly exited: () => boolean;
  readonly stop: () => Promise<void>;
}

export const startProcess = (
  name: string,
  args: ReadonlyArray<string>,
  env: NodeJS.ProcessEnv,
  cwd: string = repoRoot,
): Started => {
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${name}-${process.pid}-${Date.now()}.log`);
  const fd = openSync(logFile, "a");
  const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", fd, fd] });
  closeSync(fd);
  let exitCode: number | null | undefined;
  // Should the test runner end without stopping it (a crash, a timeout), the child goes too.
  const killOnExit = () => {
    if (exitCode === undefined) child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);
  const exit = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      exitCode = code ?? (signal ? -1 : 0);
      process.removeListener("exit", killOnExit);
      resolve();
    });
  });
  const tail = (lines = 40) => {
    const text = existsSync(logFile) ? readFileSync(logFile, "utf8") : "";
    return text.split("\n").slice(-lines).join("\n");
  };
  return {
    name,
    child,
    logFile,
    tail,
    exited: () => exitCode !== undefined,
    stop: async () => {
      if (exitCode !== undefined) return;
      child.kill("SIGTERM");
      const stopped = await Promise.race([
        exit.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000)),
      ]);
      if (!stopped) {
        child.kill("SIGKILL");
        await exit;
      }
    },
  };
};

/**
 * Polls `url` until `accept` says the answer is good, the process dies, or `timeoutMs` passes.
 * Every failure message carries the process's last output.
 */
export const waitForHttp = async (
  started: Started,
  url: string,
  timeoutMs = 90_000,
  accept: (response: Response) => boolean = (response) => response.ok,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    if (started.exited()) {
      throw new Error(
        `${started.name} exited before ${url} answered.\n--- ${started.logFile}\n${started.tail()}`,
      );
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (accept(response)) return;
      last = `HTTP ${response.status}`;
    } catch (cause) {
      last = String(cause);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `${url} did not become ready in ${timeoutMs} ms (${last}).\n--- ${started.logFile}\n${started.tail()}`,
  );
};

/** The environment for a child, with `unset` removed (e.g. the real servers, for the in-memory default). */
export const childEnv = (
  extra: Record<string, string>,
  unset: ReadonlyArray<string> = [],
): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const key of unset) delete env[key];
  return env;
};

/**
 * Starts several things at once and hands each one that started to `keep`, even when another one
 * failed, so the caller's cleanup can stop what did start; then rethrows the first failure.
 */
export const startAll = async <T extends ReadonlyArray<unknown>>(
  starts: { readonly [K in keyof T]: Promise<T[K]> },
  keep: (started: { readonly [K in keyof T]: T[K] | undefined }) => void,
): Promise<void> => {
  const settled = await Promise.allSettled(starts as ReadonlyArray<Promise<unknown>>);
  keep(
    settled.map((r) => (r.status === "fulfilled" ? r.value : undefined)) as unknown as {
      readonly [K in keyof T]: T[K] | undefined;
    },
  );
  for (const result of settled) if (result.status === "rejected") throw result.reason;
};

/** Polls a process's log until `line` appears (a runner's "consuming": it is subscribed and will see new events). */
export const waitForLog = async (started: Started, line: string, timeoutMs = 90_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!started.tail(10_000).includes(line)) {
    if (started.exited()) throw new Error(`${started.name} exited:\n${started.tail()}`);
    if (Date.now() > deadline) throw new Error(`${started.name} did not log "${line}":\n${started.tail()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};

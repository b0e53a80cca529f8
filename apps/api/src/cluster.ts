#!/usr/bin/env node
/**
 * Several API processes on ONE port: `node apps/api/src/cluster.ts` (what `npm run stack:up --
 * --api N` starts when N > 1). A node:cluster primary runs CINEMATCH_API_WORKERS workers (default:
 * one per core), each the whole API (`main.ts`); the primary accepts the connections and hands them
 * to the workers in turn. Chosen over a reverse proxy because it is in Node itself (nothing to
 * install), keeps one address and one /ready, and a worker that dies is started again here.
 *
 * Workers share nothing in memory: the token secret must be the same for all
 * (CINEMATCH_TOKEN_SECRET, required here), and per-process state such as login rate limits or the
 * live-update hub is per worker. SIGTERM/SIGINT stop every worker (each closes cleanly) and exit.
 */
import cluster from "node:cluster";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";

const text = process.env.CINEMATCH_API_WORKERS ?? String(availableParallelism());
const count = Number(text);
if (!/^[0-9]+$/.test(text) || count < 1 || count > 64) {
  console.error(`[api-cluster] CINEMATCH_API_WORKERS must be a whole number from 1 to 64, got '${text}'`);
  process.exit(2);
}
if (!process.env.CINEMATCH_TOKEN_SECRET) {
  // One random secret per worker would make a token issued by one worker invalid at the others.
  console.error("[api-cluster] CINEMATCH_TOKEN_SECRET must be set: every worker must verify every token");
  process.exit(2);
}

cluster.setupPrimary({ exec: fileURLToPath(new URL("./main.ts", import.meta.url)) });
let stopping = false;
const indexOf = new Map<number, number>();
const fork = (index: number) => {
  const worker = cluster.fork({ CINEMATCH_API_WORKER: String(index) });
  indexOf.set(worker.id, index);
};
for (let index = 1; index <= count; index++) fork(index);

cluster.on("exit", (worker, code, signal) => {
  const index = indexOf.get(worker.id) ?? 0;
  indexOf.delete(worker.id);
  if (stopping) {
    if (indexOf.size === 0) process.exit(0);
    return;
  }
  console.error(`[api-cluster] worker ${index} exited (${signal ?? code}); starting it again in 1 s`);
  setTimeout(() => {
    if (!stopping) fork(index);
  }, 1_000);
});

const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.error(`[api-cluster] ${signal}: stopping ${indexOf.size} workers`);
  for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
  setTimeout(() => process.exit(1), 15_000).unref();
  if (indexOf.size === 0) process.exit(0);
};
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));

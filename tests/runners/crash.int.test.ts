/**
 * CRASH TEST on the real servers: MovieLens ratings are replayed through the one write path
 * (`cinematch replay`: watchlist entry + outbox in MongoDB, then the event on Kafka) while both
 * runners, each its own process, are killed with SIGKILL at random moments and restarted: the
 * trends runner once in the middle of its bootstrap and at least three times while streaming, the
 * user-stats runner at least three times. When the stream has drained, `global_stats` and every
 * user's `user_stats` equal a plain recomputation from the stored entries: nothing lost, nothing
 * counted twice.
 *
 * Size: CINEMATCH_CRASH_EVENTS (default 20,000) ratings while killing, after 2,000 stored before
 * the trends runner first starts (what its bootstrap reads). If those 2,000 show that the write
 * path could not replay the rest within CINEMATCH_CRASH_BUDGET_S (default 600 s), the test fails
 * at once saying so, instead of running for an hour.
 */
import { runReplay } from "@cinematch/cli";
import { EventLog } from "@cinematch/adapters";
import { eventually } from "@cinematch/adapters/testing";
import { Effect, ManagedRuntime } from "effect";
import { afterAll, describe, expect, it } from "vitest";
import {
  drainedWithMatchingTrends,
  liveEntries,
  makeWorld,
  movielensDir,
  type RunnerName,
  type RunnerProcess,
  spawnRunner,
  userStatsMatch,
  worldLayer,
} from "./support.ts";

const EVENTS = Number(process.env.CINEMATCH_CRASH_EVENTS ?? 20_000);
const PRELOAD = 2_000;
const BUDGET_SECONDS = Number(process.env.CINEMATCH_CRASH_BUDGET_S ?? 600);
const world = makeWorld("int-crash");
const runtime = ManagedRuntime.make(worldLayer(world));
const running = new Set<RunnerProcess>();

afterAll(async () => {
  await Promise.all([...running].map((runner) => runner.kill("SIGKILL")));
  await runtime.dispose();
});

const start = (name: RunnerName) => {
  const runner = spawnRunner(name, world);
  running.add(runner);
  void runner.exited.then(() => running.delete(runner));
  return runner;
};

const randomBetween = (low: number, high: number) => low + Math.random() * (high - low);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const replay = async (limit: number) => {
  let out = "";
  const code = await runReplay(
    ["--movielens", movielensDir, "--limit", String(limit), "--publish", "batch", "--concurrency", "8"],
    {
      env: { ...process.env, ...world.env },
      stdout: { write: (text: string) => (out += text) },
      stderr: { write: () => true },
    },
  );
  expect(code, out).toBe(0);
  return out;
};

describe("the runners killed with SIGKILL while a MovieLens replay streams", () => {
  it(`given ${PRELOAD} stored ratings and then ${EVENTS} more replayed, when the runners are killed at random moments and restarted, then the results equal a plain recomputation`, async () => {
    await runtime.runPromise(
      Effect.flatMap(EventLog, (log) => log.ensureTopic(world.topic, world.partitions)),
    );
    const preloadStarted = performance.now();
    expect(await replay(PRELOAD)).toMatch(new RegExp(`${PRELOAD} added`));
    // Fail fast, saying why, when this server's write path cannot replay the stream in a sensible
    // time (FerretDB 1.24 scans a collection for every update by _id: see the runners' README).
    const writeRate = PRELOAD / ((performance.now() - preloadStarted) / 1000);
    const projectedSeconds = EVENTS / writeRate;
    if (projectedSeconds > BUDGET_SECONDS) {
      throw new Error(
        `the write path replays ${writeRate.toFixed(0)} events/s on this server, so ${EVENTS} events would take ` +
          `about ${Math.round(projectedSeconds / 60)} min (budget ${BUDGET_SECONDS / 60} min, CINEMATCH_CRASH_BUDGET_S): ` +
          "too slow to run the crash test; look at the MongoDB-wire server's update path first",
      );
    }

    let userStats = start("user-stats-runner");

    // 1. The trends runner dies in the middle of its bootstrap (while it writes its state).
    const first = start("trends-runner");
    await first.waitFor(/trends bootstrap writing its state/, 120_000);
    await pause(randomBetween(0, 20));
    await first.kill("SIGKILL");
    expect(first.output()).not.toMatch(/trends bootstrap complete/);
    let trends = start("trends-runner");

    // 2. The replay streams while both runners are killed at random moments and restarted.
    const kills = { trends: 1, userStats: 0 };
    let replaying = true;
    const replayed = replay(PRELOAD + EVENTS).finally(() => {
      replaying = false;
    });
    while (replaying || kills.trends < 4 || kills.userStats < 3) {
      await pause(randomBetween(2_000, replaying ? 12_000 : 4_000));
      if (kills.trends <= kills.userStats) {
        await trends.kill("SIGKILL");
        trends = start("trends-runner");
        kills.trends += 1;
      } else {
        await userStats.kill("SIGKILL");
        userStats = start("user-stats-runner");
        kills.userStats += 1;
      }
    }
    const summary = await replayed;
    expect(summary).toMatch(new RegExp(`${EVENTS} added`));
    expect(kills.trends).toBeGreaterThanOrEqual(4);
    expect(kills.userStats).toBeGreaterThanOrEqual(3);

    // 3. Drained: the results equal the plain recomputation from the stored entries.
    const tail = (runner: RunnerProcess) => runner.output().split("\n").slice(-40).join("\n");
    const explain = (error: unknown) => {
      throw new Error(
        `${String(error)}\n--- trends-runner (last lines)\n${tail(trends)}\n--- user-stats-runner (last lines)\n${tail(userStats)}`,
      );
    };
    await runtime
      .runPromise(eventually(drainedWithMatchingTrends(world), { timeoutMs: 300_000, intervalMs: 1_000 }))
      .catch(explain);
    const users = await runtime.runPromise(
      Effect.map(liveEntries, (entries) => [...new Set(entries.map((e) => e.user_id))]),
    );
    expect(users.length).toBeGreaterThan(50);
    await runtime
      .runPromise(eventually(userStatsMatch(users), { timeoutMs: 300_000, intervalMs: 1_000 }))
      .catch(explain);
    expect(trends.output()).not.toMatch(/stopped on a failure/);
    expect(userStats.output()).not.toMatch(/stopped on a failure/);
  }, 1_800_000);
});

/**
 * MANY INSTANCES on the real servers: a topic of 12 partitions, 3 trends runners and 2 user-stats
 * runners (each its own process, one consumer group per kind) while MovieLens ratings are replayed
 * through the one write path. During the replay a 4th trends runner joins, one runner of each
 * kind is SIGKILLed (the user-stats one replaced), and one trends runner is SIGSTOPped for longer
 * than the session timeout, so the group gives its partitions away, then SIGCONTed: a zombie that
 * wakes up holding state it no longer owns.
 *
 * At the end `global_stats` (7d, 30d, all) and every `user_stats` equal a plain recomputation from
 * the stored entries, and the runners' own logs show, per partition, no two owners' accepted state
 * writes interleaved (each runner logs every write with its owner token, `<instance>#<epoch>`,
 * and the instant it started; a write found superseded right after is logged as fenced).
 *
 * Size: CINEMATCH_SCALE_EVENTS (default 20,000) ratings replayed after 1,000 stored first.
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

const EVENTS = Number(process.env.CINEMATCH_SCALE_EVENTS ?? 20_000);
const PRELOAD = 1_000;
const PARTITIONS = 12;
const SESSION_TIMEOUT_MS = 6_000;
const world = makeWorld("int-scale", PARTITIONS);
const runtime = ManagedRuntime.make(worldLayer(world));
const everyRunner: Array<RunnerProcess> = [];

afterAll(async () => {
  for (const runner of everyRunner) runner.child.kill("SIGCONT");
  await Promise.all(everyRunner.map((runner) => runner.kill("SIGKILL")));
  await runtime.dispose();
});

const start = (name: RunnerName, instance: string) => {
  const runner = spawnRunner(name, world, {
    CINEMATCH_INSTANCE_ID: instance,
    TRENDS_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
    USER_STATS_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
  });
  everyRunner.push(runner);
  return runner;
};

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The main replay is paced so that it outlasts the fault schedule below (about 30 s) on a fast
 * machine too; unpaced it once finished before the zombie woke up.
 */
const REPLAY_RATE = 500;

const replay = async (limit: number, rate?: number) => {
  let out = "";
  const code = await runReplay(
    [
      "--movielens",
      movielensDir,
      "--limit",
      String(limit),
      "--publish",
      "batch",
      "--concurrency",
      "8",
      ...(rate === undefined ? [] : ["--rate", String(rate)]),
    ],
    {
      env: { ...process.env, ...world.env },
      stdout: { write: (text: string) => (out += text) },
      stderr: { write: () => true },
    },
  );
  expect(code, out).toBe(0);
  return out;
};

interface StateWrite {
  readonly partition: number;
  readonly owner: string;
  readonly epoch: number;
  readonly started: bigint;
  readonly fenced: boolean;
}

/** Every state write the runners of one kind logged (see the runners' `save`). */
const stateWrites = (runners: ReadonlyArray<RunnerProcess>, kind: "trends" | "user-stats") => {
  const pattern = new RegExp(`message="${kind} state write( fenced)?"`);
  const field = (line: string, name: string) => {
    const match = new RegExp(`(?:^|\\s)${name}=("?)([^\\s"]+)\\1`).exec(line);
    if (match === null) throw new Error(`no ${name} in: ${line}`);
    return match[2]!;
  };
  return runners.flatMap((runner) =>
    runner
      .output()
      .split("\n")
      .filter((line) => pattern.test(line))
      .map(
        (line): StateWrite => ({
          partition: Number(field(line, "partition")),
          owner: field(line, "owner"),
          epoch: Number(field(line, "epoch")),
          started: BigInt(field(line, "started_ns")),
          fenced: line.includes("state write fenced"),
        }),
      ),
  );
};

/**
 * Per partition, the accepted writes in the order they started: each owner token forms one run
 * (no A, B, A) and epochs never go back. Returns the partitions' owner sequences, for the report.
 */
const expectNoInterleavedOwners = (writes: ReadonlyArray<StateWrite>, kind: string) => {
  const byPartition = new Map<number, Array<StateWrite>>();
  for (const write of writes.filter((w) => !w.fenced)) {
    byPartition.set(write.partition, [...(byPartition.get(write.partition) ?? []), write]);
  }
  const sequences = new Map<number, ReadonlyArray<string>>();
  for (const [partition, list] of byPartition) {
    list.sort((a, b) => (a.started < b.started ? -1 : a.started > b.started ? 1 : 0));
    const runs: Array<string> = [];
    let lastEpoch = 0;
    for (const write of list) {
      expect(
        write.epoch,
        `${kind} partition ${partition}: epoch went back at ${write.owner}`,
      ).toBeGreaterThanOrEqual(lastEpoch);
      lastEpoch = write.epoch;
      if (runs[runs.length - 1] !== write.owner) {
        expect(
          runs,
          `${kind} partition ${partition}: ${write.owner} writes again after another owner`,
        ).not.toContain(write.owner);
        runs.push(write.owner);
      }
    }
    sequences.set(partition, runs);
  }
  return sequences;
};

describe("many runner instances while partitions move between them", () => {
  it(`given ${PARTITIONS} partitions, 3 trends and 2 user-stats runners, when ${EVENTS} ratings are replayed while a 4th trends runner joins, one of each kind is SIGKILLed and one trends runner is paused past its session, then the results equal a plain recomputation and no partition has two owners' writes interleaved`, async () => {
    await runtime.runPromise(Effect.flatMap(EventLog, (log) => log.ensureTopic(world.topic, PARTITIONS)));
    expect(await replay(PRELOAD)).toMatch(new RegExp(`${PRELOAD} added`));

    const trends = [1, 2, 3].map((n) => start("trends-runner", `trends-${n}`));
    const userStats = [1, 2].map((n) => start("user-stats-runner", `user-stats-${n}`));
    await Promise.all([...trends, ...userStats].map((runner) => runner.waitFor(/runner consuming/, 120_000)));

    let replaying = true;
    const replayed = replay(PRELOAD + EVENTS, REPLAY_RATE).finally(() => {
      replaying = false;
    });
    const claimsSoFar = () =>
      trends.reduce((n, runner) => n + runner.output().split("trends partition claimed").length - 1, 0);

    // A 4th trends runner joins: the group moves partitions to it.
    await pause(4_000);
    trends.push(start("trends-runner", "trends-4"));
    // One of each kind dies without a word; the user-stats one is replaced.
    await pause(6_000);
    await trends[0]!.kill("SIGKILL");
    await userStats[0]!.kill("SIGKILL");
    userStats.push(start("user-stats-runner", "user-stats-3"));
    // One trends runner stalls past its session timeout: its partitions go to the others while it
    // sleeps, and it wakes up still holding their state in memory.
    await pause(3_000);
    const zombie = trends[1]!;
    const claimsBefore = claimsSoFar();
    zombie.child.kill("SIGSTOP");
    await pause(SESSION_TIMEOUT_MS * 2 + 3_000);
    const claimsWhileStopped = claimsSoFar() - claimsBefore;
    zombie.child.kill("SIGCONT");
    expect(
      replaying,
      "the replay must still run while the instances change (raise CINEMATCH_SCALE_EVENTS)",
    ).toBe(true);
    const summary = await replayed;
    expect(summary).toMatch(new RegExp(`${EVENTS} added`));
    // The stall really moved partitions: the others claimed some while it was stopped.
    expect(claimsWhileStopped).toBeGreaterThan(0);

    const alive = [...trends, ...userStats].filter(
      (r) => r.child.exitCode === null && r.child.signalCode === null,
    );
    const explain = (error: unknown) => {
      const tail = alive
        .map((r) => `--- ${r.name} (last lines)\n${r.output().split("\n").slice(-25).join("\n")}`)
        .join("\n");
      throw new Error(`${String(error)}\n${tail}`);
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

    const trendWrites = stateWrites(trends, "trends");
    const userStatsWrites = stateWrites(userStats, "user-stats");
    const trendOwners = expectNoInterleavedOwners(trendWrites, "trends");
    const userStatsOwners = expectNoInterleavedOwners(userStatsWrites, "user-stats");
    expect(trendOwners.size).toBe(PARTITIONS);
    expect(userStatsOwners.size).toBe(PARTITIONS);
    // Partitions really moved: some had several owners one after the other.
    expect([...trendOwners.values()].some((owners) => owners.length > 1)).toBe(true);
    expect([...userStatsOwners.values()].some((owners) => owners.length > 1)).toBe(true);
    console.log(
      JSON.stringify({
        trends: {
          writes: trendWrites.length,
          fenced: trendWrites.filter((w) => w.fenced).length,
          owners: Object.fromEntries(trendOwners),
        },
        userStats: {
          writes: userStatsWrites.length,
          fenced: userStatsWrites.filter((w) => w.fenced).length,
          owners: Object.fromEntries(userStatsOwners),
        },
        claimsWhileStopped,
      }),
    );
    for (const runner of alive) expect(runner.output()).not.toMatch(/stopped on a failure/);
  }, 1_800_000);
});

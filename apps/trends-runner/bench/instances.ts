/**
 * Instances benchmark on the real servers (part of `npm run bench`, after pipeline.ts).
 *
 * 1. Throughput with 1, 2 and 3 instances of each runner (6 partitions), each instance its own
 *    process (`node apps/<runner>/src/main.ts`), with a fresh topic, consumer group and (trends) state
 *    database per count. The instances start on the empty topic; once the group is stable with every
 *    instance in it, the events are produced (trends: every MovieLens rating, CINEMATCH_BENCH_TRENDS_EVENTS,
 *    default 100,000; user statistics: CINEMATCH_BENCH_EVENTS, default 20,000, whose entries are stored
 *    first): events per second from the first send until the group has committed them all. Counting
 *    from the join instead (over a topic filled beforehand) credits the first instance's head start to
 *    the later ones: that gave 85x for 2 instances. Beside it, in the same run: the producer's own rate
 *    (an upper bound on what this measures) and a bare kafkajs consumer over a filled topic.
 * 2. Rebalance pause: 3 trends instances under a steady stream (CINEMATCH_BENCH_PAUSE_RATE events/s,
 *    default 200); one is SIGKILLed; the time until every partition it owned has a state write by
 *    another instance (read from their logs), with the default session timeout (10 s) and the
 *    shortest allowed (6 s).
 *
 * The machine has 2 cores shared by everything here (Kafka, FerretDB, the runners, this process):
 * more instances cannot add CPU, so expect the figures to show the cost of coordination, not a gain.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { EventLog, toOutgoingMessage, WatchlistStore } from "@cinematch/adapters";
import { bareConsumeRate, EventLogKafka } from "@cinematch/adapters/kafka";
import { MongoDatabaseLive, WatchlistStoreMongo } from "@cinematch/adapters/mongo";
import { benchAddEvent, readMovieLensFolder, replayPlan } from "@cinematch/cli";
import { evolveAll } from "@cinematch/domain";
import { Effect, Layer } from "effect";
import kafkajs from "kafkajs";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const shared = process.env.CINEMATCH_SHARED_DIR ?? `${root}../shared`;
const N = Number(process.env.CINEMATCH_BENCH_EVENTS ?? 20_000);
const N_TRENDS = Number(process.env.CINEMATCH_BENCH_TRENDS_EVENTS ?? 100_000);
const PAUSE_RATE = Number(process.env.CINEMATCH_BENCH_PAUSE_RATE ?? 200);
const PARTITIONS = 6;

let startedInfra = false;
if (!process.env.KAFKA_BOOTSTRAP_SERVERS || !process.env.MONGODB_URL) {
  console.error("instances bench: KAFKA_BOOTSTRAP_SERVERS / MONGODB_URL unset: starting scripts/infra/up.sh");
  const out = execFileSync("bash", [`${root}scripts/infra/up.sh`], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  for (const match of out.matchAll(/export (\w+)=(\S+)/g)) process.env[match[1]!] = match[2]!;
  startedInfra = true;
}
const brokers = process.env.KAFKA_BOOTSTRAP_SERVERS!.split(",").map((b) => b.trim());
const run = `bench-inst-${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;
const topic = `${run}-events`;
const topicOf = (name: string) => `${run}-${name}`;
const mongoUrlOf = (suffix: string) => {
  const url = new URL(process.env.MONGODB_URL!);
  url.pathname = `/${run.replaceAll("-", "_")}_${suffix}`;
  return url.toString();
};

const { films, ratings } = readMovieLensFolder(`${shared}/data/movielens-small`);
const plan = replayPlan(ratings, films, Date.now(), { limit: Math.max(N, N_TRENDS) }).events;

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const kafka = new kafkajs.Kafka({ brokers, clientId: `${run}-bench`, logLevel: kafkajs.logLevel.NOTHING });
const admin = kafka.admin();

type Kind = "trends-runner" | "user-stats-runner";
interface Instance {
  readonly child: ChildProcess;
  readonly output: () => string;
}

const startInstance = (kind: Kind, env: Record<string, string>): Instance => {
  const child = spawn(process.execPath, [`${root}apps/${kind}/src/main.ts`], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout?.on("data", (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (text += chunk.toString()));
  return { child, output: () => text };
};
const stopAll = async (instances: ReadonlyArray<Instance>) => {
  await Promise.all(
    instances.map(
      (instance) =>
        new Promise<void>((resolve) => {
          if (instance.child.exitCode !== null || instance.child.signalCode !== null) return resolve();
          instance.child.once("exit", () => resolve());
          instance.child.kill("SIGTERM");
          setTimeout(() => instance.child.kill("SIGKILL"), 20_000).unref();
        }),
    ),
  );
};
const waitUntil = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 300_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`instances bench: ${what} did not happen within ${timeoutMs} ms`);
    await sleep(100);
  }
};

/** Whether the group has committed every record of the topic. */
const drained = async (groupId: string, of = topic) => {
  const ends = await admin.fetchTopicOffsets(of);
  const committed = (await admin.fetchOffsets({ groupId, topics: [of] }))[0]?.partitions ?? [];
  return ends.every((end) => committed.find((c) => c.partition === end.partition)?.offset === end.offset);
};

const envFor = (
  kind: Kind,
  groupId: string,
  database: string,
  instance: string,
  sessionMs = 10_000,
  of = topic,
) => ({
  CINEMATCH_EVENTS_TOPIC: of,
  CINEMATCH_EVENTS_PARTITIONS: String(PARTITIONS),
  MONGODB_URL: database,
  CINEMATCH_INSTANCE_ID: instance,
  ...(kind === "trends-runner"
    ? {
        TRENDS_GROUP_ID: groupId,
        TRENDS_PARTITIONS_CONCURRENCY: String(PARTITIONS),
        TRENDS_SESSION_TIMEOUT_MS: String(sessionMs),
      }
    : {
        USER_STATS_GROUP_ID: groupId,
        USER_STATS_PARTITIONS_CONCURRENCY: String(PARTITIONS),
        USER_STATS_SESSION_TIMEOUT_MS: String(sessionMs),
      }),
});

/** Whether the group is stable with exactly `count` members, each holding partitions. */
const stableWith = async (groupId: string, count: number) => {
  const group = (await admin.describeGroups([groupId])).groups[0];
  return (
    group?.state === "Stable" &&
    group.members.length === count &&
    group.members.every((member) => member.memberAssignment.length > 0)
  );
};

interface Throughput {
  readonly rate: number;
  readonly produceRate: number;
}

/**
 * Events/s of `count` instances of `kind`: started on an empty topic, the events produced once the
 * group is stable, from the first send until the group has committed every event.
 */
const throughput =
  (publishTo: (of: string, count: number) => Promise<number>, ensure: (of: string) => Promise<void>) =>
  async (kind: Kind, count: number, entriesDb: string): Promise<Throughput> => {
    const events = kind === "trends-runner" ? N_TRENDS : N;
    const groupId = `${run}-${kind}-${count}`;
    const of = topicOf(`${kind}-${count}`);
    await ensure(of);
    // Trends: a fresh state database per count (empty watchlist: its bootstrap counts nothing).
    const database = kind === "trends-runner" ? mongoUrlOf(`trends_${count}`) : entriesDb;
    const instances = Array.from({ length: count }, (_, i) =>
      startInstance(kind, envFor(kind, groupId, database, `${kind}-${count}-${i + 1}`, 10_000, of)),
    );
    try {
      await waitUntil(`${count} ${kind} stable in the group`, () => stableWith(groupId, count), 120_000);
      const started = performance.now();
      const producedIn = await publishTo(of, events);
      await waitUntil(`${count} ${kind} draining the topic`, () => drained(groupId, of));
      return {
        rate: events / ((performance.now() - started) / 1000),
        produceRate: events / (producedIn / 1000),
      };
    } finally {
      await stopAll(instances);
    }
  };

const rawRate = () =>
  bareConsumeRate({ brokers, topic, groupId: `${run}-raw`, partitions: PARTITIONS, expected: N_TRENDS });

/** Partition numbers an instance's log shows it writing, with the instant of its last write to each. */
const writesOf = (instance: Instance) => {
  const last = new Map<number, number>();
  for (const line of instance.output().split("\n")) {
    if (!line.includes('message="trends state write"')) continue;
    const partition = Number(/partition=(\d+)/.exec(line)?.[1]);
    const at = Date.parse(/timestamp=(\S+)/.exec(line)?.[1] ?? "");
    last.set(partition, at);
  }
  return last;
};

/** ms from a SIGKILL of one of 3 trends instances until each of its partitions is written by another. */
const rebalancePause = async (sessionMs: number, publish: (count: number) => Promise<void>) => {
  const groupId = `${run}-pause-${sessionMs}`;
  const database = mongoUrlOf(`pause_${sessionMs}`);
  const instances = [1, 2, 3].map((i) =>
    startInstance(
      "trends-runner",
      envFor("trends-runner", groupId, database, `pause-${sessionMs}-${i}`, sessionMs),
    ),
  );
  let streaming = true;
  const stream = (async () => {
    while (streaming) {
      await publish(Math.max(1, Math.round(PAUSE_RATE / 10)));
      await sleep(100);
    }
  })();
  try {
    await waitUntil("3 trends instances joining", () =>
      instances.every((i) => i.output().includes("trends runner consuming")),
    );
    await waitUntil(
      "the whole topic consumed",
      () => drained(groupId).then((d) => d || false),
      300_000,
    ).catch(() => undefined);
    // Steady state: every instance wrote recently.
    await waitUntil("every instance writing", () => instances.every((i) => writesOf(i).size > 0));
    await sleep(3_000);
    const victim = instances[0]!;
    const owned = [...writesOf(victim).entries()]
      .filter(([, at]) => Date.now() - at < 5_000)
      .map(([partition]) => partition);
    const killedAt = Date.now();
    victim.child.kill("SIGKILL");
    await waitUntil(
      "the killed instance's partitions written again",
      () =>
        owned.every((partition) =>
          instances.slice(1).some((i) => (writesOf(i).get(partition) ?? 0) > killedAt),
        ),
      120_000,
    );
    const resumed = owned.map((partition) =>
      Math.min(...instances.slice(1).map((i) => writesOf(i).get(partition) ?? Number.POSITIVE_INFINITY)),
    );
    return { partitions: owned.length, pauseMs: Math.max(...resumed) - killedAt };
  } finally {
    streaming = false;
    await stream;
    await stopAll(instances);
  }
};

const program = Effect.gen(function* () {
  const log = yield* EventLog;
  const store = yield* WatchlistStore;
  yield* log.ensureTopic(topic, PARTITIONS);
  yield* Effect.promise(() => admin.connect());
  console.error(
    `instances bench: topic ${topic} (${PARTITIONS} partitions), ${plan.length} MovieLens ADD events`,
  );
  const events = plan.map((e) => benchAddEvent(e.user_id, e.movie, e.at, e.rating));
  const messages = events.map(toOutgoingMessage);
  // Entries first (the user-stats runner reads them), then the events.
  yield* Effect.forEach(
    events.slice(0, N),
    (event) =>
      store.commit({ expected_version: undefined, state: evolveAll(undefined, [event])!, events: [event] }),
    { concurrency: 16, discard: true },
  );
  /** Sends the first `count` events to `of` in batches of 2,000, four at a time; ms taken. */
  const publishTo = (of: string, count: number) => {
    const startedAt = performance.now();
    const batches: Array<ReadonlyArray<(typeof messages)[number]>> = [];
    for (let i = 0; i < count; i += 2000) batches.push(messages.slice(i, Math.min(i + 2000, count)));
    return Effect.runPromise(
      Effect.forEach(batches, (batch) => log.publish(of, batch), { concurrency: 4, discard: true }),
    ).then(() => performance.now() - startedAt);
  };
  const ensure = (of: string) => Effect.runPromise(log.ensureTopic(of, PARTITIONS));
  yield* Effect.promise(() => publishTo(topic, N_TRENDS));
  const raw = yield* Effect.promise(rawRate);
  console.error(`instances bench: raw kafkajs ${fmt(raw)} msg/s`);
  const measure = throughput(publishTo, ensure);
  const rows: Array<{ kind: Kind; count: number } & Throughput> = [];
  for (const kind of ["trends-runner", "user-stats-runner"] as const) {
    for (const count of [1, 2, 3]) {
      const result = yield* Effect.promise(() => measure(kind, count, mongoUrlOf("entries")));
      console.error(
        `instances bench: ${count} × ${kind}: ${fmt(result.rate)} events/s (produced at ${fmt(result.produceRate)}/s)`,
      );
      rows.push({ kind, count, ...result });
    }
  }
  // The pause: new events on every partition while one instance dies (trends state only: no entries needed).
  let next = 0;
  const publish = (count: number) =>
    Effect.runPromise(
      log
        .publish(
          topic,
          Array.from({ length: count }, () => {
            const e = plan[next++ % plan.length]!;
            return toOutgoingMessage(benchAddEvent(`${e.user_id}-pause`, e.movie, e.at, e.rating));
          }),
        )
        .pipe(Effect.asVoid),
    );
  const pauses: Array<{ sessionMs: number; partitions: number; pauseMs: number }> = [];
  for (const sessionMs of [10_000, 6_000]) {
    const pause = yield* Effect.promise(() => rebalancePause(sessionMs, publish));
    console.error(`instances bench: rebalance pause at session ${sessionMs} ms: ${fmt(pause.pauseMs)} ms`);
    pauses.push({ sessionMs, ...pause });
  }
  yield* Effect.promise(() => admin.disconnect());

  const one = (kind: Kind) => rows.find((r) => r.kind === kind && r.count === 1)!.rate;
  console.log("");
  console.log(
    `## Runner instances on one topic (trends ${N_TRENDS}, user statistics ${N} MovieLens events, ${PARTITIONS} partitions, 2-core machine)`,
  );
  console.log("");
  console.log(
    "| measured in one run | events/s | vs 1 instance | vs raw kafkajs | producer's rate in that row |",
  );
  console.log("| --- | --- | --- | --- | --- |");
  console.log(`| bare kafkajs consumer over a filled topic (ceiling) | ${fmt(raw)} | | 1.00× | |`);
  for (const row of rows) {
    console.log(
      `| ${row.count} × ${row.kind} | ${fmt(row.rate)} | ${fmt(row.rate / one(row.kind), 2)}× | ${fmt(row.rate / raw, 3)}× | ${fmt(row.produceRate)}/s |`,
    );
  }
  console.log("");
  console.log(
    "| rebalance pause (SIGKILL of 1 of 3 trends instances until its partitions are written again) | partitions | ms |",
  );
  console.log("| --- | --- | --- |");
  for (const pause of pauses) {
    console.log(`| session timeout ${pause.sessionMs} ms | ${pause.partitions} | ${fmt(pause.pauseMs)} |`);
  }
  console.log("");
  console.log(
    "No target: on 2 cores the instances share the CPU with Kafka and FerretDB, and FerretDB has one writer; " +
      "a gain from more instances would need more cores or a server that writes in parallel. The pause is bounded below by the session timeout.",
  );
});

const layers = WatchlistStoreMongo.pipe(
  Layer.provideMerge(MongoDatabaseLive(mongoUrlOf("entries"))),
  Layer.merge(EventLogKafka({ brokers, clientId: run })),
);

Effect.runPromise(Effect.scoped(program.pipe(Effect.provide(layers))))
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => {
    if (startedInfra) execFileSync("bash", [`${root}scripts/infra/down.sh`], { stdio: "inherit" });
  });

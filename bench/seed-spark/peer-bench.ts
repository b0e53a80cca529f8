/**
 * `npm run bench:peer`: the earlier Spark pipeline (bench/seed-spark/peer.py) and ours (the
 * trends and user-stats runners, each its own process) on the same Kafka broker and the same
 * FerretDB, one after the other, printed side by side. run.sh installs the peer and starts the
 * servers; this file only measures.
 *
 *   1. events/s: both drain the same backlog topic of N MovieLens ADD events (entries stored);
 *      timed from "consuming" until the read model holds all N. The peer bootstraps before it
 *      consumes; ours bootstraps each partition on its first batch, so our drain time includes it.
 *   2. freshness: a steady stream at each rate (stored entry, then the event published) over new
 *      users; an event is "visible" when `global_stats`' total or the user's `user_stats` counts it.
 *   3. peak RSS of each pipeline's process tree (the Python driver and its JVM; our two runners).
 *   4. a replay at a steady rate on a topic and database of its own, the pipeline SIGKILLed once
 *      in the middle and restarted; once drained, its read models against a plain recomputation
 *      from the stored entries.
 * The peer writes only to its own database (<run>_peer); ours to the bench database as in
 * production. Both are dropped afterwards, and the topics deleted.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { EventLog, toOutgoingMessage, WatchlistStore, watchlistEntryKey } from "@cinematch/adapters";
import { bareConsumeRate, EventLogKafka } from "@cinematch/adapters/kafka";
import { MongoDatabaseLive, WatchlistStoreMongo } from "@cinematch/adapters/mongo";
import { benchAddEvent, FreshnessLedger, readMovieLensFolder, replayPlan } from "@cinematch/cli";
import { evolve, type MovieAdded } from "@cinematch/domain";
import { Effect, Layer, ManagedRuntime } from "effect";
import kafkajs from "kafkajs";
import { type Db, MongoClient } from "mongodb";

const root = fileURLToPath(new URL("../../", import.meta.url));
const shared = process.env.CINEMATCH_SHARED_DIR ?? `${root}../shared`;
// Read by name: this benchmark runs outside turbo, so its settings are no task's inputs.
const setting = (name: string) => {
  const raw = process.env[name]?.trim();
  return raw === undefined || raw === "" ? undefined : raw;
};
const cache = setting("SEED_SPARK_CACHE") ?? `${root}.cache/seed-spark`;
const positive = (name: string, fallback: number) => {
  const raw = setting(name);
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return value;
};
const N = positive("PEER_BENCH_EVENTS", 10_000);
const SECONDS = positive("PEER_BENCH_SECONDS", 20);
const RATES = (setting("PEER_BENCH_RATES") ?? "100,1000").split(",").map(Number);
if (RATES.some((rate) => !Number.isInteger(rate) || rate <= 0)) {
  throw new Error(
    `PEER_BENCH_RATES must be positive integers separated by commas, got '${setting("PEER_BENCH_RATES")}'`,
  );
}
const USERS = positive("PEER_BENCH_USERS", 1_000);
const CRASH_EVENTS = positive("PEER_BENCH_CRASH_EVENTS", 4_000);
const CRASH_RATE = positive("PEER_BENCH_CRASH_RATE", 200);
// After the last event of a phase, how long a pipeline may take to show it before it counts as never.
const DRAIN_SECONDS = positive("PEER_BENCH_DRAIN_SECONDS", 120);
const PARTITIONS = 6;

const brokers = (process.env.KAFKA_BOOTSTRAP_SERVERS ?? "").split(",").filter((b) => b.trim() !== "");
if (brokers.length === 0 || !process.env.MONGODB_URL) {
  throw new Error("KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL must be set (bench/seed-spark/run.sh sets them)");
}
const run = `peer-${Date.now().toString(36)}-${randomUUID().slice(0, 4)}`;
const dbName = (suffix: string) => `${run.replaceAll("-", "_")}_${suffix}`;
const urlOf = (db: string) => {
  const url = new URL(process.env.MONGODB_URL!);
  url.pathname = `/${db}`;
  return url.toString();
};
const log = (text: string) => console.error(`peer bench: ${text}`);
// Every pipeline process's output, kept after the run for a look at what went wrong.
const logDir = `${cache}/logs/${run}`;
mkdirSync(logDir, { recursive: true });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- data ----------------------------------------------------------------------------------------

const { films, ratings } = readMovieLensFolder(`${shared}/data/movielens-small`);
const filmList = [...films.values()];

// ---- servers ---------------------------------------------------------------------------------------

const mongo = new MongoClient(process.env.MONGODB_URL!);
await mongo.connect();
const kafka = new kafkajs.Kafka({ brokers, clientId: run, logLevel: kafkajs.logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();

/**
 * The one write path's three steps, as the outbox does them: the entry stored with its pending
 * event, the event published, the entry marked published with its log position. Without the last
 * step every entry stays pending, and our trends runner's bootstrap (which waits for pending
 * publications to get their positions) waited its full bound on each start.
 */
const makeWriter = (db: string, topic: string) => {
  const runtime = ManagedRuntime.make(
    Layer.merge(
      WatchlistStoreMongo.pipe(Layer.provide(MongoDatabaseLive(urlOf(db), { appName: "peer-bench" }))),
      EventLogKafka({ brokers, clientId: `${run}-writer` }),
    ),
  );
  return {
    ensureTopic: () => runtime.runPromise(Effect.flatMap(EventLog, (l) => l.ensureTopic(topic, PARTITIONS))),
    write: (events: ReadonlyArray<MovieAdded>) =>
      runtime.runPromise(
        Effect.gen(function* () {
          const store = yield* WatchlistStore;
          const versions = yield* Effect.forEach(
            events,
            (event) =>
              store.commit({ expected_version: undefined, state: evolve(undefined, event), events: [event] }),
            { concurrency: 32 },
          );
          const eventLog = yield* EventLog;
          for (let i = 0; i < events.length; i += 2_000) {
            const slice = events.slice(i, i + 2_000);
            const positions = yield* eventLog.publish(topic, slice.map(toOutgoingMessage));
            yield* store.markPublished(
              slice.map((event, k) => {
                const committed = versions[i + k]!;
                return {
                  entry_key: watchlistEntryKey(event.user_id, event.movie.movie_id),
                  event,
                  position: positions[k]!,
                  ...(committed._tag === "Committed" ? { version: committed.version } : {}),
                };
              }),
            );
          }
        }),
      ),
    dispose: () => runtime.dispose(),
  };
};

const endOffsets = async (topic: string) =>
  new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));

// ---- processes -----------------------------------------------------------------------------------

/** Resident memory of a process and all its descendants, in bytes (from /proc). */
const treeRss = (rootPid: number): number => {
  const children = new Map<number, Array<number>>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // The process ended while we looked.
    }
  }
  let total = 0;
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    try {
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      total += rss ? Number(rss[1]) * 1024 : 0;
    } catch {
      // Gone.
    }
    queue.push(...(children.get(pid) ?? []));
  }
  return total;
};

interface Proc {
  readonly child: ChildProcess;
  readonly lines: Array<string>;
  readonly waitFor: (pattern: RegExp, timeoutMs: number) => Promise<string>;
  readonly kill: (signal: NodeJS.Signals) => Promise<void>;
}

/** A child in a process group of its own, so a kill takes its whole tree (Spark's JVM too). */
const startProcess = (
  label: string,
  command: string,
  args: Array<string>,
  env: Record<string, string>,
  onLine: (line: string) => void = () => undefined,
): Proc => {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const lines: Array<string> = [];
  let waiters: Array<() => void> = [];
  let partial = "";
  const logFile = `${logDir}/${label}-${child.pid}.log`;
  const onData = (chunk: Buffer) => {
    appendFileSync(logFile, chunk);
    partial += chunk.toString();
    const parts = partial.split("\n");
    partial = parts.pop()!;
    lines.push(...parts);
    for (const line of parts) onLine(line);
    const now = waiters;
    waiters = [];
    for (const waiter of now) waiter();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    lines,
    waitFor: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        let from = 0;
        const timer = setTimeout(() => {
          reject(
            new Error(
              `${label}: nothing matching ${pattern} in ${timeoutMs} ms; last lines:\n${lines.slice(-30).join("\n")}`,
            ),
          );
        }, timeoutMs);
        const check = () => {
          for (; from < lines.length; from++) {
            if (pattern.test(lines[from]!)) {
              clearTimeout(timer);
              resolve(lines[from]!);
              return;
            }
          }
          if (child.exitCode !== null || child.signalCode !== null) {
            clearTimeout(timer);
            reject(
              new Error(
                `${label} exited (${child.exitCode ?? child.signalCode}); last lines:\n${lines.slice(-30).join("\n")}`,
              ),
            );
            return;
          }
          waiters.push(check);
        };
        child.once("exit", () => {
          for (const waiter of waiters.splice(0)) waiter();
        });
        check();
      }),
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, signal);
        } catch {
          // Already gone.
        }
      }
      await exited;
    },
  };
};

/** One pipeline, started, with its memory sampled until it is stopped. */
interface Running {
  readonly peakRss: () => number;
  /** After "consuming" is printed: start-up and bootstrap done. */
  readonly consumingAt: number;
  readonly startupSeconds: number;
  readonly stop: (signal: NodeJS.Signals) => Promise<void>;
  readonly procs: ReadonlyArray<Proc>;
  /**
   * Its start positions are fixed. The peer's queries resolve `latest` only at their first trigger,
   * so anything published before that is skipped by design; ours fix theirs before consuming.
   */
  readonly positioned: () => Promise<void>;
}

interface World {
  readonly db: string;
  readonly topic: string;
}

interface Pipeline {
  readonly name: "peer" | "ours";
  readonly label: string;
  /** Starts (or restarts: the same checkpoints and groups) the pipeline on a world. */
  readonly start: (
    world: World,
    options: { readonly fromBeginning: boolean; readonly instance: string },
  ) => Promise<Running>;
  /** Where its read models live for a world. */
  readonly outputDb: (world: World) => Db;
  readonly trendsDocId: string;
  /** Every query has consumed everything the topic holds. */
  readonly drained: (world: World, running: Running) => Promise<boolean>;
}

const sampled = async (
  procs: ReadonlyArray<Proc>,
  ready: () => Promise<void>,
  started: number,
  positioned: () => Promise<void> = async () => undefined,
): Promise<Running> => {
  let peak = 0;
  const sample = () => {
    peak = Math.max(
      peak,
      procs.reduce((total, p) => total + treeRss(p.child.pid!), 0),
    );
  };
  const timer = setInterval(sample, 250);
  try {
    await ready();
  } catch (error) {
    clearInterval(timer);
    await Promise.all(procs.map((p) => p.kill("SIGKILL")));
    throw error;
  }
  const consumingAt = performance.now();
  return {
    peakRss: () => {
      sample();
      return peak;
    },
    consumingAt,
    startupSeconds: (consumingAt - started) / 1000,
    stop: async (signal) => {
      clearInterval(timer);
      await Promise.all(procs.map((p) => p.kill(signal)));
    },
    procs,
    positioned,
  };
};

/** Per topic and stream, the offset (exclusive) each partition's written batches reached, over restarts. */
const peerReached = new Map<string, Map<string, number>>();
const notePeerLine = (topic: string) => (line: string) => {
  if (!line.startsWith("{")) return;
  const msg = JSON.parse(line) as { kind?: string; stream?: string; offsets?: Record<string, number> };
  if (msg.kind !== "batch" || msg.stream === undefined || msg.offsets === undefined) return;
  const key = `${topic}|${msg.stream}`;
  const reached = peerReached.get(key) ?? new Map<string, number>();
  for (const [partition, offset] of Object.entries(msg.offsets)) {
    reached.set(partition, Math.max(reached.get(partition) ?? 0, offset));
  }
  peerReached.set(key, reached);
};

const peer: Pipeline = {
  name: "peer",
  label: "peer (PySpark Structured Streaming)",
  start: async (world, { fromBeginning, instance }) => {
    const started = performance.now();
    const proc = startProcess(
      "seed-spark",
      `${cache}/venv/bin/python`,
      [`${root}bench/seed-spark/peer.py`],
      {
        MONGODB_URL: urlOf(world.db),
        CINEMATCH_EVENTS_TOPIC: world.topic,
        PEER_DB: `${world.db}_peer`,
        PEER_CHECKPOINT_DIR: `${cache}/runs/${run}/${instance}`,
        PEER_STARTING_OFFSETS: fromBeginning ? "earliest" : "latest",
        PEER_JARS_DIR: `${cache}/jars`,
        PYSPARK_PYTHON: `${cache}/venv/bin/python`,
      },
      notePeerLine(world.topic),
    );
    return sampled(
      [proc],
      async () => void (await proc.waitFor(/"kind": "started"/, 300_000)),
      started,
      async () => void (await proc.waitFor(/"kind": "ready"/, 300_000)),
    );
  },
  outputDb: (world) => mongo.db(`${world.db}_peer`),
  trendsDocId: "global_trends",
  drained: async (world) => {
    const ends = await endOffsets(world.topic);
    return ["user-stats", "trends"].every((stream) => {
      const reached = peerReached.get(`${world.topic}|${stream}`) ?? new Map<string, number>();
      return [...ends].every(([p, end]) => end === 0 || (reached.get(String(p)) ?? 0) >= end);
    });
  },
};

const groupsOf = (world: World) => ({
  trends: `${world.topic}-trends`,
  userStats: `${world.topic}-user-stats`,
});

const ours: Pipeline = {
  name: "ours",
  label: "ours (trends-runner + user-stats-runner)",
  start: async (world, { fromBeginning }) => {
    const started = performance.now();
    const groups = groupsOf(world);
    if (fromBeginning) {
      for (const groupId of Object.values(groups)) {
        await admin.setOffsets({
          groupId,
          topic: world.topic,
          partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, offset: "0" })),
        });
      }
    }
    const env = {
      MONGODB_URL: urlOf(world.db),
      CINEMATCH_EVENTS_TOPIC: world.topic,
      CINEMATCH_EVENTS_PARTITIONS: String(PARTITIONS),
      TRENDS_GROUP_ID: groups.trends,
      USER_STATS_GROUP_ID: groups.userStats,
      TRENDS_PARTITIONS_CONCURRENCY: String(PARTITIONS),
      USER_STATS_PARTITIONS_CONCURRENCY: String(PARTITIONS),
    };
    const procs = (["trends-runner", "user-stats-runner"] as const).map((name) =>
      startProcess(name, process.execPath, [`${root}apps/${name}/src/main.ts`], env),
    );
    return sampled(
      procs,
      async () => {
        await Promise.all([
          procs[0]!.waitFor(/trends runner consuming/, 300_000),
          procs[1]!.waitFor(/user-stats runner consuming/, 300_000),
        ]);
      },
      started,
    );
  },
  outputDb: (world) => mongo.db(world.db),
  trendsDocId: "global_trends:all",
  drained: async (world) => {
    const ends = await endOffsets(world.topic);
    for (const groupId of Object.values(groupsOf(world))) {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [world.topic] });
      const byPartition = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      // An empty partition has no committed offset (-1) and nothing to wait for.
      if (![...ends].every(([p, end]) => end === 0 || (byPartition.get(p) ?? 0) >= end)) return false;
    }
    return true;
  },
};

// ---- measuring -------------------------------------------------------------------------------------

const trendsTotal = async (pipeline: Pipeline, world: World) =>
  ((
    await pipeline
      .outputDb(world)
      .collection("global_stats")
      .findOne({ _id: pipeline.trendsDocId } as never)
  )?.total_movies_analyzed as number | undefined) ?? 0;

const statsTotals = async (pipeline: Pipeline, world: World, users: ReadonlyArray<string>) => {
  const totals = new Map<string, number>();
  for (let i = 0; i < users.length; i += 500) {
    const docs = await pipeline
      .outputDb(world)
      .collection("user_stats")
      // By user_id (indexed): the runner's documents are keyed `<user>|<epoch>` under partition ownership.
      .find(
        { user_id: { $in: users.slice(i, i + 500) } },
        { projection: { user_id: 1, "stats.total_watched": 1 } },
      )
      .toArray();
    for (const doc of docs) {
      const user = String(doc.user_id);
      const total = (doc.stats?.total_watched as number | undefined) ?? 0;
      totals.set(user, Math.max(totals.get(user) ?? 0, total));
    }
  }
  return totals;
};

interface Throughput {
  readonly statsEventsPerSecond: number;
  readonly trendsEventsPerSecond: number;
  readonly startupSeconds: number;
  readonly rss: number;
}

/** 1. Drain the backlog topic (N events of `users`), each read model timed on its own. */
const throughput = async (
  pipeline: Pipeline,
  world: World,
  users: ReadonlyArray<string>,
): Promise<Throughput> => {
  const running = await pipeline.start(world, { fromBeginning: true, instance: "throughput" });
  try {
    // The peer's 30-day bootstrap already counts the entries of the last 30 days; the stream adds all N.
    const bootstrapLine = running.procs[0]!.lines.find((l) => l.includes('"kind": "bootstrap"'));
    const base = bootstrapLine ? (JSON.parse(bootstrapLine) as { entries: number }).entries : 0;
    const deadline = performance.now() + DRAIN_SECONDS * 1000 * 3;
    let statsDone = Number.NaN;
    let trendsDone = Number.NaN;
    while ((Number.isNaN(statsDone) || Number.isNaN(trendsDone)) && performance.now() < deadline) {
      if (Number.isNaN(trendsDone) && (await trendsTotal(pipeline, world)) >= base + N)
        trendsDone = performance.now();
      if (Number.isNaN(statsDone)) {
        const totals = await statsTotals(pipeline, world, users);
        let sum = 0;
        for (const t of totals.values()) sum += t;
        if (totals.size === users.length && sum >= N) statsDone = performance.now();
      }
      await sleep(100);
    }
    const rate = (done: number) =>
      Number.isNaN(done) ? Number.NaN : N / ((done - running.consumingAt) / 1000);
    return {
      statsEventsPerSecond: rate(statsDone),
      trendsEventsPerSecond: rate(trendsDone),
      startupSeconds: running.startupSeconds,
      rss: running.peakRss(),
    };
  } finally {
    await running.stop("SIGTERM");
  }
};

interface Freshness {
  readonly rate: number;
  readonly achieved: number;
  readonly total: number;
  readonly trends: ReadonlyArray<number>;
  readonly stats: ReadonlyArray<number>;
}

/** 2. A steady stream per rate; latency from the event's publication to its visibility. */
const freshness = async (
  pipeline: Pipeline,
  world: World,
  writer: ReturnType<typeof makeWriter>,
): Promise<{ phases: Array<Freshness>; rss: number }> => {
  const running = await pipeline.start(world, { fromBeginning: false, instance: "freshness" });
  try {
    await running.positioned();
    // Whatever the topic held before (the other pipeline's phase) is consumed first.
    while (!(await pipeline.drained(world, running))) await sleep(200);
    await sleep(1_000);
    const phases: Array<Freshness> = [];
    for (const rate of [...RATES].sort((a, b) => a - b)) {
      const total = rate * SECONDS;
      const users = Array.from({ length: USERS }, (_, i) => `fresh-${pipeline.name}-${rate}-${i}`);
      const ledger = new FreshnessLedger(total);
      let done = false;
      const base = await trendsTotal(pipeline, world);
      const until = () => performance.now();
      let giveUpAt = Number.POSITIVE_INFINITY;
      const pollTrends = (async () => {
        while (until() < giveUpAt && (!done || !ledger.trendsCaughtUp)) {
          ledger.trendsCount((await trendsTotal(pipeline, world)) - base, performance.now());
          await sleep(20);
        }
      })();
      const pollStats = (async () => {
        while (until() < giveUpAt && (!done || !ledger.statsCaughtUp)) {
          const totals = await statsTotals(pipeline, world, ledger.usersWaiting());
          const now = performance.now();
          for (const [user, visible] of totals) ledger.statsCount(user, visible, now);
          // Every 100 ms: the poll reads up to 1,000 documents from the server both pipelines write to.
          await sleep(100);
        }
      })();
      const started = performance.now();
      let next = 0;
      try {
        while (next < total) {
          const due = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
          if (due <= next) {
            await sleep(Math.max(1, started + (next * 1000) / rate - performance.now()));
            continue;
          }
          const tick = Array.from({ length: due - next }, (_, k) => next + k);
          const events = tick.map((i) =>
            benchAddEvent(users[i % users.length]!, filmList[(i * 7919) % filmList.length]!, Date.now()),
          );
          await writer.write(events);
          const now = performance.now();
          tick.forEach((i, k) => {
            ledger.notePublished(i, events[k]!.user_id, now);
          });
          next = due;
          ledger.publishedUpTo(due);
        }
      } catch (error) {
        // Stop the pollers before the error reaches the clean-up, which drops their database:
        // left running they died on that first, and the error that mattered was never printed.
        giveUpAt = 0;
        await Promise.allSettled([pollTrends, pollStats]);
        log(`${pipeline.name} at ${rate}/s: the steady stream failed after ${next} of ${total} events`);
        throw error;
      }
      const achieved = total / ((performance.now() - started) / 1000);
      done = true;
      giveUpAt = performance.now() + DRAIN_SECONDS * 1000;
      await Promise.all([pollTrends, pollStats]);
      const { trendsLatency, statsLatency } = ledger;
      trendsLatency.sort((a, b) => a - b);
      statsLatency.sort((a, b) => a - b);
      log(
        `${pipeline.name} at ${rate}/s: trends ${trendsLatency.length}/${total}, user stats ${statsLatency.length}/${total} seen`,
      );
      phases.push({ rate, achieved, total, trends: trendsLatency, stats: statsLatency });
      // The next rate starts only when this one's backlog is gone (or given up on).
      const drainBy = performance.now() + DRAIN_SECONDS * 1000;
      while (performance.now() < drainBy && !(await pipeline.drained(world, running))) await sleep(200);
    }
    return { phases, rss: running.peakRss() };
  } finally {
    await running.stop("SIGTERM");
  }
};

interface Drift {
  readonly expectedTotal: number;
  readonly total: number;
  readonly topOff: number;
  readonly topFilms: number;
  readonly users: number;
  readonly usersOff: number;
  readonly drained: boolean;
  readonly killedAt: number;
}

/** 3. The plain recomputation from the stored entries, and how far a pipeline's read models are from it. */
const drift = async (pipeline: Pipeline, world: World) => {
  const entries = await mongo
    .db(world.db)
    .collection("movies")
    .find({ removed: false }, { projection: { user_id: 1, "movie.movie_id": 1, rating: 1 } })
    .toArray();
  const perFilm = new Map<string, number>();
  const perUser = new Map<string, { total: number; rated: number; sum: number }>();
  for (const e of entries) {
    const film = e.movie.movie_id as string;
    perFilm.set(film, (perFilm.get(film) ?? 0) + 1);
    const u = perUser.get(e.user_id) ?? { total: 0, rated: 0, sum: 0 };
    u.total += 1;
    if (typeof e.rating === "number") {
      u.rated += 1;
      u.sum += e.rating;
    }
    perUser.set(e.user_id, u);
  }
  const out = pipeline.outputDb(world);
  const doc = await out.collection("global_stats").findOne({ _id: pipeline.trendsDocId } as never);
  const top = (doc?.top_movies ?? []) as Array<{ movie_id: string; count: number }>;
  const users = [...perUser.keys()];
  const statsDocs = new Map<
    string,
    { total_watched: number; rated_count: number; avg_rating: number | null }
  >();
  // By user_id, the highest epoch's document: ours are keyed `<user>|<epoch>` under partition
  // ownership (reading by `_id` found none of them and called every user wrong), the peer's `<user>`.
  const epochOfDoc = new Map<string, number>();
  for (let i = 0; i < users.length; i += 500) {
    for (const d of await out
      .collection("user_stats")
      .find({ user_id: { $in: users.slice(i, i + 500) } })
      .toArray()) {
      const user = String(d.user_id);
      const epoch = typeof d.epoch === "number" ? d.epoch : 0;
      if ((epochOfDoc.get(user) ?? -1) >= epoch) continue;
      epochOfDoc.set(user, epoch);
      statsDocs.set(user, d.stats);
    }
  }
  let usersOff = 0;
  for (const [user, want] of perUser) {
    const got = statsDocs.get(user);
    const avg = want.rated === 0 ? null : want.sum / want.rated;
    const sameAvg =
      avg === null
        ? got?.avg_rating === null
        : Math.abs((got?.avg_rating ?? Number.NaN) - avg) <= 0.005 + 1e-9;
    if (!got || got.total_watched !== want.total || got.rated_count !== want.rated || !sameAvg) usersOff += 1;
  }
  return {
    expectedTotal: entries.length,
    total: (doc?.total_movies_analyzed as number | undefined) ?? Number.NaN,
    topOff: top.reduce((sum, t) => sum + Math.abs(t.count - (perFilm.get(t.movie_id) ?? 0)), 0),
    topFilms: top.filter((t) => t.count !== (perFilm.get(t.movie_id) ?? 0)).length,
    users: perUser.size,
    usersOff,
  };
};

/** 4. A replay at a steady rate on a world of its own, the pipeline SIGKILLed once and restarted. */
const crashReplay = async (pipeline: Pipeline): Promise<Drift> => {
  const world: World = { db: dbName(`crash_${pipeline.name}`), topic: `${run}-crash-${pipeline.name}` };
  const writer = makeWriter(world.db, world.topic);
  await writer.ensureTopic();
  let running = await pipeline.start(world, { fromBeginning: false, instance: "crash" });
  try {
    await running.positioned();
    const plan = replayPlan(ratings, films, Date.now(), { limit: CRASH_EVENTS }).events;
    const killAt = Math.floor(CRASH_EVENTS * (0.3 + Math.random() * 0.4));
    const started = performance.now();
    let next = 0;
    let killed = false;
    while (next < plan.length) {
      const due = Math.min(plan.length, Math.floor(((performance.now() - started) * CRASH_RATE) / 1000) + 1);
      if (due <= next) {
        await sleep(Math.max(1, started + (next * 1000) / CRASH_RATE - performance.now()));
        continue;
      }
      // Added now: every window (the peer's 30 days, our all-time) holds every entry.
      const events = plan
        .slice(next, due)
        .map((e) => benchAddEvent(`crash-${e.user_id}`, e.movie, Date.now(), e.rating));
      await writer.write(events);
      next = due;
      if (!killed && next >= killAt) {
        killed = true;
        log(`${pipeline.name}: SIGKILL after ${next} of ${plan.length} events, then a restart`);
        await running.stop("SIGKILL");
        running = await pipeline.start(world, { fromBeginning: false, instance: "crash" });
      }
    }
    const drainBy = performance.now() + DRAIN_SECONDS * 1000;
    let drained = await pipeline.drained(world, running);
    while (!drained && performance.now() < drainBy) {
      await sleep(500);
      drained = await pipeline.drained(world, running);
    }
    // Output is written after the offsets for ours (debounced) and before them for the peer: let
    // ours converge, then take what both show.
    let result = await drift(pipeline, world);
    const settleBy = performance.now() + 30_000;
    while (
      performance.now() < settleBy &&
      (result.total !== result.expectedTotal || result.usersOff > 0 || result.topOff > 0)
    ) {
      await sleep(1_000);
      result = await drift(pipeline, world);
    }
    return { ...result, drained, killedAt: killAt };
  } finally {
    await running.stop("SIGTERM");
    await writer.dispose();
  }
};

// ---- the run ------------------------------------------------------------------------------------------

const world: World = { db: dbName("main"), topic: `${run}-events` };
const writer = makeWriter(world.db, world.topic);
const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : "n/a";

const results: Partial<
  Record<Pipeline["name"], { t: Throughput; f: Array<Freshness>; fRss: number; c: Drift }>
> = {};
try {
  await writer.ensureTopic();
  const plan = replayPlan(ratings, films, Date.now(), { limit: N }).events;
  const backlog = plan.map((e) => benchAddEvent(e.user_id, e.movie, e.at, e.rating));
  const users = [...new Set(backlog.map((e) => e.user_id))];
  log(
    `run ${run}: storing and publishing ${backlog.length} MovieLens ADD events of ${users.length} users on ${world.topic}`,
  );
  const fillStarted = performance.now();
  await writer.write(backlog);
  const entriesPerSecond = backlog.length / ((performance.now() - fillStarted) / 1000);

  // The server's own ceiling for what both user-stats pipelines write: one document replaced by
  // _id per touched user (16 at a time, a small stats-sized document), on a scratch collection.
  const scratch = mongo.db(world.db).collection<{ _id: string; stats: unknown }>("ceiling_user_stats");
  const scratchIds = Array.from({ length: 1_000 }, (_, i) => `ceiling-${i}`);
  const statsLike = {
    total_watched: 1,
    genre_data: filmList.slice(0, 10).map((f) => ({ genre: f.title, count: 1 })),
  };
  await scratch.insertMany(scratchIds.map((_id) => ({ _id, stats: statsLike })));
  const replaceStarted = performance.now();
  for (let i = 0; i < scratchIds.length; i += 16) {
    await Promise.all(
      scratchIds
        .slice(i, i + 16)
        .map((_id) => scratch.replaceOne({ _id }, { stats: { ...statsLike, total_watched: 2 } })),
    );
  }
  const replacesPerSecond = scratchIds.length / ((performance.now() - replaceStarted) / 1000);
  log(
    `server: ${fmt(entriesPerSecond)} entries stored + published/s, ${fmt(replacesPerSecond)} user_stats-sized replaces/s`,
  );

  // The client's ceiling on this topic: a bare kafkajs consumer, no work.
  const raw = await bareConsumeRate({
    brokers,
    topic: world.topic,
    groupId: `${run}-raw`,
    partitions: PARTITIONS,
    expected: backlog.length,
  });
  log(`bare kafkajs consumer: ${fmt(raw)} msg/s`);

  // Phase by phase, the peer first: each throughput run must find only the backlog on the topic.
  const t = new Map<Pipeline["name"], Throughput>();
  for (const pipeline of [peer, ours]) {
    log(`${pipeline.label}: draining the ${N}-event backlog`);
    t.set(pipeline.name, await throughput(pipeline, world, users));
    log(
      `${pipeline.name}: user stats ${fmt(t.get(pipeline.name)!.statsEventsPerSecond)} events/s, trends ${fmt(t.get(pipeline.name)!.trendsEventsPerSecond)} events/s`,
    );
  }
  const f = new Map<Pipeline["name"], Awaited<ReturnType<typeof freshness>>>();
  for (const pipeline of [peer, ours]) {
    log(`${pipeline.label}: freshness at ${RATES.join(", ")} events/s`);
    f.set(pipeline.name, await freshness(pipeline, world, writer));
  }
  for (const pipeline of [peer, ours]) {
    log(`${pipeline.label}: replay of ${CRASH_EVENTS} events at ${CRASH_RATE}/s, killed once`);
    const c = await crashReplay(pipeline);
    const fresh = f.get(pipeline.name)!;
    results[pipeline.name] = { t: t.get(pipeline.name)!, f: fresh.phases, fRss: fresh.rss, c };
  }

  // ---- report ----
  const p = results.peer!;
  const o = results.ours!;
  const ratio = (ourValue: number, peerValue: number, higherIsBetter: boolean) => {
    const r = higherIsBetter ? ourValue / peerValue : peerValue / ourValue;
    return Number.isFinite(r) ? `${fmt(r, r < 10 ? 2 : 1)}×` : "n/a";
  };
  const goal = (ourValue: number, peerValue: number, higherIsBetter: boolean) => {
    const r = higherIsBetter ? ourValue / peerValue : peerValue / ourValue;
    return Number.isFinite(r)
      ? r >= 10
        ? "met"
        : r >= 1
          ? "NOT met (ours better, < 10×)"
          : "NOT met (peer better)"
      : "n/a";
  };
  const pct = (list: ReadonlyArray<number>, total: number, q: number) => {
    // Events never seen within the drain time count as slower than every event seen.
    const rank = Math.ceil((q / 100) * total);
    return rank > list.length ? Number.POSITIVE_INFINITY : list[rank - 1]!;
  };
  const ms = (list: ReadonlyArray<number>, total: number, q: number) => {
    const value = pct(list, total, q);
    return Number.isFinite(value)
      ? fmt(value)
      : `> ${fmt(DRAIN_SECONDS * 1000)} (${total - list.length} unseen)`;
  };
  console.log(
    "\n## The earlier Spark pipeline (peer) beside ours, same Kafka and FerretDB, one after the other",
  );
  console.log(
    `${N} MovieLens ADD events of ${users.length} users on ${PARTITIONS} partitions; freshness ${SECONDS} s per rate over ${USERS} new users; ` +
      `replay ${CRASH_EVENTS} events at ${CRASH_RATE}/s with one SIGKILL + restart. Shared 2-core machine: figures are noisy, compare within the run.`,
  );
  console.log(
    `Ceilings in the same run: a bare kafkajs consumer reads the backlog topic at ${fmt(raw)} msg/s; ` +
      `FerretDB replaces ${fmt(replacesPerSecond)} user_stats-sized documents/s by _id (16 in flight); ` +
      `the write path stored and published ${fmt(entriesPerSecond)} entries/s (so "achieved" below is the rate the stream really had).`,
  );
  console.log("| measured | peer | ours | ours vs peer | goal ≥ 10× |");
  console.log("| --- | ---: | ---: | ---: | --- |");
  console.log(
    `| user stats, backlog drain, events/s | ${fmt(p.t.statsEventsPerSecond)} | ${fmt(o.t.statsEventsPerSecond)} | ${ratio(o.t.statsEventsPerSecond, p.t.statsEventsPerSecond, true)} | ${goal(o.t.statsEventsPerSecond, p.t.statsEventsPerSecond, true)} |`,
  );
  console.log(
    `| trends, backlog drain, events/s | ${fmt(p.t.trendsEventsPerSecond)} | ${fmt(o.t.trendsEventsPerSecond)} | ${ratio(o.t.trendsEventsPerSecond, p.t.trendsEventsPerSecond, true)} | ${goal(o.t.trendsEventsPerSecond, p.t.trendsEventsPerSecond, true)} |`,
  );
  for (const rate of [...RATES].sort((a, b) => a - b)) {
    const pf = p.f.find((f) => f.rate === rate)!;
    const of = o.f.find((f) => f.rate === rate)!;
    for (const [label, pick] of [
      ["user_stats", (f: Freshness) => f.stats],
      ["global_stats", (f: Freshness) => f.trends],
    ] as const) {
      for (const q of [50, 99]) {
        const pv = pct(pick(pf), pf.total, q);
        const ov = pct(pick(of), of.total, q);
        console.log(
          `| ${label} freshness p${q} at ${rate}/s (asked; achieved peer ${fmt(pf.achieved)}, ours ${fmt(of.achieved)}), ms | ${ms(pick(pf), pf.total, q)} | ${ms(pick(of), of.total, q)} | ${ratio(ov, pv, false)} | ${goal(ov, pv, false)} |`,
        );
      }
    }
  }
  const rssP = Math.max(p.t.rss, p.fRss);
  const rssO = Math.max(o.t.rss, o.fRss);
  console.log(
    `| peak RSS (process tree), MiB | ${fmt(rssP / 2 ** 20)} | ${fmt(rssO / 2 ** 20)} | ${ratio(rssO, rssP, false)} | (no goal) |`,
  );
  console.log(
    `| start-up until consuming, s (the peer bootstraps before; ours per partition, in the drain) | ${fmt(p.t.startupSeconds, 1)} | ${fmt(o.t.startupSeconds, 1)} | ${ratio(o.t.startupSeconds, p.t.startupSeconds, false)} | (no goal) |`,
  );
  for (const [name, d] of [
    ["peer", p.c],
    ["ours", o.c],
  ] as const) {
    console.log(
      `| after the replay with a kill (${name}): global_stats total vs plain recomputation | ${name === "peer" ? `${fmt(d.total)} vs ${fmt(d.expectedTotal)} (Δ ${fmt(d.total - d.expectedTotal)})` : ""} | ${name === "ours" ? `${fmt(d.total)} vs ${fmt(d.expectedTotal)} (Δ ${fmt(d.total - d.expectedTotal)})` : ""} | | |`,
    );
  }
  const diffCell = (d: Drift) =>
    `top-10 counts off in ${d.topFilms} films (Σ|Δ| ${d.topOff}); user_stats wrong for ${d.usersOff} of ${d.users} users${d.drained ? "" : "; NOT drained in time"}`;
  console.log(
    `| after the replay with a kill: difference from the plain recomputation | ${diffCell(p.c)} | ${diffCell(o.c)} | | ours exact: ${o.c.total === o.c.expectedTotal && o.c.topOff === 0 && o.c.usersOff === 0 ? "met" : "NOT met"} |`,
  );
} finally {
  await writer.dispose().catch(() => undefined);
  for (const db of [
    dbName("main"),
    `${dbName("main")}_peer`,
    dbName("crash_peer"),
    `${dbName("crash_peer")}_peer`,
    dbName("crash_ours"),
  ]) {
    await mongo
      .db(db)
      .dropDatabase()
      .catch(() => undefined);
  }
  await admin
    .deleteTopics({ topics: [world.topic, `${run}-crash-peer`, `${run}-crash-ours`] })
    .catch(() => undefined);
  await admin.disconnect();
  await mongo.close();
  rmSync(`${cache}/runs/${run}`, { recursive: true, force: true });
  log(`the pipelines' own output: ${logDir}`);
}

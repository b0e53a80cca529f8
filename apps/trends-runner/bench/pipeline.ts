/**
 * Pipeline benchmark on the real servers (`npm run bench` runs it through this package's `bench`).
 *
 * On one topic holding a MovieLens slice (N ADD events, default 20,000; CINEMATCH_BENCH_EVENTS),
 * measured in the same run, side by side:
 *   1. raw: a bare kafkajs consumer reading the whole topic (eachBatch, no processing);
 *   2. trends runner: streaming the whole topic (state starts empty, offsets at 0), events/s;
 *   3. user-stats runner: the same topic, users recomputed per second (and events/s);
 *   4. freshness at steady rates of 100, 250 and 1,000 events/s (CINEMATCH_BENCH_RATES), each
 *      for CINEMATCH_BENCH_SECONDS (default 15) and spread over CINEMATCH_BENCH_USERS new users
 *      (default 1,000): each event's entry is stored first (as the outbox does), then the event is
 *      published; "visible" is when `global_stats` (all-time total) or the user's `user_stats`
 *      (total watched) in MongoDB includes it. p50 / p99 per read model;
 *   5. the server's own rate of `user_stats` replaces, the document the user-stats runner writes.
 * Targets: trends runner >= half the raw rate; freshness p99 < 2 s for both.
 *
 * The topic is filled by publishing the events directly (and the entries are stored directly with
 * their pending event): this measures the runners, not the write path (the API has its own bench).
 * Servers: KAFKA_BOOTSTRAP_SERVERS / MONGODB_URL; when unset, `scripts/infra/up.sh` starts them and
 * the benchmark stops them again afterwards if it started them.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import {
  EventLog,
  partitionForKey,
  toOutgoingMessage,
  UserStatsStore,
  WatchlistStore,
} from "@cinematch/adapters";
import { bareConsumeRate, EventLogKafka } from "@cinematch/adapters/kafka";
import {
  GlobalStatsStoreMongo,
  MongoDatabaseLive,
  PartitionOwnershipMongo,
  MongoDatabase,
  ReadModelsMongo,
  TrendsStateStoreMongo,
  UserStatsStoreMongo,
  WatchlistStoreMongo,
} from "@cinematch/adapters/mongo";
import { benchAddEvent, FreshnessLedger, readMovieLensFolder, replayPlan } from "@cinematch/cli";
import { evolve } from "@cinematch/domain";
import {
  defaultUserStatsRunnerConfig,
  startUserStatsRunner,
  type UserStatsRunnerHandle,
} from "@cinematch/user-stats-runner";
import { Context, Effect, Layer } from "effect";
import kafkajs from "kafkajs";
import { defaultTrendsRunnerConfig, startTrendsRunner, type TrendsRunnerHandle } from "../src/index.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const shared = process.env.CINEMATCH_SHARED_DIR ?? `${root}../shared`;
const N = Number(process.env.CINEMATCH_BENCH_EVENTS ?? 20_000);
// The rate and lower ones side by side: where the server stops keeping up.
const RATES = (process.env.CINEMATCH_BENCH_RATES ?? "100,250,1000").split(",").map(Number);
const SECONDS = Number(process.env.CINEMATCH_BENCH_SECONDS ?? 15);
// The steady stream's users: a community where each adds about one film per second at 1,000
// events/s (50 users adding 20 films a second each measured re-reading ever longer lists instead).
const PROBE_USERS = Number(process.env.CINEMATCH_BENCH_USERS ?? 1_000);
/**
 * The user-stats freshness is measured on every K-th user's events (all users' events are sent).
 * Polling all 1,000 users' documents every 25 ms had FerretDB decode ~500 documents a second
 * (about 2 ms each: every nested value of a user_stats document becomes a Go value) beside the
 * runner it measured, on the same 2 cores.
 */
const STATS_SAMPLE_EVERY = Number(process.env.CINEMATCH_BENCH_STATS_SAMPLE_EVERY ?? 10);
const PARTITIONS = 6;

// ---- servers ------------------------------------------------------------------------------------

let startedInfra = false;
if (!process.env.KAFKA_BOOTSTRAP_SERVERS || !process.env.MONGODB_URL) {
  console.error("pipeline bench: KAFKA_BOOTSTRAP_SERVERS / MONGODB_URL unset: starting scripts/infra/up.sh");
  const wasUp = (() => {
    try {
      execFileSync(
        "bash",
        ["-c", `exec 3<>/dev/tcp/127.0.0.1/${process.env.CINEMATCH_KAFKA_PORT ?? "19092"}`],
        {
          stdio: "ignore",
        },
      );
      return true;
    } catch {
      return false;
    }
  })();
  const out = execFileSync("bash", [`${root}scripts/infra/up.sh`], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  for (const match of out.matchAll(/export (\w+)=(\S+)/g)) process.env[match[1]!] = match[2]!;
  startedInfra = !wasUp;
}
const brokers = process.env.KAFKA_BOOTSTRAP_SERVERS!.split(",").map((b) => b.trim());
const run = `bench-pipeline-${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;
const topic = `${run}-events`;
const mongoUrl = (() => {
  const url = new URL(process.env.MONGODB_URL!);
  url.pathname = `/${run.replaceAll("-", "_")}`;
  return url.toString();
})();
const mongoUrlOf = (suffix: string) => {
  const url = new URL(mongoUrl);
  url.pathname = `${url.pathname}_${suffix}`;
  return url.toString();
};

// ---- the MovieLens slice --------------------------------------------------------------------------

const { films, ratings } = readMovieLensFolder(`${shared}/data/movielens-small`);
const plan = replayPlan(ratings, films, Date.now(), { limit: N }).events;

// ---- helpers ------------------------------------------------------------------------------------------

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
const sleep = (ms: number) => Effect.promise(() => new Promise((resolve) => setTimeout(resolve, ms)));

const kafka = new kafkajs.Kafka({ brokers, clientId: `${run}-raw`, logLevel: kafkajs.logLevel.NOTHING });

/** Sets a (new) consumer group's offsets to 0 on every partition, so it reads the whole topic. */
const groupFromZero = async (groupId: string) => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.setOffsets({
    groupId,
    topic,
    partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, offset: "0" })),
  });
  await admin.disconnect();
};

/** 1. A bare kafkajs consumer: messages per second over the whole topic. */
const rawConsumeRate = () =>
  bareConsumeRate({ brokers, topic, groupId: `${run}-raw`, partitions: PARTITIONS, expected: N });

// ---- the benchmark --------------------------------------------------------------------------------------

/** The trends runner's stores on a database of its own (empty `movies`: its bootstrap counts nothing). */
const trendsStores = () =>
  Layer.mergeAll(
    WatchlistStoreMongo,
    TrendsStateStoreMongo,
    GlobalStatsStoreMongo,
    PartitionOwnershipMongo,
  ).pipe(Layer.provide(MongoDatabaseLive(mongoUrlOf("trends"))));

/** The trends runner's database, opened in the current scope (the bench reads what the runner wrote). */
const trendsDatabase = Effect.map(
  Layer.build(MongoDatabaseLive(mongoUrlOf("trends"))),
  (context) => Context.get(context, MongoDatabase).db,
);

/** The trends runner on this run's topic and its own databases, every partition consumed at once. */
const startBenchTrendsRunner = (groupId: string) =>
  Effect.flatMap(Layer.build(trendsStores()), (stores) =>
    startTrendsRunner({
      ...defaultTrendsRunnerConfig,
      topic,
      partitions: PARTITIONS,
      groupId,
      partitionsConcurrency: PARTITIONS,
    }).pipe(Effect.provide(stores)),
  );

const program = Effect.gen(function* () {
  const log = yield* EventLog;
  yield* log.ensureTopic(topic, PARTITIONS);
  console.error(
    `pipeline bench: topic ${topic}, ${plan.length} MovieLens ADD events, databases ${mongoUrl}_*`,
  );

  // The slice: entries stored (for the user-stats runner), then the events published.
  const store = yield* WatchlistStore;
  const events = plan.map((e) => benchAddEvent(e.user_id, e.movie, e.at, e.rating));
  const fillStarted = performance.now();
  yield* Effect.forEach(
    events,
    (event) =>
      store.commit({ expected_version: undefined, state: evolve(undefined, event), events: [event] }),
    { concurrency: 16, discard: true },
  );
  const entriesPerSecond = events.length / ((performance.now() - fillStarted) / 1000);
  for (let i = 0; i < events.length; i += 2000) {
    yield* log.publish(topic, events.slice(i, i + 2000).map(toOutgoingMessage));
  }
  const users = new Set(events.map((e) => e.user_id)).size;

  const raw = yield* Effect.promise(rawConsumeRate);
  console.error(`pipeline bench: raw kafkajs ${fmt(raw)} msg/s`);

  // 2. The trends runner streams the whole topic (fresh state database, group at offset 0).
  const trendsGroup = `${run}-trends`;
  yield* Effect.promise(() => groupFromZero(trendsGroup));
  const trends = yield* Effect.scoped(
    Effect.gen(function* () {
      const started = performance.now();
      const handle: TrendsRunnerHandle = yield* startBenchTrendsRunner(trendsGroup);
      const consuming = performance.now();
      while ((yield* handle.counters).events_applied < N) yield* sleep(20);
      const seconds = (performance.now() - consuming) / 1000;
      const counters = yield* handle.counters;
      return {
        events: N,
        seconds,
        startup: (consuming - started) / 1000,
        batches: counters.batches,
        pieces: counters.pieces_written,
      };
    }),
  );
  console.error(`pipeline bench: trends runner ${fmt(trends.events / trends.seconds)} events/s`);

  // The server's own rate for what the trends runner wrote: its pieces inserted again (new ids, the
  // same documents, in 1,000s as the store does) into a collection with the same index.
  const piecesCeiling = yield* Effect.scoped(
    Effect.gen(function* () {
      const trendsDb = yield* trendsDatabase;
      const written = yield* Effect.promise(() => trendsDb.collection("trend_film_state").find({}).toArray());
      const scratch = trendsDb.collection("ceiling_trend_pieces");
      yield* Effect.promise(() => scratch.createIndex({ partition: 1 }));
      const started = performance.now();
      for (let i = 0; i < written.length; i += 1000) {
        const chunk = written
          .slice(i, i + 1000)
          .map((doc) => ({ ...doc, _id: `ceiling|${String(doc._id)}` }));
        yield* Effect.promise(() => scratch.insertMany(chunk as never, { ordered: false }));
      }
      return { pieces: written.length, perSecond: written.length / ((performance.now() - started) / 1000) };
    }),
  );
  console.error(`pipeline bench: server inserts ${fmt(piecesCeiling.perSecond)} trend pieces/s`);

  // 3. The user-stats runner over the same topic (its group reads from the beginning).
  const userStats = yield* Effect.scoped(
    Effect.gen(function* () {
      const handle: UserStatsRunnerHandle = yield* startUserStatsRunner({
        ...defaultUserStatsRunnerConfig,
        topic,
        partitions: PARTITIONS,
        groupId: `${run}-user-stats`,
        partitionsConcurrency: PARTITIONS,
      });
      const started = performance.now();
      while ((yield* handle.counters).events_seen < N) yield* sleep(20);
      // The last partition batches wait for their micro-batch: count until every user is written.
      const userStatsStore = (yield* MongoDatabase).db.collection("user_stats");
      while ((yield* Effect.promise(() => userStatsStore.countDocuments())) < users) yield* sleep(20);
      const counters = yield* handle.counters;
      const seconds = (performance.now() - started) / 1000;
      return { seconds, recomputed: counters.users_recomputed, batches: counters.micro_batches, counters };
    }),
  );
  console.error(`pipeline bench: user-stats runner ${fmt(userStats.recomputed / userStats.seconds)} users/s`);

  // The server's own write rate for the document the user-stats runner writes (one per touched user).
  const statsStore = yield* UserStatsStore;
  const written = yield* Effect.forEach([...new Set(events.map((e) => e.user_id))], (user) =>
    statsStore.get(user),
  );
  const statsDocs = written.flatMap((doc) => (doc._tag === "Some" ? [doc.value] : []));
  const replaceStarted = performance.now();
  for (let round = 0; round < 3; round++) yield* statsStore.putMany(statsDocs);
  const serverWrites = {
    entriesPerSecond,
    statsPerSecond: (3 * statsDocs.length) / ((performance.now() - replaceStarted) / 1000),
  };
  console.error(`pipeline bench: server ${fmt(serverWrites.statsPerSecond)} user_stats replaces/s`);

  // 4. Freshness at a steady rate, both runners live (the trends runner resumes from its saved state).
  let warmUpMs = Number.NaN;
  const freshness = yield* Effect.scoped(
    Effect.gen(function* () {
      yield* startBenchTrendsRunner(trendsGroup);
      const statsRunner = yield* startUserStatsRunner({
        ...defaultUserStatsRunnerConfig,
        topic,
        partitions: PARTITIONS,
        groupId: `${run}-user-stats`,
        partitionsConcurrency: PARTITIONS,
      });
      const trendsDb = yield* trendsDatabase;
      const { db } = yield* MongoDatabase;
      const allTime = async () =>
        ((await trendsDb.collection("global_stats").findOne({ _id: "global_trends:all" } as never))
          ?.total_movies_analyzed as number | undefined) ?? 0;
      // Wait until the trends output counts the whole slice (the runner caught up).
      while ((yield* Effect.promise(allTime)) < N) yield* sleep(50);
      // Both runners were just restarted, and each claims and loads a partition on its first batch
      // there (on FerretDB a load reads the partition's pieces by a scan): warm up with events for
      // 60 users (every partition, almost surely) so that the phases measure the steady state. The
      // time this takes is what the first events after a restart wait; it is printed on its own.
      const warmStarted = performance.now();
      const filmsForWarmUp = [...films.values()];
      const warmEvents = Array.from({ length: 60 }, (_, i) =>
        benchAddEvent(`bench-warm-${run}-${i}`, filmsForWarmUp[i % filmsForWarmUp.length]!, Date.now()),
      );
      yield* Effect.forEach(
        warmEvents,
        (event) =>
          store.commit({ expected_version: undefined, state: evolve(undefined, event), events: [event] }),
        { concurrency: 16, discard: true },
      );
      yield* log.publish(topic, warmEvents.map(toOutgoingMessage));
      const warmUsers = warmEvents.map((event) => event.user_id);
      const statsVisible = () => db.collection("user_stats").countDocuments({ user_id: { $in: warmUsers } });
      while (
        (yield* Effect.promise(allTime)) < N + warmEvents.length ||
        (yield* Effect.promise(statsVisible)) < warmEvents.length
      )
        yield* sleep(50);
      warmUpMs = performance.now() - warmStarted;
      console.error(`pipeline bench: first events after the restart visible in ${fmt(warmUpMs)} ms`);
      // One phase per rate, the lower first (a backlog left by an overloaded phase would add to the next).
      const phase = (rate: number) =>
        Effect.gen(function* () {
          const base = yield* Effect.promise(allTime);
          const statsBefore = yield* statsRunner.counters;

          const total = rate * SECONDS;
          const probeUsers = Array.from({ length: PROBE_USERS }, (_, i) => `bench-fresh-${rate}-${run}-${i}`);
          const watched = new Set(probeUsers.filter((_, i) => i % STATS_SAMPLE_EVERY === 0));
          const ledger = new FreshnessLedger(total, (user) => watched.has(user));
          let done = false;

          // Pollers: note when each event becomes visible in MongoDB.
          const pollTrends = Effect.gen(function* () {
            while (!done || !ledger.trendsCaughtUp) {
              ledger.trendsCount((yield* Effect.promise(allTime)) - base, performance.now());
              if (done && ledger.trendsCaughtUp) break;
              yield* sleep(10);
            }
          });
          const pollStats = Effect.gen(function* () {
            while (!done || !ledger.statsCaughtUp) {
              // Only watched users with events not yet seen, by user_id (indexed; under partition
              // ownership the documents are keyed `<user>|<epoch>`), every 25 ms, or after as long
              // as the last read took: the poller never keeps the server busier than half the time.
              const passStarted = performance.now();
              const waiting = ledger.usersWaiting();
              for (let i = 0; i < waiting.length; i += 500) {
                const ids = waiting.slice(i, i + 500);
                const docs = yield* Effect.promise(() =>
                  db
                    .collection("user_stats")
                    .find(
                      { user_id: { $in: ids } },
                      {
                        projection: { user_id: 1, "stats.total_watched": 1 },
                      },
                    )
                    .toArray(),
                );
                const now = performance.now();
                for (const doc of docs) {
                  const visible = (doc.stats?.total_watched as number | undefined) ?? 0;
                  ledger.statsCount(doc.user_id as string, visible, now);
                }
              }
              if (done && ledger.statsCaughtUp) break;
              yield* sleep(Math.max(25, performance.now() - passStarted));
            }
          });
          const pollers = yield* Effect.fork(
            Effect.all([pollTrends, pollStats], { concurrency: 2 }).pipe(Effect.timeout("120 seconds")),
          );

          // The steady stream at rate per second, in 10 ms ticks like an outbox relay: each tick stores
          // the entries that came due (with their pending events), then publishes their events at once.
          const filmList = [...films.values()];
          const started = performance.now();
          let next = 0;
          while (next < total) {
            const due = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
            if (due <= next) {
              yield* sleep(Math.max(1, started + (next * 1000) / rate - performance.now()));
              continue;
            }
            const tick = Array.from({ length: due - next }, (_, k) => next + k);
            const tickEvents = tick.map((i) => ({
              i,
              event: benchAddEvent(
                probeUsers[i % probeUsers.length]!,
                filmList[(i * 7919) % filmList.length]!,
                Date.now(),
              ),
            }));
            yield* Effect.forEach(
              tickEvents,
              ({ event }) =>
                store.commit({
                  expected_version: undefined,
                  state: evolve(undefined, event),
                  events: [event],
                }),
              { concurrency: 32, discard: true },
            );
            // A slow tick (a shared machine) can hold many events: stay under the broker's request size.
            for (let k = 0; k < tickEvents.length; k += 500) {
              yield* log.publish(
                topic,
                tickEvents.slice(k, k + 500).map(({ event }) => toOutgoingMessage(event)),
              );
            }
            const now = performance.now();
            for (const { i, event } of tickEvents) ledger.notePublished(i, event.user_id, now);
            next = due;
            ledger.publishedUpTo(due);
          }
          const achieved = total / ((performance.now() - started) / 1000);
          done = true;
          yield* pollers.await;
          const { trendsLatency, statsLatency } = ledger;
          trendsLatency.sort((a, b) => a - b);
          statsLatency.sort((a, b) => a - b);
          const statsAfter = yield* statsRunner.counters;
          const statsWork = {
            micro_batches: statsAfter.micro_batches - statsBefore.micro_batches,
            users_recomputed: statsAfter.users_recomputed - statsBefore.users_recomputed,
            users_written: statsAfter.users_written - statsBefore.users_written,
            read_ms: statsAfter.read_ms - statsBefore.read_ms,
            compute_ms: statsAfter.compute_ms - statsBefore.compute_ms,
            write_ms: statsAfter.write_ms - statsBefore.write_ms,
          };
          return {
            rate,
            achieved,
            total,
            statsMeasured: ledger.statsMeasured,
            trendsLatency,
            statsLatency,
            statsWork,
          };
        });
      const phases = [];
      for (const rate of [...RATES].sort((x, y) => x - y)) phases.push(yield* phase(rate));
      return phases;
    }),
  );

  // ---- report ----
  const trendsRate = trends.events / trends.seconds;
  const usersRate = userStats.recomputed / userStats.seconds;
  console.log("\n## Pipeline (real Kafka + MongoDB-wire server)");
  console.log(
    `${N} MovieLens ADD events of ${users} users on ${PARTITIONS} partitions; ratio = to the raw kafkajs rate`,
  );
  console.log("| stage | rate | ratio to raw |");
  console.log("| --- | ---: | ---: |");
  console.log(`| raw kafkajs consumer (eachBatch, no work) | ${fmt(raw)} msg/s | 1.00 |`);
  console.log(
    `| trends runner (whole topic, empty state) | ${fmt(trendsRate)} events/s (${trends.batches} partition batches, ${trends.pieces} state pieces written) | ${fmt(trendsRate / raw, 2)} |`,
  );
  console.log(
    `| the server alone inserting the trends runner's ${piecesCeiling.pieces} pieces again | ${fmt(piecesCeiling.perSecond)} pieces/s (the runner wrote ${fmt(trends.pieces / trends.seconds)}/s while it ran: ${fmt(trends.pieces / trends.seconds / piecesCeiling.perSecond, 2)} of it) | |`,
  );
  // The trends state is one piece per (partition, film): however the batches fall, the runner writes
  // at least one piece per pair in the topic. At the server's own insert rate that alone bounds it.
  const pairs = new Set(events.map((e) => `${partitionForKey(e.user_id, PARTITIONS)}|${e.movie.movie_id}`))
    .size;
  const boundRate = N / (pairs / piecesCeiling.perSecond);
  console.log(
    `| bound: the topic's ${pairs} distinct (partition, film) pairs, one piece each, at the server's rate | ${fmt(boundRate)} events/s at most | ${fmt(boundRate / raw, 2)} |`,
  );
  console.log(
    `| user-stats runner | ${fmt(usersRate, 1)} users/s (${userStats.batches} micro-batches, ${fmt(N / userStats.seconds)} events/s) | ${fmt(N / userStats.seconds / raw, 2)} |`,
  );
  const split = (work: {
    micro_batches: number;
    users_recomputed: number;
    users_written: number;
    read_ms: number;
    compute_ms: number;
    write_ms: number;
  }) =>
    `${work.micro_batches} micro-batches of ${fmt(work.users_recomputed / Math.max(1, work.micro_batches), 1)} users on average, ` +
    `${work.users_written} documents written; store reads ${fmt(work.read_ms)} ms, computeUserStats ${fmt(work.compute_ms)} ms, ` +
    `bulk writes ${fmt(work.write_ms)} ms (${fmt(work.write_ms / Math.max(1, work.users_written), 2)} ms per document)`;
  console.log(`\nuser-stats runner, whole topic: ${split(userStats.counters)}`);
  for (const f of freshness) {
    console.log(
      `\n## Freshness (event published → visible in MongoDB), asked ${f.rate} events/s for ${SECONDS} s over ${PROBE_USERS} new users`,
    );
    console.log(`achieved ${fmt(f.achieved)} events/s (store + publish each)`);
    console.log("| read model | events seen | p50 ms | p99 ms | max ms |");
    console.log("| --- | ---: | ---: | ---: | ---: |");
    for (const [name, list, measured] of [
      ["global_stats (trends)", f.trendsLatency, f.total],
      [`user_stats (every ${STATS_SAMPLE_EVERY}th user's events)`, f.statsLatency, f.statsMeasured],
    ] as const) {
      console.log(
        `| ${name} | ${list.length}/${measured} | ${fmt(percentile(list, 50))} | ${fmt(percentile(list, 99))} | ${fmt(list[list.length - 1] ?? Number.NaN)} |`,
      );
    }
    console.log(`where the user-stats runner's time went: ${split(f.statsWork)}`);
  }
  console.log(
    `\nfirst events after both runners restarted (each partition claimed and loaded on its first batch): visible in ${fmt(warmUpMs)} ms (before the phases, not in them)`,
  );
  const met = (ok: boolean) => (ok ? "met" : "NOT met");
  console.log("\n## Targets");
  console.log(
    `- trends runner >= 0.5 × raw consume rate: ${fmt(trendsRate / raw, 2)} × (${met(trendsRate >= raw / 2)})`,
  );
  for (const f of freshness) {
    const p99Trends = percentile(f.trendsLatency, 99);
    const p99Stats = percentile(f.statsLatency, 99);
    console.log(
      `- at ${f.rate} events/s: trends freshness p99 < 2000 ms: ${fmt(p99Trends)} ms (${met(p99Trends < 2000 && f.trendsLatency.length === f.total)}); ` +
        `user stats freshness p99 < 2000 ms: ${fmt(p99Stats)} ms (${met(p99Stats < 2000 && f.statsLatency.length === f.statsMeasured)}); ` +
        `steady rate achieved: ${fmt(f.achieved)} (${met(f.achieved >= f.rate * 0.95)})`,
    );
  }
  console.log(
    `- server write capacity, same run: ${fmt(serverWrites.statsPerSecond)} user_stats replaces/s, ${fmt(serverWrites.entriesPerSecond)} watchlist inserts/s ` +
      "(each event costs one entry insert and, per micro-batch, one replace per touched user)",
  );
});

const layers = Layer.mergeAll(
  WatchlistStoreMongo,
  ReadModelsMongo,
  UserStatsStoreMongo,
  PartitionOwnershipMongo,
).pipe(
  Layer.provideMerge(MongoDatabaseLive(mongoUrl)),
  // As the runners' processes do: every partition consumed at once.
  Layer.merge(
    EventLogKafka({
      brokers,
      clientId: run,
      partitionsConsumedConcurrently: PARTITIONS,
      sessionTimeoutMs: 10_000,
    }),
  ),
);

const cleanup = async () => {
  const { MongoClient } = await import("mongodb");
  const client = new MongoClient(process.env.MONGODB_URL!);
  try {
    await client.connect();
    for (const name of [mongoUrl, mongoUrlOf("trends")]) {
      await client.db(new URL(name).pathname.slice(1)).dropDatabase();
    }
  } finally {
    await client.close();
  }
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic, `${topic}.dead-letter`] }).catch(() => undefined);
  await admin.disconnect();
};

try {
  await Effect.runPromise(
    Effect.scoped(program.pipe(Effect.provide(layers))) as Effect.Effect<void, unknown, never>,
  );
} finally {
  await cleanup().catch((error) => console.error("pipeline bench: cleanup failed", error));
  if (startedInfra) execFileSync("bash", [`${root}scripts/infra/down.sh`], { stdio: "inherit" });
}

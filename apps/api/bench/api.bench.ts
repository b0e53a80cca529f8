/**
 * API benchmark (`npm run bench`): POST /movies and GET /trends/global at 50 and 200 connections
 * with autocannon, against the API as its own process on the real stack (Kafka + MongoDB-wire from
 * KAFKA_BOOTSTRAP_SERVERS / MONGODB_URL; when they are unset, `scripts/infra/up.sh` provides them and
 * whatever it started is stopped again). Each run uses its own database and topic, dropped after.
 * Targets (issue 5): POST /movies p99 < 50 ms at 200 connections; GET /trends/global >= 5,000 req/s.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { CatalogStore, type CatalogEntry, GlobalStatsStore } from "@cinematch/adapters";
import {
  CatalogStoreMongo,
  GlobalStatsStoreMongo,
  MongoDatabaseLive,
  MongoDatabase,
} from "@cinematch/adapters/mongo";
import { type GlobalStatsDocument, TREND_WINDOWS } from "@cinematch/domain";
import autocannon from "autocannon";
import { Effect, Layer } from "effect";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const DURATION_S = Number(process.env.CINEMATCH_BENCH_SECONDS ?? 10);
const USERS = 200;
const FILMS = 2000;

const servers = (): { kafka: string; mongo: string; startedHere: boolean } => {
  const kafka = process.env.KAFKA_BOOTSTRAP_SERVERS;
  const mongo = process.env.MONGODB_URL;
  if (kafka && mongo) return { kafka, mongo, startedHere: false };
  console.log(
    "KAFKA_BOOTSTRAP_SERVERS / MONGODB_URL unset: starting the local servers (scripts/infra/up.sh)",
  );
  const up = spawnSync("bash", [`${root}/scripts/infra/up.sh`], { encoding: "utf8" });
  if (up.status !== 0) throw new Error(`scripts/infra/up.sh failed:\n${up.stderr}`);
  const value = (name: string) => new RegExp(`${name}=(\\S+)`).exec(up.stdout)?.[1] ?? "";
  // up.sh is idempotent and says "already running" for servers it did not start: stop nothing then.
  return {
    kafka: value("KAFKA_BOOTSTRAP_SERVERS"),
    mongo: value("MONGODB_URL"),
    startedHere: !up.stderr.includes("already running"),
  };
};

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const withDatabase = (url: string, name: string) =>
  url.replace(/^(mongodb(?:\+srv)?:\/\/[^/?#]*)(\/[^?#]*)?/, `$1/${name}`);

const seed = (mongoUrl: string) =>
  Effect.gen(function* () {
    const catalog = yield* CatalogStore;
    const trends = yield* GlobalStatsStore;
    const films: Array<CatalogEntry> = Array.from({ length: FILMS }, (_, i) => ({
      film: {
        movie_id: `bench-${i}`,
        title: `Benchmark Film Number ${i}`,
        year: 1950 + (i % 70),
        genres: ["Drama", "Comedy", "Action", "Horror"].slice(0, 1 + (i % 3)),
        directors: [`Director ${i % 97}`],
        actors: [`Actor ${i % 89}`, `Actor ${(i * 7) % 89}`],
        runtime_minutes: 80 + (i % 60),
        poster_path: `/posters/bench-${i}.jpg`,
      },
    }));
    for (let i = 0; i < films.length; i += 500) yield* catalog.upsertMany(films.slice(i, i + 500));
    const now = Date.now();
    const doc = (window: GlobalStatsDocument["window"]): GlobalStatsDocument => ({
      type: "global_trends",
      window,
      top_movies: films.slice(0, 10).map((f, i) => ({
        movie_id: f.film.movie_id,
        title: f.film.title,
        poster_path: f.film.poster_path ?? null,
        count: 100 - i,
      })),
      trending_genres: ["Drama", "Comedy", "Action"].map((genre, i) => ({
        genre,
        count: 50 - i,
        percentage: 33.3,
      })),
      total_movies_analyzed: 12_345,
      source: "streaming_incremental",
      updated_at: now,
    });
    yield* trends.putMany(TREND_WINDOWS.map(doc));
  }).pipe(
    Effect.provide(
      Layer.mergeAll(CatalogStoreMongo, GlobalStatsStoreMongo).pipe(
        Layer.provideMerge(MongoDatabaseLive(mongoUrl)),
      ),
    ),
    Effect.scoped,
  );

const dropDatabase = (mongoUrl: string) =>
  Effect.flatMap(MongoDatabase, ({ db }) => Effect.promise(() => db.dropDatabase())).pipe(
    Effect.provide(MongoDatabaseLive(mongoUrl)),
    Effect.scoped,
  );

const waitReady = async (url: string, child: ChildProcess) => {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/ready`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the API did not become ready within 60 s");
};

interface Row {
  readonly scenario: string;
  readonly connections: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly statuses: string;
}

const run = async (options: autocannon.Options, scenario: string): Promise<Row> => {
  const result = await autocannon({ ...options, duration: DURATION_S });
  const codes = Object.entries(result.statusCodeStats ?? {})
    .map(([code, stat]) => `${code}:${(stat as { count: number }).count}`)
    .join(" ");
  return {
    scenario,
    connections: options.connections ?? 10,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    statuses: codes,
  };
};

const main = async () => {
  const { kafka, mongo, startedHere } = servers();
  const runId = `${Date.now()}_${randomUUID().slice(0, 6)}`;
  const mongoUrl = withDatabase(mongo, `cinematch_bench_${runId}`);
  const topic = `bench-user-movie-events-${runId}`;
  await Effect.runPromise(seed(mongoUrl));

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [`${root}/apps/api/src/main.ts`], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      KAFKA_BOOTSTRAP_SERVERS: kafka,
      MONGODB_URL: mongoUrl,
      CINEMATCH_EVENTS_TOPIC: topic,
      CINEMATCH_TOKEN_SECRET: randomUUID(),
      // Signups are setup here, not what is measured.
      CINEMATCH_SCRYPT_N: "1024",
      CINEMATCH_LOGIN_MAX_PER_IP: "1000000",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  try {
    await waitReady(url, child);
    const tokens: Array<string> = [];
    for (let i = 0; i < USERS; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(20, USERS - i) }, async (_, k) => {
          const response = await fetch(`${url}/auth/signup`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ email: `bench-${i + k}@example.com`, password: "benchmark password" }),
          });
          if (response.status !== 201) throw new Error(`signup: ${response.status} ${await response.text()}`);
          return ((await response.json()) as { token: string }).token;
        }),
      );
      tokens.push(...batch);
    }

    // Each POST adds a new (user, film) pair: 200 users × 2,000 films, walked in order.
    let counter = 0;
    const postMovies = (connections: number) =>
      run(
        {
          url,
          connections,
          requests: [
            {
              method: "POST",
              path: "/movies",
              setupRequest: (request) => {
                const c = counter++;
                return {
                  ...request,
                  headers: {
                    "content-type": "application/json",
                    authorization: `Bearer ${tokens[c % USERS]}`,
                  },
                  body: JSON.stringify({
                    movie_id: `bench-${Math.floor(c / USERS) % FILMS}`,
                    rating: 1 + (c % 10),
                  }),
                };
              },
            },
          ],
        },
        "POST /movies",
      );
    const getTrends = (connections: number) =>
      run({ url: `${url}/trends/global?window=30d`, connections }, "GET /trends/global");

    await autocannon({ url: `${url}/trends/global`, connections: 10, duration: 2 }); // warm-up
    const rows: Array<Row> = [];
    for (const connections of [50, 200]) {
      rows.push(await getTrends(connections));
      rows.push(await postMovies(connections));
    }
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const published = /^cinematch_events_published_total (\d+)/m.exec(metrics)?.[1];

    console.log(
      `\nAPI benchmark: ${DURATION_S} s per row, API on Kafka + MongoDB-wire (${mongo.replace(/\/\/[^@]*@/, "//")}), load avg ${loadavg()
        .map((n) => n.toFixed(1))
        .join(" ")}`,
    );
    console.table(
      rows.map((r) => ({
        scenario: r.scenario,
        connections: r.connections,
        "req/s": r.rps,
        "p50 ms": r.p50,
        "p99 ms": r.p99,
        errors: r.errors,
        statuses: r.statuses,
      })),
    );
    const post200 = rows.find((r) => r.scenario === "POST /movies" && r.connections === 200)!;
    const answered = (r: Row) => r.rps > 0 && r.errors === 0;
    const trendsBest = Math.max(...rows.filter((r) => r.scenario === "GET /trends/global").map((r) => r.rps));
    console.log(
      `target POST /movies p99 < 50 ms at 200 connections: ${post200.p99} ms (${answered(post200) && post200.p99 < 50 ? "met" : "NOT met"})`,
    );
    console.log(
      `target GET /trends/global >= 5,000 req/s: ${trendsBest} req/s (${trendsBest >= 5000 ? "met" : "NOT met"})`,
    );
    console.log(`events published by the API during the run: ${published}`);
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
    await Effect.runPromise(dropDatabase(mongoUrl)).catch(() => undefined);
    if (startedHere && process.env.CINEMATCH_BENCH_KEEP_INFRA !== "1") {
      // Only the servers up.sh started for us (it records its own pids).
      execFileSync("bash", [`${root}/scripts/infra/down.sh`], { stdio: "inherit" });
    }
  }
};

await main();

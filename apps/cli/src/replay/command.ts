import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  IdGeneratorRandom,
  OutboxPublisher,
  OutboxPublisherLive,
  WatchlistCommands,
  WatchlistCommandsLive,
} from "@cinematch/adapters";
import { EventLogKafka } from "@cinematch/adapters/kafka";
import { MongoDatabaseLive, WatchlistStoreMongo } from "@cinematch/adapters/mongo";
import { type Film, USER_MOVIE_EVENTS_TOPIC } from "@cinematch/domain";
import { Duration, Effect, Layer } from "effect";
import { readMovieLensMovies } from "../catalog-import/movielens.ts";
import { formatProblem, type LineProblem } from "../catalog-import/problems.ts";
import { makeProgress, type ProgressSink } from "../catalog-import/progress.ts";
import { paceDelayMs, type ReplayEvent, replayPlan } from "./plan.ts";
import { readMovieLensRatings } from "./ratings.ts";

export const REPLAY_USAGE = `Usage: cinematch replay --movielens DIR [options]

Replays MovieLens ratings (DIR/ratings.csv, films from DIR/movies.csv) as ADD events: rating × 2
on the 0.5–10 scale, at their timestamps shifted so the newest falls at the present (spacing kept),
user N as "ml-user-N", film N as "ml-N" with the title, year and genres of movies.csv.

  --movielens DIR      MovieLens folder (ratings.csv and movies.csv)
  --limit N            replay only the N most recent ratings (default: all)
  --rate N             events per second (default: as fast as it goes)
  --via topic|api      topic (default): the one write path (watchlist entry + outbox in MongoDB, then
                       the event on Kafka), straight, as the API would; api: through the HTTP API
                       (sign up / log in each user, POST /movies; the API sets added_at to now)
  --concurrency N      writes in flight (default 8); one user's events always stay in order
  --publish MODE       with --via topic: await (default) publishes each event as it is written,
                       as the API does; batch writes entries and their pending events first and
                       publishes the outbox in pages meanwhile, as the API's relay does (faster)
  --mongodb-url URL    MongoDB for --via topic (default: MONGODB_URL, then the running stack's)
  --kafka SERVERS      Kafka for --via topic (default: KAFKA_BOOTSTRAP_SERVERS, then the stack's)
  --topic NAME         topic (default: CINEMATCH_EVENTS_TOPIC, else ${USER_MOVIE_EVENTS_TOPIC})
  --api-url URL        API for --via api (default: CINEMATCH_API_URL, else http://127.0.0.1:8000)
  --skip-bad           replay the good lines even when some lines are bad
  --fail-fast          stop at the first bad line
  -h, --help           this text

Exit status: 0 done; 1 bad input (every bad line is listed as FILE:LINE: problem, and nothing is
replayed unless --skip-bad); 2 wrong arguments; 3 a server failed.`;

export const EXIT_OK = 0;
export const EXIT_BAD_INPUT = 1;
export const EXIT_USAGE = 2;
export const EXIT_SERVER = 3;

export interface ReplayIO {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: ProgressSink;
  /** Clock for the shift (tests pin it). Default `Date.now`. */
  readonly now?: () => number;
  /** Overrides the write path of `--via topic` (tests pass in-memory layers). */
  readonly commandsLayer?: Layer.Layer<WatchlistCommands | OutboxPublisher, unknown>;
  /** Overrides `fetch` for `--via api`. */
  readonly fetch?: typeof fetch;
}

export interface ReplaySummary {
  readonly events: number;
  readonly added: number;
  readonly already_present: number;
  readonly failed: number;
  readonly users: number;
  readonly films: number;
  readonly seconds: number;
}

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));

/** `KEY=value` lines `npm run stack:up` writes, read when the environment names no server. */
const readStackEnv = (env: ReplayIO["env"]): Record<string, string> => {
  const path = join(env.CINEMATCH_CACHE_DIR ?? join(repoRoot, ".cache"), "stack", "env");
  if (!existsSync(path)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) out[match[1]!] = match[2]!;
  }
  return out;
};

const positiveInt = (text: string | undefined, name: string, allowZero = false): number | string => {
  if (text === undefined) return Number.NaN;
  const n = Number(text);
  return Number.isInteger(n) && (n > 0 || (allowZero && n === 0))
    ? n
    : `--${name} must be a whole number${allowZero ? "" : " above 0"}, got ${JSON.stringify(text)}`;
};

/** Splits the events into `lanes` ordered lanes, a user always in the same one (their order is kept). */
const lanesOf = (events: ReadonlyArray<ReplayEvent>, lanes: number) => {
  const out: Array<Array<{ readonly index: number; readonly event: ReplayEvent }>> = Array.from(
    { length: lanes },
    () => [],
  );
  const laneOfUser = new Map<string, number>();
  events.forEach((event, index) => {
    let lane = laneOfUser.get(event.user_id);
    if (lane === undefined) {
      lane = laneOfUser.size % lanes;
      laneOfUser.set(event.user_id, lane);
    }
    out[lane]!.push({ index, event });
  });
  return out;
};

type Outcome = "added" | "already_present" | "failed";
export type PublishMode = "await" | "batch";

/** Runs every event through `write`, `concurrency` lanes at once, paced at `rate` per second. */
const drive = async (
  events: ReadonlyArray<ReplayEvent>,
  concurrency: number,
  rate: number,
  write: (event: ReplayEvent) => Promise<Outcome>,
  onDone: (outcome: Outcome) => void,
) => {
  const startedAt = performance.now();
  await Promise.all(
    lanesOf(events, concurrency).map(async (lane) => {
      for (const { index, event } of lane) {
        const wait = paceDelayMs(rate, startedAt, index, performance.now());
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        onDone(await write(event));
      }
    }),
  );
};

/** The `--via topic` write path: the real stores and log, through `WatchlistCommands`. */
export const topicCommandsLayer = (settings: {
  readonly mongoUrl: string;
  readonly brokers: ReadonlyArray<string>;
  readonly topic: string;
  readonly partitions: number;
  readonly publish?: PublishMode;
}) => {
  const base = Layer.mergeAll(
    WatchlistStoreMongo.pipe(
      Layer.provide(MongoDatabaseLive(settings.mongoUrl, { appName: "cinematch-replay" })),
    ),
    EventLogKafka({ brokers: settings.brokers, clientId: "cinematch-replay" }),
    IdGeneratorRandom,
  );
  const publisher = OutboxPublisherLive({
    topic: settings.topic,
    partitions: settings.partitions,
    relayMinAgeMs: 0,
  }).pipe(Layer.provideMerge(base));
  // "await": writers publish at once. "batch": writers only store; `viaTopic` publishes the outbox in
  // pages. Either way whatever a failed publication left behind is published before the end.
  return WatchlistCommandsLive({ publish: settings.publish === "batch" ? "relay" : "await" }).pipe(
    Layer.provideMerge(publisher),
  );
};

const viaTopic = async (
  events: ReadonlyArray<ReplayEvent>,
  layer: Layer.Layer<WatchlistCommands | OutboxPublisher, unknown>,
  concurrency: number,
  rate: number,
  publish: PublishMode,
  onDone: (outcome: Outcome) => void,
  warn: (text: string) => void,
) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const commands = yield* WatchlistCommands;
        const publisher = yield* OutboxPublisher;
        const runtime = yield* Effect.runtime<never>();
        const runPromise = <A, E>(effect: Effect.Effect<A, E>) =>
          Effect.runPromise(effect.pipe(Effect.provide(runtime)) as Effect.Effect<A, E>);
        let firstFailure = true;
        let writing = true;
        // "batch": publish the outbox in pages while the writes go on, like the API's relay.
        const pages = Effect.gen(function* () {
          while (writing) {
            const pass = yield* publisher.publishBacklog(1000).pipe(
              Effect.catchAll((error) =>
                Effect.as(Effect.logWarning("replay: a publication page failed", error.message), {
                  published: 0,
                }),
              ),
            );
            if (pass.published === 0) yield* Effect.sleep(Duration.millis(100));
          }
        });
        const pager = publish === "batch" ? yield* Effect.fork(pages) : undefined;
        yield* Effect.promise(() =>
          drive(
            events,
            concurrency,
            rate,
            (event) =>
              runPromise(
                commands
                  .add(event.user_id, {
                    movie: event.movie,
                    rating: event.rating,
                    watched_at: event.at,
                    added_at: event.at,
                  })
                  .pipe(
                    Effect.map((result): Outcome => result.status),
                    Effect.catchAll((error) =>
                      Effect.sync((): Outcome => {
                        if (firstFailure)
                          warn(`replay: a write failed (${error.message}); counting the others`);
                        firstFailure = false;
                        return "failed";
                      }),
                    ),
                  ),
              ),
            onDone,
          ),
        );
        writing = false;
        if (pager !== undefined) yield* pager.await;
        // Leave nothing unpublished: publish what is left, for as long as it keeps moving (a backlog
        // that has not shrunk for 60 s means the broker or the database is away: say so and stop).
        const drained = yield* Effect.gen(function* () {
          let backlog = yield* publisher.countBacklog;
          let lastProgress = Date.now();
          while (backlog > 0) {
            const pass = yield* publisher.publishBacklog(1000);
            if (pass.published === 0) yield* Effect.sleep(Duration.millis(500));
            const next = yield* publisher.countBacklog;
            if (next < backlog) lastProgress = Date.now();
            else if (Date.now() - lastProgress > 60_000) return yield* Effect.fail("stalled" as const);
            backlog = next;
          }
        }).pipe(Effect.either);
        if (drained._tag === "Left") {
          return yield* Effect.die(
            new Error(
              "the outbox stopped draining for 60 s (every entry is stored; the API's relay publishes the rest)",
            ),
          );
        }
      }).pipe(Effect.provide(layer)),
    ) as Effect.Effect<void>,
  );

interface ApiSession {
  token: string;
}

const viaApi = async (
  events: ReadonlyArray<ReplayEvent>,
  apiUrl: string,
  doFetch: typeof fetch,
  concurrency: number,
  rate: number,
  onDone: (outcome: Outcome) => void,
  warn: (text: string) => void,
) => {
  const sessions = new Map<string, Promise<ApiSession>>();
  const call = async (path: string, init: RequestInit): Promise<Response> => {
    for (let attempt = 0; ; attempt++) {
      const response = await doFetch(new URL(path, apiUrl), init);
      if (response.status !== 429 || attempt >= 20) return response;
      const retryAfter = Number(response.headers.get("retry-after") ?? "1");
      await new Promise((resolve) => setTimeout(resolve, Math.max(0.1, retryAfter) * 1000));
    }
  };
  const json = (body: unknown): RequestInit => ({
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const session = (user_id: string) => {
    let found = sessions.get(user_id);
    if (found === undefined) {
      found = (async () => {
        const credentials = {
          email: `${user_id}@replay.cinematch.test`,
          password: `replay-${user_id}-password`,
        };
        let response = await call("/auth/signup", json(credentials));
        if (response.status === 409) response = await call("/auth/login", json(credentials));
        if (!response.ok)
          throw new Error(`sign up / log in of ${user_id}: HTTP ${response.status} ${await response.text()}`);
        return { token: ((await response.json()) as { token: string }).token };
      })();
      sessions.set(user_id, found);
    }
    return found;
  };
  let firstFailure = true;
  await drive(
    events,
    concurrency,
    rate,
    async (event) => {
      try {
        const { token } = await session(event.user_id);
        const response = await call("/movies", {
          ...json({
            movie_id: event.movie.movie_id,
            rating: event.rating,
            watched_at: new Date(event.at).toISOString(),
          }),
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        });
        if (response.status === 201) return "added";
        if (response.status === 200) return "already_present";
        throw new Error(
          `POST /movies ${event.movie.movie_id}: HTTP ${response.status} ${await response.text()}`,
        );
      } catch (cause) {
        if (firstFailure) warn(`replay: ${(cause as Error).message}; counting the others`);
        firstFailure = false;
        return "failed";
      }
    },
    onDone,
  );
};

export const runReplay = async (argv: ReadonlyArray<string>, io: ReplayIO): Promise<number> => {
  const say = (text: string) => io.stdout.write(`${text}\n`);
  const warn = (text: string) => io.stderr.write(`${text}\n`);
  let options: Record<string, string | boolean | undefined>;
  try {
    ({ values: options } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        movielens: { type: "string" },
        limit: { type: "string" },
        rate: { type: "string" },
        via: { type: "string" },
        concurrency: { type: "string" },
        publish: { type: "string" },
        "mongodb-url": { type: "string" },
        kafka: { type: "string" },
        topic: { type: "string" },
        "api-url": { type: "string" },
        "skip-bad": { type: "boolean" },
        "fail-fast": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (cause) {
    warn(`replay: ${(cause as Error).message}\n\n${REPLAY_USAGE}`);
    return EXIT_USAGE;
  }
  if (options.help) {
    say(REPLAY_USAGE);
    return EXIT_OK;
  }
  const usage = (message: string) => {
    warn(`replay: ${message}\n\n${REPLAY_USAGE}`);
    return EXIT_USAGE;
  };
  const dir = options.movielens;
  if (typeof dir !== "string") return usage("give --movielens DIR");
  const via = (options.via as string | undefined) ?? "topic";
  if (via !== "topic" && via !== "api")
    return usage(`--via must be topic or api, got ${JSON.stringify(via)}`);
  if (options["skip-bad"] && options["fail-fast"])
    return usage("--skip-bad and --fail-fast contradict each other");
  const publish = (options.publish as string | undefined) ?? "await";
  if (publish !== "await" && publish !== "batch") {
    return usage(`--publish must be await or batch, got ${JSON.stringify(publish)}`);
  }
  const limit = options.limit === undefined ? undefined : positiveInt(options.limit as string, "limit");
  const rate = options.rate === undefined ? 0 : positiveInt(options.rate as string, "rate", true);
  const concurrency =
    options.concurrency === undefined ? 8 : positiveInt(options.concurrency as string, "concurrency");
  for (const value of [limit, rate, concurrency]) if (typeof value === "string") return usage(value);

  // Where to write, decided before any work.
  const stack = readStackEnv(io.env);
  const topic =
    (options.topic as string | undefined) ?? io.env.CINEMATCH_EVENTS_TOPIC ?? USER_MOVIE_EVENTS_TOPIC;
  const partitions = Number(io.env.CINEMATCH_EVENTS_PARTITIONS ?? "6") || 6;
  const mongoUrl = (options["mongodb-url"] as string | undefined) || io.env.MONGODB_URL || stack.MONGODB_URL;
  const kafka =
    (options.kafka as string | undefined) || io.env.KAFKA_BOOTSTRAP_SERVERS || stack.KAFKA_BOOTSTRAP_SERVERS;
  const apiUrl =
    (options["api-url"] as string | undefined) || io.env.CINEMATCH_API_URL || "http://127.0.0.1:8000";
  if (via === "topic" && io.commandsLayer === undefined && (!mongoUrl || !kafka)) {
    return usage(
      "--via topic needs MongoDB and Kafka: set MONGODB_URL and KAFKA_BOOTSTRAP_SERVERS (or --mongodb-url and --kafka), or start the stack with `npm run stack:up`",
    );
  }

  // 1. Read and check both files, collecting every bad line.
  const problems: Array<LineProblem> = [];
  const read = async (path: string): Promise<string | undefined> => {
    try {
      return await readFile(path, "utf8");
    } catch (cause) {
      problems.push({ file: path, line: 0, message: `cannot read: ${(cause as Error).message}` });
      return undefined;
    }
  };
  const moviesPath = join(dir, "movies.csv");
  const ratingsPath = join(dir, "ratings.csv");
  const films = new Map<number, Film>();
  const moviesText = await read(moviesPath);
  if (moviesText !== undefined) {
    const movies = readMovieLensMovies(moviesText, moviesPath);
    problems.push(...movies.problems);
    for (const film of movies.films) films.set(film.movielens_id, film.entry.film);
  }
  const ratingsText = options["fail-fast"] && problems.length > 0 ? undefined : await read(ratingsPath);
  let events: ReadonlyArray<ReplayEvent> = [];
  if (ratingsText !== undefined) {
    const ratings = readMovieLensRatings(ratingsText, ratingsPath);
    problems.push(...ratings.problems);
    const plan = replayPlan(ratings.ratings, films, (io.now ?? Date.now)(), {
      ...(typeof limit === "number" && !Number.isNaN(limit) ? { limit } : {}),
      file: ratingsPath,
    });
    problems.push(...plan.problems);
    events = plan.events;
  }
  const shown = options["fail-fast"] ? problems.slice(0, 1) : problems;
  for (const problem of shown) warn(formatProblem(problem));
  if (problems.length > 0 && !options["skip-bad"]) {
    warn(`replay: ${problems.length} bad line(s); nothing replayed (--skip-bad replays the good ones)`);
    return EXIT_BAD_INPUT;
  }

  // 2. Replay.
  const progress = makeProgress(io.stderr);
  const counts = { added: 0, already_present: 0, failed: 0 };
  let done = 0;
  progress.start(`replay via ${via}`, events.length);
  const onDone = (outcome: Outcome) => {
    counts[outcome] += 1;
    done += 1;
    progress.update(done);
  };
  const started = performance.now();
  try {
    if (via === "topic") {
      const layer =
        io.commandsLayer ??
        topicCommandsLayer({
          mongoUrl: mongoUrl!,
          brokers: kafka!
            .split(",")
            .map((b) => b.trim())
            .filter((b) => b !== ""),
          topic,
          partitions,
          publish,
        });
      await viaTopic(events, layer, concurrency as number, rate as number, publish, onDone, warn);
    } else {
      await viaApi(events, apiUrl, io.fetch ?? fetch, concurrency as number, rate as number, onDone, warn);
    }
  } catch (cause) {
    progress.finish("stopped");
    warn(`replay: ${(cause as Error).message ?? String(cause)}`);
    return EXIT_SERVER;
  }
  const seconds = (performance.now() - started) / 1000;
  progress.finish(`${(events.length / Math.max(seconds, 1e-3)).toFixed(0)} events/s`);
  const summary: ReplaySummary = {
    events: events.length,
    ...counts,
    users: new Set(events.map((e) => e.user_id)).size,
    films: new Set(events.map((e) => e.movie.movie_id)).size,
    seconds: Math.round(seconds * 10) / 10,
  };
  say(
    `replayed ${summary.events} ratings of ${summary.users} users on ${summary.films} films via ${via} in ${summary.seconds} s: ` +
      `${summary.added} added, ${summary.already_present} already present, ${summary.failed} failed`,
  );
  return summary.failed > 0 ? EXIT_SERVER : EXIT_OK;
};

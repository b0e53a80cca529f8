import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { OutboxPublisher, WatchlistCommands } from "@cinematch/adapters";
import { type Film, USER_MOVIE_EVENTS_TOPIC } from "@cinematch/domain";
import type { Layer } from "effect";
import { readMovieLensMovies } from "../catalog-import/movielens.ts";
import { formatProblem, type LineProblem } from "../catalog-import/problems.ts";
import { makeProgress, type ProgressSink } from "../catalog-import/progress.ts";
import {
  type CommandOptions,
  commandOutput,
  parseCommandLine,
  wholeNumberOption,
} from "../command-line/arguments.ts";
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_SERVER, EXIT_USAGE } from "../command-line/exit-codes.ts";
import { brokerList, serverSetting } from "../command-line/servers.ts";
import type { Outcome } from "./drive.ts";
import { type ReplayEvent, replayPlan } from "./plan.ts";
import { readMovieLensRatings } from "./ratings.ts";
import { viaApi } from "./via-api.ts";
import { type PublishMode, topicCommandsLayer, viaTopic } from "./via-topic.ts";

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

const OPTIONS = {
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
} as const;

interface ReplaySettings {
  readonly dir: string;
  readonly via: "topic" | "api";
  readonly publish: PublishMode;
  readonly limit: number | undefined;
  readonly rate: number;
  readonly concurrency: number;
  readonly failFast: boolean;
  readonly skipBad: boolean;
  readonly topic: string;
  readonly partitions: number;
  readonly mongoUrl: string | undefined;
  readonly kafka: string | undefined;
  readonly apiUrl: string;
}

/** The settings the options and the environment give, or what is wrong with them; decided before any work. */
const replaySettings = (options: CommandOptions<typeof OPTIONS>, io: ReplayIO): ReplaySettings | string => {
  const dir = options.movielens;
  if (typeof dir !== "string") return "give --movielens DIR";
  const via = options.via ?? "topic";
  if (via !== "topic" && via !== "api") return `--via must be topic or api, got ${JSON.stringify(via)}`;
  if (options["skip-bad"] && options["fail-fast"]) return "--skip-bad and --fail-fast contradict each other";
  const publish = options.publish ?? "await";
  if (publish !== "await" && publish !== "batch") {
    return `--publish must be await or batch, got ${JSON.stringify(publish)}`;
  }
  const limit = wholeNumberOption(options.limit, "limit", Number.NaN);
  const rate = wholeNumberOption(options.rate, "rate", 0, { allowZero: true });
  const concurrency = wholeNumberOption(options.concurrency, "concurrency", 8);
  for (const value of [limit, rate, concurrency]) if (typeof value === "string") return value;

  const mongoUrl = serverSetting(options["mongodb-url"], io.env, "MONGODB_URL");
  const kafka = serverSetting(options.kafka, io.env, "KAFKA_BOOTSTRAP_SERVERS");
  if (via === "topic" && io.commandsLayer === undefined && (!mongoUrl || !kafka)) {
    return "--via topic needs MongoDB and Kafka: set MONGODB_URL and KAFKA_BOOTSTRAP_SERVERS (or --mongodb-url and --kafka), or start the stack with `npm run stack:up`";
  }
  return {
    dir,
    via,
    publish,
    limit: Number.isNaN(limit) ? undefined : (limit as number),
    rate: rate as number,
    concurrency: concurrency as number,
    failFast: options["fail-fast"] === true,
    skipBad: options["skip-bad"] === true,
    topic: options.topic ?? io.env.CINEMATCH_EVENTS_TOPIC ?? USER_MOVIE_EVENTS_TOPIC,
    partitions: Number(io.env.CINEMATCH_EVENTS_PARTITIONS ?? "6") || 6,
    mongoUrl,
    kafka,
    apiUrl: options["api-url"] || io.env.CINEMATCH_API_URL || "http://127.0.0.1:8000",
  };
};

/** Reads and checks both files, collecting every bad line, and plans the events. */
const readReplayInput = async (settings: ReplaySettings, now: number) => {
  const problems: Array<LineProblem> = [];
  const read = async (path: string): Promise<string | undefined> => {
    try {
      return await readFile(path, "utf8");
    } catch (cause) {
      problems.push({ file: path, line: 0, message: `cannot read: ${(cause as Error).message}` });
      return undefined;
    }
  };
  const moviesPath = join(settings.dir, "movies.csv");
  const ratingsPath = join(settings.dir, "ratings.csv");
  const films = new Map<number, Film>();
  const moviesText = await read(moviesPath);
  if (moviesText !== undefined) {
    const movies = readMovieLensMovies(moviesText, moviesPath);
    problems.push(...movies.problems);
    for (const film of movies.films) films.set(film.movielens_id, film.entry.film);
  }
  const ratingsText = settings.failFast && problems.length > 0 ? undefined : await read(ratingsPath);
  let events: ReadonlyArray<ReplayEvent> = [];
  if (ratingsText !== undefined) {
    const ratings = readMovieLensRatings(ratingsText, ratingsPath);
    problems.push(...ratings.problems);
    const plan = replayPlan(ratings.ratings, films, now, {
      ...(settings.limit === undefined ? {} : { limit: settings.limit }),
      file: ratingsPath,
    });
    problems.push(...plan.problems);
    events = plan.events;
  }
  return { events, problems };
};

const replayEvents = (
  events: ReadonlyArray<ReplayEvent>,
  settings: ReplaySettings,
  io: ReplayIO,
  onDone: (outcome: Outcome) => void,
  warn: (text: string) => void,
) => {
  const { concurrency, rate } = settings;
  if (settings.via === "api") {
    return viaApi(events, settings.apiUrl, io.fetch ?? fetch, concurrency, rate, onDone, warn);
  }
  const layer =
    io.commandsLayer ??
    topicCommandsLayer({
      mongoUrl: settings.mongoUrl!,
      brokers: brokerList(settings.kafka!),
      topic: settings.topic,
      partitions: settings.partitions,
      publish: settings.publish,
    });
  return viaTopic(events, layer, concurrency, rate, settings.publish, onDone, warn);
};

export const runReplay = async (argv: ReadonlyArray<string>, io: ReplayIO): Promise<number> => {
  const out = commandOutput(io);
  const { say, warn } = out;
  const line = parseCommandLine(argv, { name: "replay", usage: REPLAY_USAGE, options: OPTIONS }, out);
  if (line._tag === "Exit") return line.code;
  const settings = replaySettings(line.options, io);
  if (typeof settings === "string") {
    warn(`replay: ${settings}\n\n${REPLAY_USAGE}`);
    return EXIT_USAGE;
  }

  // 1. Read and check both files, collecting every bad line.
  const { events, problems } = await readReplayInput(settings, (io.now ?? Date.now)());
  const shown = settings.failFast ? problems.slice(0, 1) : problems;
  for (const problem of shown) warn(formatProblem(problem));
  if (problems.length > 0 && !settings.skipBad) {
    warn(`replay: ${problems.length} bad line(s); nothing replayed (--skip-bad replays the good ones)`);
    return EXIT_BAD_INPUT;
  }

  // 2. Replay.
  const progress = makeProgress(io.stderr);
  const counts = { added: 0, already_present: 0, failed: 0 };
  let done = 0;
  progress.start(`replay via ${settings.via}`, events.length);
  const onDone = (outcome: Outcome) => {
    counts[outcome] += 1;
    done += 1;
    progress.update(done);
  };
  const started = performance.now();
  try {
    await replayEvents(events, settings, io, onDone, warn);
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
    `replayed ${summary.events} ratings of ${summary.users} users on ${summary.films} films via ${settings.via} in ${summary.seconds} s: ` +
      `${summary.added} added, ${summary.already_present} already present, ${summary.failed} failed`,
  );
  return summary.failed > 0 ? EXIT_SERVER : EXIT_OK;
};

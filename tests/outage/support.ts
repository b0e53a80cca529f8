/**
 * Support for the outage tests: a PRIVATE Kafka + FerretDB pair started with
 * scripts/infra/up.sh in a cache folder and on ports of this run's own (so stopping its broker
 * disturbs no other test), the broker stopped by its own recorded pid, and the events topic read
 * back from the beginning with kafkajs. The stack of processes on it: private-stack.ts.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { freePort, repoRoot } from "../web/support/processes.ts";

export interface PrivateInfra {
  readonly cacheDir: string;
  readonly kafkaPort: number;
  readonly env: NodeJS.ProcessEnv;
  /** From up.sh's `export` lines. */
  readonly kafka: string;
  readonly mongo: string;
}

const runScript = (script: string, env: NodeJS.ProcessEnv, timeoutMs: number) =>
  new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    execFile(
      "bash",
      [join(repoRoot, "scripts", "infra", script)],
      { env, cwd: repoRoot, timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`${script} failed: ${error.message}\n--- stderr:\n${stderr.slice(-4000)}`));
        } else resolve({ stdout, stderr });
      },
    );
  });

/** Three distinct free loopback ports. */
const freePorts = async (n: number): Promise<number[]> => {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
};

/** The environment up.sh/down.sh need for this run's private servers. */
export const privateInfraEnv = async (): Promise<Omit<PrivateInfra, "kafka" | "mongo">> => {
  const [kafkaPort, controllerPort, mongoPort] = (await freePorts(3)) as [number, number, number];
  const cacheDir = join(repoRoot, ".cache", `outage-${randomBytes(4).toString("hex")}`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CINEMATCH_CACHE_DIR: cacheDir,
    CINEMATCH_KAFKA_PORT: String(kafkaPort),
    CINEMATCH_KAFKA_CONTROLLER_PORT: String(controllerPort),
    CINEMATCH_MONGO_PORT: String(mongoPort),
  };
  return { cacheDir, kafkaPort, env };
};

/** Runs up.sh (installs into the private cache on first use; idempotent) and parses its exports. */
export const infraUp = async (base: Omit<PrivateInfra, "kafka" | "mongo">): Promise<PrivateInfra> => {
  const { stdout } = await runScript("up.sh", base.env, 280_000);
  const kafka = /^export KAFKA_BOOTSTRAP_SERVERS=(\S+)$/m.exec(stdout)?.[1];
  const mongo = /^export MONGODB_URL=(\S+)$/m.exec(stdout)?.[1];
  if (!kafka || !mongo) throw new Error(`up.sh printed no export lines:\n${stdout}`);
  return { ...base, kafka, mongo };
};

/** Stops everything up.sh started for this run, wipes its data, then removes the private cache. */
export const infraDown = async (base: Omit<PrivateInfra, "kafka" | "mongo">): Promise<void> => {
  await runScript("down.sh", { ...base.env, CINEMATCH_INFRA_WIPE: "1" }, 90_000);
  // down.sh succeeded, so nothing runs from this folder any more: the jars and binary can go too.
  rmSync(base.cacheDir, { recursive: true, force: true });
};

const kafkaPidFile = (cacheDir: string) => join(cacheDir, "infra", "kafka", "kafka.pid");
const kafkaConfig = (cacheDir: string) => join(cacheDir, "infra", "kafka", "server.properties");

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

/**
 * SIGTERM to the private broker only (the pid up.sh recorded, checked against its command line,
 * which names this run's cache folder), then polls until the process is gone and its port closed.
 */
export const stopKafka = async (infra: PrivateInfra, timeoutMs = 60_000): Promise<number> => {
  const pidFile = kafkaPidFile(infra.cacheDir);
  if (!existsSync(pidFile)) throw new Error(`no Kafka pid file at ${pidFile}`);
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  if (!cmdline.includes(`kafka.Kafka ${kafkaConfig(infra.cacheDir)}`)) {
    throw new Error(`pid ${pid} from ${pidFile} is not this run's broker: ${cmdline.slice(0, 300)}`);
  }
  const started = Date.now();
  process.kill(pid, "SIGTERM");
  while (alive(pid) || (await portOpen(infra.kafkaPort))) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`Kafka (pid ${pid}) still up after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Date.now() - started;
};

export interface TopicRecord {
  readonly partition: number;
  readonly offset: string;
  readonly event_id: string;
  readonly event_type: string;
  readonly user_id: string;
  readonly movie_id: string;
}

/** Every record of `topic`, from the beginning up to its current end, with a throwaway group. */
export const readWholeTopic = async (
  brokers: string,
  topic: string,
  timeoutMs = 60_000,
): Promise<ReadonlyArray<TopicRecord>> => {
  const kafka = new Kafka({
    clientId: "outage-test-reader",
    brokers: brokers.split(","),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const remaining = new Map(
    ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high)]),
  );
  const records: TopicRecord[] = [];
  const consumer = kafka.consumer({ groupId: `outage-test-reader-${randomBytes(4).toString("hex")}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const end = remaining.get(partition);
        if (end === undefined || Number(message.offset) >= end) return;
        const event = JSON.parse(message.value?.toString("utf8") ?? "null");
        records.push({
          partition,
          offset: message.offset,
          event_id: event.event_id,
          event_type: event.event_type,
          user_id: event.user_id,
          movie_id: event.movie?.movie_id,
        });
        if (Number(message.offset) + 1 >= end) remaining.delete(partition);
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (remaining.size > 0) {
      if (Date.now() > deadline) {
        throw new Error(
          `read ${records.length} records of ${topic}; partitions not read to the end: ${[
            ...remaining.keys(),
          ].join(",")}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await consumer.disconnect();
  }
  return records;
};

const ferretDbPidFile = (cacheDir: string) => join(cacheDir, "infra", "ferretdb", "ferretdb.pid");
const ferretDbBinary = (cacheDir: string) => join(cacheDir, "infra", "ferretdb", "bin", "cinematch-ferretdb");

/**
 * SIGKILL to the private FerretDB only (the pid up.sh recorded, checked against its command line,
 * which names this run's cache folder): a crash, not a shutdown. Polls until its port is closed.
 */
export const killFerretDb = async (infra: PrivateInfra, timeoutMs = 30_000): Promise<void> => {
  const pidFile = ferretDbPidFile(infra.cacheDir);
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  if (!cmdline.startsWith(`${ferretDbBinary(infra.cacheDir)} --listen-addr=`)) {
    throw new Error(`pid ${pid} from ${pidFile} is not this run's FerretDB: ${cmdline.slice(0, 300)}`);
  }
  const port = Number(new URL(infra.mongo).port);
  const started = Date.now();
  process.kill(pid, "SIGKILL");
  while (alive(pid) || (await portOpen(port))) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`FerretDB (pid ${pid}) still up after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

import { Agent, request } from "node:http";

/**
 * An open loop that is open: request i is due at `start + i / rate` whatever the answers before it
 * did, and its latency is counted from when it was due, so a server that falls behind shows it
 * (no coordinated omission).
 *
 * Why not autocannon's `overallRate`: it gives each connection a budget per second, reset by a
 * one-second timer, and a connection spends its budget back to back. At 1,000/s over 200
 * connections every second starts with 200 requests at once, so the figures measured bursts, not a
 * constant rate. And its correction for coordinated omission takes the expected interval as
 * `ceil(1 / rate)` of a per-connection rate per SECOND, which is 1 (ms): each answer of n ms is
 * recorded again n times, which weights slow answers far beyond their share (autocannon 9.0.0,
 * lib/httpClient.js and lib/run.js).
 */
export interface OpenLoopOptions {
  readonly url: string;
  /** Requests per second, evenly spaced. */
  readonly rate: number;
  readonly seconds: number;
  /** Sockets the client may open (requests due while all are busy wait for one, and that counts). */
  readonly connections: number;
  readonly next: (index: number) => {
    readonly method: string;
    readonly path: string;
    readonly headers: Record<string, string>;
    readonly body?: string;
  };
}

/** What a load phase measured (the closed-loop rows read the same from autocannon). */
export interface LoadFigures {
  /** Answers per second (here: from the first request due to the last answer). */
  readonly rps: number;
  /** Latency percentiles and maximum, ms (here: from due to answered, every answer whatever its status). */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly errors: number;
  /** "201:4540 503:12". */
  readonly statuses: string;
  /** 201 answers: changes the API accepted. */
  readonly accepted: number;
}

const quantile = (sorted: ReadonlyArray<number>, q: number) =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

export const openLoop = async (options: OpenLoopOptions): Promise<LoadFigures> => {
  const target = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const total = Math.round(options.rate * options.seconds);
  const latencies: Array<number> = [];
  const statuses = new Map<number, number>();
  let errors = 0;
  const answers: Array<Promise<void>> = [];

  const send = (index: number, due: number) =>
    new Promise<void>((resolve) => {
      const { method, path, headers, body } = options.next(index);
      const req = request(
        { host: target.hostname, port: target.port, method, path, headers, agent },
        (response) => {
          response.resume();
          response.on("end", () => {
            latencies.push(performance.now() - due);
            statuses.set(response.statusCode ?? 0, (statuses.get(response.statusCode ?? 0) ?? 0) + 1);
            resolve();
          });
        },
      );
      req.on("error", () => {
        errors += 1;
        resolve();
      });
      req.end(body);
    });

  const start = performance.now();
  const interval = 1000 / options.rate;
  let sent = 0;
  while (sent < total) {
    const now = performance.now();
    while (sent < total && start + sent * interval <= now) {
      answers.push(send(sent, start + sent * interval));
      sent += 1;
    }
    if (sent < total) {
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, start + sent * interval - performance.now())),
      );
    }
  }
  await Promise.all(answers);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();

  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    rps: Math.round(latencies.length / elapsed),
    p50: Math.round(quantile(sorted, 0.5)),
    p99: Math.round(quantile(sorted, 0.99)),
    max: Math.round(sorted.at(-1) ?? Number.NaN),
    errors,
    statuses: [...statuses.entries()]
      .sort(([a], [b]) => a - b)
      .map(([code, count]) => `${code}:${count}`)
      .join(" "),
    accepted: statuses.get(201) ?? 0,
  };
};

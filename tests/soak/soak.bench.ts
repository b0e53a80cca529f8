/**
 * The soak (`npm run bench`, never in CI): mixed traffic at a steady rate for 10 minutes against the
 * real stack on a PRIVATE Kafka + FerretDB pair, with a fault every 2 minutes (Kafka SIGKILLed,
 * FerretDB SIGKILLed, the user-stats runner SIGKILLed, the trends runner SIGKILLed; each started
 * again after a short outage). It prints, per minute: requests sent, answers by class, p99, and
 * the RSS of the API and of each runner; at the end: writes accepted and refused, and acknowledged
 * writes lost or counted twice (the store, the user statistics and the trends against the load
 * generator's own model). Goal: nothing lost, nothing doubled, RSS flat.
 *
 * Env: CINEMATCH_SOAK_MINUTES (10), CINEMATCH_SOAK_RATE (300 requests/s), CINEMATCH_SOAK_FAULT_EVERY_S
 * (120), CINEMATCH_SOAK_USERS (120), CINEMATCH_SOAK_OUTAGE_S (15).
 *
 * Writes of one user are never in flight together (each user's model stays exact); a write that
 * gets no 2xx has an unknown outcome and is settled at the end against what the store holds.
 *
 * SIGINT (Ctrl-C) or SIGTERM stops the run: its processes and private servers are stopped (their
 * data wiped, as at the end of a run) and it exits non-zero saying so; a second signal stops
 * waiting and names whatever is left running.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Film } from "@cinematch/domain";
import { startPrivateStack } from "../outage/private-stack.ts";
import { stopList, stopOnSignals } from "../outage/stop-list.ts";
import { infraUp, killFerretDb } from "../outage/support.ts";
import type { Started } from "../web/support/processes.ts";

const intEnv = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
};
const MINUTES = intEnv("CINEMATCH_SOAK_MINUTES", 10);
const RATE = intEnv("CINEMATCH_SOAK_RATE", 300);
const FAULT_EVERY_S = intEnv("CINEMATCH_SOAK_FAULT_EVERY_S", 120);
const USERS = intEnv("CINEMATCH_SOAK_USERS", 120);
const OUTAGE_S = intEnv("CINEMATCH_SOAK_OUTAGE_S", 15);
const FILM_COUNT = 3_000;

const FILMS: ReadonlyArray<Film> = Array.from({ length: FILM_COUNT }, (_, i) => ({
  movie_id: `soak-${i}`,
  title: `Soak Film ${i}`,
  year: 1930 + (i % 90),
  genres: [["Drama", "Comedy", "Horror", "Action", "Western"][i % 5]!],
  runtime_minutes: 70 + (i % 90),
}));

const log = (line: string) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}`);

/** Everything the soak starts, as it starts it: what a failure or a signal stops. */
const stops = stopList();
const { requested: stopRequested } = stopOnSignals({ what: "soak", stops });

const main = async () => {
  // ---- the stack ---------------------------------------------------------------------------------

  const stack = await startPrivateStack({
    name: "soak",
    films: FILMS,
    env: {
      CINEMATCH_LOG_LEVEL: "warning",
      // Every simulated user signs up from this one address.
      CINEMATCH_LOGIN_MAX_PER_IP: "1000000",
    },
    stops,
  });
  const { base, infra, baseURL } = stack;
  const processes = stack.current;
  const start = stack.start;

  const rssMiB = (started: Started | undefined) => {
    const pid = started?.child.pid;
    if (pid === undefined || started?.exited() || !existsSync(`/proc/${pid}/status`)) return Number.NaN;
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb === undefined ? Number.NaN : Number(kb) / 1024;
  };

  // ---- the load generator's model ----------------------------------------------------------------

  interface User {
    readonly token: string;
    /** Acknowledged state: film → present. */
    readonly films: Set<string>;
    /** Films whose last write got no 2xx: present or not, the store decides. */
    readonly unsure: Set<string>;
    busy: boolean;
  }

  const call = async (method: string, path: string, token?: string, body?: unknown) => {
    const headers: Record<string, string> = { accept: "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${baseURL}${path}`, {
      method,
      headers,
      signal: AbortSignal.timeout(30_000),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const retryAfter = Number(response.headers.get("retry-after") ?? Number.NaN);
    return {
      status: response.status,
      // biome-ignore lint/suspicious/noExplicitAny: the soak reads answers loosely.
      body: (text ? JSON.parse(text) : undefined) as any,
      retryAfter: Number.isFinite(retryAfter) ? retryAfter : undefined,
    };
  };

  /**
   * For the verdict's reads after the traffic: a 503 (or no answer) is waited out, honouring
   * Retry-After, for up to two minutes; the last answer is returned either way.
   */
  const callPatiently = async (method: string, path: string, token?: string) => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const answer = await call(method, path, token).catch(() => ({
        status: 0,
        body: undefined,
        retryAfter: 1,
      }));
      if ((answer.status !== 503 && answer.status !== 0) || Date.now() > deadline) return answer;
      await new Promise((resolve) => setTimeout(resolve, 1000 * Math.min(10, answer.retryAfter ?? 1)));
    }
  };

  const users: User[] = [];
  for (let u = 0; u < USERS; u++) {
    let answer = { status: 0, body: undefined as { token: string } | undefined };
    // A client that honours Retry-After: signups right after start-up may meet a busy server.
    for (let attempt = 0; attempt < 20 && answer.status !== 201; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 500));
      answer = await call("POST", "/auth/signup", undefined, {
        email: `soak-${u}-${Date.now()}@example.com`,
        password: "correct horse battery staple",
      });
    }
    if (answer.status !== 201 || answer.body === undefined) throw new Error(`signup ${u}: ${answer.status}`);
    users.push({ token: answer.body.token, films: new Set(), unsure: new Set(), busy: false });
  }
  log(`stack up on private servers (Kafka ${infra.kafka}, FerretDB ${infra.mongo}); ${USERS} users`);

  // ---- traffic -----------------------------------------------------------------------------------

  interface MinuteStats {
    sent: number;
    ok: number;
    refused: number;
    clientErrors: number;
    failed: number;
    skipped: number;
    latencies: number[];
  }
  const minutes: MinuteStats[] = [];
  const minuteOf = (t: number) => {
    const m = Math.floor(t / 60_000);
    while (minutes.length <= m) {
      minutes.push({ sent: 0, ok: 0, refused: 0, clientErrors: 0, failed: 0, skipped: 0, latencies: [] });
    }
    return minutes[m]!;
  };
  const writes = { accepted: 0, refused: 0 };
  const rss: Array<Record<string, number>> = [];
  const faults: string[] = [];
  let inFlight = 0;
  const began = performance.now();

  const pick = <A>(list: ReadonlyArray<A>) => list[Math.floor(Math.random() * list.length)]!;

  const oneRequest = async () => {
    const stats = minuteOf(performance.now() - began);
    if (inFlight > 3_000) {
      stats.skipped += 1;
      return;
    }
    const roll = Math.random();
    const free = users.filter((u) => !u.busy);
    let user = pick(users);
    let write: (() => Promise<number>) | undefined;
    if (roll < 0.5 && free.length > 0) {
      user = pick(free);
      const u = user;
      const owned = [...u.films];
      const kind = Math.random();
      if (kind < 0.7 || owned.length === 0) {
        const film = `soak-${Math.floor(Math.random() * FILM_COUNT)}`;
        write = async () => {
          const a = await call("POST", "/movies", u.token, {
            movie_id: film,
            rating: (1 + Math.floor(Math.random() * 20)) / 2,
          });
          if (a.status < 300) {
            u.films.add(film);
            u.unsure.delete(film);
          } else u.unsure.add(film);
          return a.status;
        };
      } else if (kind < 0.85) {
        const film = pick(owned);
        write = async () => (await call("PATCH", `/movies/${film}`, u.token, { rating: 5 })).status;
      } else {
        const film = pick(owned);
        write = async () => {
          const a = await call("DELETE", `/movies/${film}`, u.token);
          if (a.status < 300) {
            u.films.delete(film);
            u.unsure.delete(film);
          } else u.unsure.add(film);
          return a.status;
        };
      }
    }
    const read = () =>
      roll < 0.7
        ? call("GET", "/movies?limit=20", user.token)
        : roll < 0.85
          ? call("GET", "/stats/me", user.token)
          : call("GET", "/trends/global?window=30d");
    stats.sent += 1;
    inFlight += 1;
    if (write) user.busy = true;
    const t0 = performance.now();
    try {
      const status = write ? await write() : (await read()).status;
      stats.latencies.push(performance.now() - t0);
      if (status < 400) stats.ok += 1;
      else if (status === 503) stats.refused += 1;
      else stats.clientErrors += 1;
      if (write) {
        if (status < 300) writes.accepted += 1;
        else writes.refused += 1;
      }
    } catch {
      stats.failed += 1;
      if (write) writes.refused += 1;
    } finally {
      inFlight -= 1;
      if (write) user.busy = false;
    }
  };

  const killPid = (started: Started | undefined) => {
    const pid = started?.child.pid;
    if (pid !== undefined && !started?.exited()) process.kill(pid, "SIGKILL");
  };
  /** The private broker's pid, checked against its command line (which names this run's cache). */
  const kafkaPid = () => {
    const pid = Number(readFileSync(join(base.cacheDir, "infra", "kafka", "kafka.pid"), "utf8").trim());
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    if (!cmdline.includes(base.cacheDir)) throw new Error(`pid ${pid} is not this run's broker`);
    return pid;
  };

  const FAULTS: ReadonlyArray<{ name: string; inject: () => Promise<void>; heal: () => Promise<void> }> = [
    {
      name: "Kafka SIGKILLed",
      inject: async () => {
        process.kill(kafkaPid(), "SIGKILL");
      },
      heal: async () => {
        await infraUp(base);
      },
    },
    {
      name: "FerretDB SIGKILLed",
      inject: () => killFerretDb(infra),
      heal: async () => {
        await infraUp(base);
      },
    },
    {
      name: "user-stats runner SIGKILLed",
      inject: async () => killPid(processes.get("user-stats-runner")),
      heal: async () => {
        start("user-stats-runner");
      },
    },
    {
      name: "trends runner SIGKILLed",
      inject: async () => killPid(processes.get("trends-runner")),
      heal: async () => {
        start("trends-runner");
      },
    },
  ];

  const totalMs = MINUTES * 60_000;
  const faultLoop = (async () => {
    for (let k = 1; k * FAULT_EVERY_S * 1000 < totalMs; k++) {
      const at = k * FAULT_EVERY_S * 1000;
      while (performance.now() - began < at) await new Promise((resolve) => setTimeout(resolve, 200));
      // Once stopping, a heal would start again what the stopping stops.
      if (stopRequested.aborted) return;
      const fault = FAULTS[(k - 1) % FAULTS.length]!;
      await fault.inject();
      log(`fault: ${fault.name}`);
      faults.push(`${((performance.now() - began) / 60_000).toFixed(1)} min: ${fault.name}`);
      const healAt = performance.now() + OUTAGE_S * 1000;
      while (performance.now() < healAt) await new Promise((resolve) => setTimeout(resolve, 200));
      if (stopRequested.aborted) return;
      await fault.heal();
      log(`healed: ${fault.name}`);
    }
  })();

  const rssLoop = (async () => {
    for (let m = 1; m <= MINUTES; m++) {
      while (performance.now() - began < m * 60_000) await new Promise((resolve) => setTimeout(resolve, 200));
      rss.push({
        api: rssMiB(processes.get("api")),
        "user-stats": rssMiB(processes.get("user-stats-runner")),
        trends: rssMiB(processes.get("trends-runner")),
      });
      const s = minutes[m - 1];
      log(`minute ${m}: ${s?.sent ?? 0} sent, ${s?.refused ?? 0} refused (503), ${s?.failed ?? 0} failed`);
    }
  })();

  // Open loop: requests leave on a clock, whatever the answers do.
  const pending = new Set<Promise<void>>();
  const tickMs = 10;
  let sent = 0;
  while (performance.now() - began < totalMs && !stopRequested.aborted) {
    const due = Math.floor(((performance.now() - began) / 1000) * RATE);
    while (sent < due) {
      sent += 1;
      const p = oneRequest();
      pending.add(p);
      void p.finally(() => pending.delete(p));
    }
    await new Promise((resolve) => setTimeout(resolve, tickMs));
  }
  // The signal's handler stops everything and exits; nothing below would mean anything.
  if (stopRequested.aborted) return;
  await Promise.all(pending);
  await faultLoop;
  await rssLoop;
  const p99 = (values: number[]) => {
    if (values.length === 0) return Number.NaN;
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!;
  };

  // The traffic's table first: it stands whatever the verdict's reads below meet.
  console.log(
    `\n## Soak: ${MINUTES} min at ${RATE} requests/s, a fault every ${FAULT_EVERY_S} s (${OUTAGE_S} s outage)`,
  );
  console.log("Shared 2-core machine: other work ran beside it; figures are indicative.\n");
  console.log(
    "| minute | sent | 2xx/3xx | 503 | other 4xx | no answer | skipped | p99 ms | RSS API MiB | RSS user-stats MiB | RSS trends MiB |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  minutes.slice(0, MINUTES).forEach((s, m) => {
    const r = rss[m] ?? {};
    console.log(
      `| ${m + 1} | ${s.sent} | ${s.ok} | ${s.refused} | ${s.clientErrors} | ${s.failed} | ${s.skipped} | ${Math.round(p99(s.latencies))} | ${r.api?.toFixed(0)} | ${r["user-stats"]?.toFixed(0)} | ${r.trends?.toFixed(0)} |`,
    );
  });
  log("traffic over; settling the unsure writes and waiting for the read models");

  // Every admission slot must come back once the traffic stops: a cut-off handler keeps its slot
  // until its store calls end (at most 35 s), never longer. Read from the API's own gauges.
  const admissionAfter = async () => {
    const text = await fetch(`${baseURL}/metrics`, { signal: AbortSignal.timeout(5_000) })
      .then((response) => response.text())
      .catch(() => "");
    const gauge = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, "m").exec(text)?.[1] ?? Number.NaN);
    return {
      running: gauge("cinematch_http_requests_running"),
      waiting: gauge("cinematch_http_requests_waiting"),
    };
  };
  const trafficEnded = performance.now();
  let slots = await admissionAfter();
  while (!(slots.running === 0 && slots.waiting === 0) && performance.now() - trafficEnded < 60_000) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    slots = await admissionAfter();
  }
  const slotsLine = `Admission after the traffic: ${slots.running} requests holding a slot, ${slots.waiting} waiting, ${((performance.now() - trafficEnded) / 1000).toFixed(1)} s after it ended (${slots.running === 0 && slots.waiting === 0 ? "every slot back" : "slots NOT all back within 60 s"})`;
  log(slotsLine);

  // ---- the verdict -------------------------------------------------------------------------------

  const listOf = async (user: User) => {
    const films = new Set<string>();
    for (let offset = 0; ; offset += 100) {
      const page = await callPatiently("GET", `/movies?limit=100&offset=${offset}`, user.token);
      if (page.status !== 200) throw new Error(`list: ${page.status}`);
      for (const item of page.body.items) films.add(item.movie.movie_id);
      if (offset + 100 >= page.body.total) return films;
    }
  };

  let lostInStore = 0;
  const stored = new Map<User, Set<string>>();
  for (const user of users) {
    const list = await listOf(user);
    stored.set(user, list);
    for (const film of user.films) if (!list.has(film) && !user.unsure.has(film)) lostInStore += 1;
    for (const film of list) if (!user.films.has(film) && !user.unsure.has(film)) lostInStore += 1; // a lost DELETE
  }

  const settleDeadline = Date.now() + 10 * 60_000;
  let statsOff = Number.POSITIVE_INFINITY;
  let statsLost = 0;
  let statsDoubled = 0;
  while (Date.now() < settleDeadline) {
    statsLost = 0;
    statsDoubled = 0;
    for (const user of users) {
      const answer = await callPatiently("GET", "/stats/me", user.token);
      const counted = answer.body?.status === "ready" ? answer.body.stats.total_watched : 0;
      const truth = stored.get(user)!.size;
      if (counted < truth) statsLost += truth - counted;
      if (counted > truth) statsDoubled += counted - truth;
    }
    statsOff = statsLost + statsDoubled;
    if (statsOff === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  const entries = [...stored.values()].reduce((n, list) => n + list.size, 0);
  let trendsTotal = -1;
  while (Date.now() < settleDeadline) {
    trendsTotal = (await callPatiently("GET", "/trends/global?window=all")).body?.total_movies_analyzed ?? -1;
    if (trendsTotal === entries) break;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }

  console.log(`\nFaults: ${faults.join("; ")}`);
  console.log(slotsLine);
  console.log(
    `Writes: ${writes.accepted} accepted, ${writes.refused} refused (503 or no answer; outcome settled from the store)`,
  );
  console.log(`Lost in the store (acknowledged add missing, or acknowledged delete undone): ${lostInStore}`);
  console.log(
    `User statistics vs the store: ${statsLost} lost, ${statsDoubled} doubled (total_watched over ${USERS} users)`,
  );
  console.log(
    `Trends (all time) vs the store: ${trendsTotal} counted for ${entries} entries (${trendsTotal - entries > 0 ? `${trendsTotal - entries} doubled` : trendsTotal < entries ? `${entries - trendsTotal} lost` : "exact"})`,
  );
  const ok = lostInStore === 0 && statsOff === 0 && trendsTotal === entries;
  console.log(`Goal (nothing lost, nothing doubled): ${ok ? "met" : "NOT met"}`);

  await stack.stop();
};

// Once a signal is handled, its handler exits when the stopping ends: a failure it causes (the
// servers going away under the run) is no news, and exiting here would cut the stopping short.
main().then(
  () => {
    if (!stopRequested.aborted) process.exit(0);
  },
  async (cause) => {
    if (stopRequested.aborted) return;
    console.error("soak failed:", cause);
    await stops.stopAll().catch((stopFailure) => console.error(`soak: ${stopFailure.message}`));
    process.exit(1);
  },
);

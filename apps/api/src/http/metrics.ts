import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { Option, Redacted } from "effect";
import { HttpFailure, unauthorized } from "./failure.ts";

/**
 * A small Prometheus registry (text format 0.0.4): request counts and latency histograms by route,
 * plus gauges and counters read at scrape time from the rest of the process.
 */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Histogram {
  readonly labels: string;
  readonly counts: Array<number>;
  sum: number;
  count: number;
}

export interface Sample {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "gauge";
  readonly value: number;
  /** One series of a labelled metric; samples of one name follow each other. */
  readonly labels?: Readonly<Record<string, string>>;
}

const escapeLabel = (value: string) =>
  value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

export interface HttpMetrics {
  readonly observe: (route: string, method: string, status: number, seconds: number) => void;
  /** The whole exposition, with `extra` samples (outbox, live clients, …) appended. */
  readonly render: (extra: ReadonlyArray<Sample>) => string;
}

export const makeHttpMetrics = (): HttpMetrics => {
  const requests = new Map<string, number>();
  const durations = new Map<string, Histogram>();

  return {
    observe: (route, method, status, seconds) => {
      const countKey = `route="${escapeLabel(route)}",method="${method}",status="${status}"`;
      requests.set(countKey, (requests.get(countKey) ?? 0) + 1);
      const histogramKey = `route="${escapeLabel(route)}",method="${method}"`;
      let histogram = durations.get(histogramKey);
      if (histogram === undefined) {
        histogram = { labels: histogramKey, counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
        durations.set(histogramKey, histogram);
      }
      for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) histogram.counts[i]! += 1;
      histogram.sum += seconds;
      histogram.count += 1;
    },
    render: (extra) => {
      const lines: Array<string> = [];
      lines.push("# HELP http_requests_total HTTP requests answered, by route, method and status.");
      lines.push("# TYPE http_requests_total counter");
      for (const [labels, value] of requests) lines.push(`http_requests_total{${labels}} ${value}`);
      lines.push("# HELP http_request_duration_seconds Time to answer HTTP requests, by route and method.");
      lines.push("# TYPE http_request_duration_seconds histogram");
      for (const histogram of durations.values()) {
        BUCKETS.forEach((bound, i) => {
          lines.push(
            `http_request_duration_seconds_bucket{${histogram.labels},le="${bound}"} ${histogram.counts[i]}`,
          );
        });
        lines.push(`http_request_duration_seconds_bucket{${histogram.labels},le="+Inf"} ${histogram.count}`);
        lines.push(`http_request_duration_seconds_sum{${histogram.labels}} ${histogram.sum}`);
        lines.push(`http_request_duration_seconds_count{${histogram.labels}} ${histogram.count}`);
      }
      let previous: string | undefined;
      for (const sample of extra) {
        if (sample.name !== previous) {
          lines.push(`# HELP ${sample.name} ${sample.help}`);
          lines.push(`# TYPE ${sample.name} ${sample.type}`);
          previous = sample.name;
        }
        const labels = Object.entries(sample.labels ?? {})
          .map(([label, value]) => `${label}="${escapeLabel(value)}"`)
          .join(",");
        lines.push(`${sample.name}${labels === "" ? "" : `{${labels}}`} ${sample.value}`);
      }
      return `${lines.join("\n")}\n`;
    },
  };
};

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;
const digest = (text: string) => createHash("sha256").update(text).digest();

/**
 * Who may scrape: with `CINEMATCH_METRICS_TOKEN` set, whoever sends it as a bearer token; without
 * it, only a client on this machine that came straight in (not forwarded by a proxy). Returns the
 * refusal, if any.
 */
export const metricsAccess = (token: Option.Option<Redacted.Redacted<string>>) => {
  const expected = Option.map(token, (secret) => digest(Redacted.value(secret)));
  return (req: IncomingMessage): HttpFailure | undefined => {
    if (Option.isSome(expected)) {
      const given = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "")?.[1];
      return given !== undefined && timingSafeEqual(digest(given), expected.value)
        ? undefined
        : unauthorized("the metrics token is required (CINEMATCH_METRICS_TOKEN)");
    }
    const forwarded = req.headers["x-forwarded-for"] !== undefined || req.headers.forwarded !== undefined;
    return !forwarded && LOOPBACK.test(req.socket.remoteAddress ?? "")
      ? undefined
      : new HttpFailure({
          status: 403,
          code: "forbidden",
          message: "metrics are served to this machine only, unless CINEMATCH_METRICS_TOKEN is set",
        });
  };
};

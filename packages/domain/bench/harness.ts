// Benchmarks measure side by side in one run and print ratios, because these machines are shared
// and noisy: an absolute figure alone says little, a ratio to a baseline run moments apart says more.
import { performance } from "node:perf_hooks";

export interface Timing {
  readonly name: string;
  readonly samples: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly meanMs: number;
}

const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;

/** Times `fn` `samples` times after `warmup` untimed calls. `fn` returns something so the JIT cannot drop it. */
export const time = (
  name: string,
  fn: () => unknown,
  options: { samples?: number; warmup?: number } = {},
): Timing => {
  const samples = options.samples ?? 200;
  const warmup = options.warmup ?? Math.min(50, samples);
  let sink: unknown;
  for (let i = 0; i < warmup; i++) sink = fn();
  const durations: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    sink = fn();
    durations.push(performance.now() - start);
  }
  if (sink === Symbol.for("never")) console.log(sink);
  durations.sort((a, b) => a - b);
  return {
    name,
    samples,
    medianMs: percentile(durations, 50),
    p95Ms: percentile(durations, 95),
    meanMs: durations.reduce((a, b) => a + b, 0) / durations.length,
  };
};

const fmt = (n: number, digits = 3): string => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

/** Prints a table of timings with each row's median as a ratio to the baseline row's median. */
export const printTimings = (title: string, rows: ReadonlyArray<Timing>, baseline?: Timing): void => {
  console.log(`\n## ${title}`);
  console.log("| case | samples | median ms | p95 ms | mean ms | ratio to baseline |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
  for (const row of rows) {
    const ratio = baseline ? fmt(row.medianMs / baseline.medianMs, 2) : "";
    console.log(
      `| ${row.name} | ${row.samples} | ${fmt(row.medianMs)} | ${fmt(row.p95Ms)} | ${fmt(row.meanMs)} | ${ratio} |`,
    );
  }
};

/** Prints a named figure against its target, and whether it met it; benchmarks report, they do not fail. */
export const printTarget = (label: string, value: string, target: string, met: boolean): void => {
  console.log(`- ${label}: ${value} (target ${target}: ${met ? "met" : "NOT met"})`);
};

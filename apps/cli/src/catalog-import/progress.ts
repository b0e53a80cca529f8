/**
 * A progress bar on stderr for long work. On a terminal it redraws one line (at most ten times a
 * second); elsewhere (a log file, a test) it writes a line at each quarter, so logs stay short.
 */
export interface ProgressSink {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

export interface Progress {
  /** Starts a phase of `total` steps. */
  readonly start: (label: string, total: number) => void;
  readonly update: (done: number) => void;
  /** Ends the phase with a final line. */
  readonly finish: (note?: string) => void;
}

const width = 30;

const formatRate = (rate: number): string =>
  rate >= 100 ? Math.round(rate).toLocaleString("en-US") : rate.toFixed(1);

/** "45 s", "3 min 20 s", "1 h 5 min": rounded to what a person waiting needs. */
export const formatDuration = (seconds: number): string => {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
};

export const makeProgress = (sink: ProgressSink, now: () => number = () => performance.now()): Progress => {
  let label = "";
  let total = 0;
  let current = 0;
  let startedAt = 0;
  let lastDraw = -Infinity;
  let lastQuarter = -1;

  /** Steps a second so far and the time left at that rate, once there is a rate to tell. */
  const pace = (done: number): string => {
    const seconds = (now() - startedAt) / 1000;
    if (done <= 0 || seconds < 0.5) return "";
    const rate = done / seconds;
    const left = Math.max(0, total - done) / rate;
    return `, ${formatRate(rate)}/s${done < total ? `, ${formatDuration(left)} left` : ""}`;
  };

  const bar = (done: number) => {
    const ratio = total === 0 ? 1 : Math.min(1, done / total);
    const filled = Math.round(ratio * width);
    return `${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}% ${done}/${total}${pace(done)}`;
  };

  return {
    start: (name, steps) => {
      label = name;
      total = steps;
      current = 0;
      startedAt = now();
      lastDraw = -Infinity;
      lastQuarter = -1;
      if (sink.isTTY) sink.write(`\r\x1b[K${bar(0)}`);
      else {
        sink.write(`${label}: 0/${total}\n`);
        lastQuarter = 0;
      }
    },
    update: (done) => {
      current = done;
      if (sink.isTTY) {
        const t = now();
        if (t - lastDraw >= 100 || done === total) {
          lastDraw = t;
          sink.write(`\r\x1b[K${bar(done)}`);
        }
        return;
      }
      const quarter = total === 0 ? 4 : Math.floor((4 * done) / total);
      if (quarter > lastQuarter && quarter < 4) {
        lastQuarter = quarter;
        sink.write(`${label}: ${done}/${total} (${quarter * 25}%${pace(done)})\n`);
      }
    },
    finish: (note) => {
      const seconds = ((now() - startedAt) / 1000).toFixed(1);
      const line = `${label}: ${current}/${total} done in ${seconds} s${note === undefined ? "" : ` (${note})`}`;
      sink.write(sink.isTTY ? `\r\x1b[K${line}\n` : `${line}\n`);
    },
  };
};

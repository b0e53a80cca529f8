import { describe, expect, it } from "vitest";
import { formatDuration, makeProgress } from "./progress.ts";

const recorder = (isTTY: boolean) => {
  const writes: string[] = [];
  return { writes, sink: { isTTY, write: (text: string) => writes.push(text) } };
};

describe("a progress bar", () => {
  it("given a terminal and a replay a quarter done after 5 s, when redrawn, then it shows the rate and the time left", () => {
    let clock = 0;
    const { writes, sink } = recorder(true);
    const progress = makeProgress(sink, () => clock);
    progress.start("replay via topic", 20_000);
    clock = 5_000;
    progress.update(5_000);
    expect(writes.at(-1)).toContain("5000/20000, 1,000/s, 15 s left");
  });

  it("given a log file, when each quarter passes, then the line carries the rate and the time left too", () => {
    let clock = 0;
    const { writes, sink } = recorder(false);
    const progress = makeProgress(sink, () => clock);
    progress.start("replay via api", 1_000);
    clock = 50_000;
    progress.update(500);
    expect(writes.at(-1)).toBe("replay via api: 500/1000 (50%, 10.0/s, 50 s left)\n");
  });

  it("given no time has passed yet, when drawn, then no rate is made up", () => {
    const { writes, sink } = recorder(true);
    const progress = makeProgress(sink, () => 0);
    progress.start("replay", 10);
    progress.update(1);
    expect(writes.at(-1)).not.toMatch(/\/s|left/);
  });

  it("given long waits, when told, then minutes and hours read as such", () => {
    expect([formatDuration(44.2), formatDuration(200), formatDuration(3_900)]).toEqual([
      "45 s",
      "3 min 20 s",
      "1 h 5 min",
    ]);
  });
});

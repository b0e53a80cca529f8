import { Cause, Effect } from "effect";
import { describe, expect, it } from "vitest";
import { formatLogLine, OneLineLogging } from "./log-line.ts";

const at = new Date("2026-12-05T05:00:00.000Z");

describe("a log record as one logfmt line", () => {
  it("given a message and an object of details, when formatted, then the details are keys of their own and message appears once", () => {
    const line = formatLogLine({
      timestamp: at,
      level: "INFO",
      fiber: "#7",
      message: ["catalog index rebuilt", { films: 10_125, ms: 812, source: "mongo db" }],
      annotations: [["partition", 3]],
    });
    expect(line).toBe(
      'timestamp=2026-12-05T05:00:00.000Z level=INFO fiber=#7 message="catalog index rebuilt" films=10125 ms=812 source="mongo db" partition=3',
    );
    expect(line.match(/\bmessage=/g)).toHaveLength(1);
  });

  it("given arrays, nested objects and a multi-line cause, when formatted, then everything stays on one line", () => {
    const line = formatLogLine({
      timestamp: at,
      level: "ERROR",
      fiber: "#1",
      message: ["failed", { ids: ["a", "b"], nested: { deep: [1, 2] } }, "second detail"],
      annotations: [],
      cause: "Error: boom\n    at x (a.ts:1:1)\n    at y (b.ts:2:2)",
    });
    expect(line).not.toContain("\n");
    expect(line).toContain('ids="[\\"a\\",\\"b\\"]"');
    expect(line).toContain('detail="second detail"');
    expect(line).toContain('cause="Error: boom\\n    at x (a.ts:1:1)\\n    at y (b.ts:2:2)"');
  });

  it("given a key that repeats, when formatted, then the second gets a suffix instead of a duplicate key", () => {
    const line = formatLogLine({
      timestamp: at,
      level: "WARN",
      fiber: "#2",
      message: ["one", { message: "two", "odd key": 1 }],
      annotations: [],
    });
    expect(line).toContain("message=one message_2=two odd_key=1");
  });

  it("given Effect.log with several arguments and a cause, when logged through the logger, then one line comes out", () => {
    const written: string[] = [];
    const original = globalThis.console.log;
    globalThis.console.log = (...args: unknown[]) => written.push(args.map(String).join(" "));
    try {
      Effect.runSync(
        Effect.logWarning("handler failed", { attempt: 2 }, Cause.fail(new Error("multi\nline"))).pipe(
          Effect.provide(OneLineLogging),
        ),
      );
    } finally {
      globalThis.console.log = original;
    }
    expect(written).toHaveLength(1);
    expect(written[0]).not.toContain("\n");
    expect(written[0]).toMatch(/level=WARN .*message="handler failed" attempt=2 cause=".*multi\\nline/);
  });
});

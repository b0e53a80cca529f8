import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { connectLive, type LiveMode, POLL_INTERVAL_MS } from "./live.ts";

/** A stand-in for the browser's EventSource: the test opens, fails and feeds it by hand. */
class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static instances: FakeEventSource[] = [];
  readyState = FakeEventSource.CONNECTING;
  closed = false;
  private readonly listeners = new Map<string, Array<() => void>>();
  readonly url: string;
  constructor(url: string) {
    this.url = url;
    FakeEventSource.instances.push(this);
  }
  addEventListener(type: string, listener: () => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close() {
    this.closed = true;
    this.readyState = FakeEventSource.CLOSED;
  }
  emit(type: string) {
    if (type === "open") this.readyState = FakeEventSource.OPEN;
    for (const listener of this.listeners.get(type) ?? []) listener();
  }
}

const handlers = () => {
  const calls = { trends: 0, stats: 0, modes: [] as LiveMode[] };
  return {
    calls,
    value: {
      onTrends: () => calls.trends++,
      onStats: () => calls.stats++,
      onMode: (mode: LiveMode) => calls.modes.push(mode),
    },
  };
};

beforeEach(() => {
  vi.useFakeTimers();
  FakeEventSource.instances = [];
  vi.stubGlobal("EventSource", FakeEventSource);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("a live connection whose stream opens", () => {
  it("given a token, when connected, then the stream URL carries it and events trigger refetches without polling", () => {
    const { calls, value } = handlers();
    const close = connectLive("tok en", value);
    const stream = FakeEventSource.instances[0]!;
    expect(stream.url).toBe("/live?token=tok%20en");
    stream.emit("open");
    stream.emit("trends");
    stream.emit("stats");
    vi.advanceTimersByTime(POLL_INTERVAL_MS * 5);
    expect(calls).toEqual({ trends: 1, stats: 1, modes: ["connecting", "live"] });
    close();
    expect(stream.closed).toBe(true);
  });

  it("given no token (nobody logged in), when a stats event arrives, then only trends are refetched", () => {
    const { calls, value } = handlers();
    connectLive(null, value);
    const stream = FakeEventSource.instances[0]!;
    expect(stream.url).toBe("/live");
    stream.emit("open");
    stream.emit("stats");
    stream.emit("trends");
    expect([calls.trends, calls.stats]).toEqual([1, 0]);
  });
});

describe("a live connection whose stream fails", () => {
  it("given a stream that never opens, when the grace period passes, then it polls every few seconds until the stream opens", () => {
    const { calls, value } = handlers();
    connectLive("t", value);
    const stream = FakeEventSource.instances[0]!;
    vi.advanceTimersByTime(4_000);
    expect(calls.modes.at(-1)).toBe("polling");
    const afterStart = calls.stats;
    vi.advanceTimersByTime(POLL_INTERVAL_MS * 3);
    expect(calls.stats - afterStart).toBe(3);
    const beforeOpen = calls.stats;
    stream.emit("open");
    expect(calls.modes.at(-1)).toBe("live");
    vi.advanceTimersByTime(POLL_INTERVAL_MS * 3);
    // One catch-up refetch when the stream opens, then no more polling.
    expect(calls.stats - beforeOpen).toBe(1);
  });

  it("given the browser gives up on the stream (CLOSED), when it errors, then polling starts at once and a new stream is tried later", () => {
    const { calls, value } = handlers();
    const close = connectLive("t", value);
    const first = FakeEventSource.instances[0]!;
    first.readyState = FakeEventSource.CLOSED;
    first.emit("error");
    expect(calls.modes.at(-1)).toBe("polling");
    expect(first.closed).toBe(true);
    vi.advanceTimersByTime(15_000);
    expect(FakeEventSource.instances).toHaveLength(2);
    close();
    const polls = calls.trends;
    vi.advanceTimersByTime(POLL_INTERVAL_MS * 3);
    expect(calls.trends).toBe(polls);
  });

  it("given a stream that keeps failing to reconnect (CONNECTING), when each attempt errors, then polling starts at the first error and goes on", () => {
    const { calls, value } = handlers();
    connectLive("t", value);
    const stream = FakeEventSource.instances[0]!;
    stream.emit("error");
    expect(calls.modes.at(-1)).toBe("polling");
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(POLL_INTERVAL_MS);
      stream.emit("error");
    }
    expect(calls.stats).toBe(6);
    expect(FakeEventSource.instances).toHaveLength(1);
  });

  it("given no EventSource in the browser, when connected, then it polls from the start", () => {
    vi.stubGlobal("EventSource", undefined);
    const { calls, value } = handlers();
    connectLive("t", value);
    expect(calls.modes).toEqual(["polling"]);
    vi.advanceTimersByTime(POLL_INTERVAL_MS * 2);
    expect(calls.stats).toBe(3);
  });
});

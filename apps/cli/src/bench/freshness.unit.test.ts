import { describe, expect, it } from "vitest";
import { FreshnessLedger } from "./freshness.ts";

describe("the freshness ledger", () => {
  it("given only one user's statistics watched, when both users' events are published and the watched user's statistics show theirs, then the statistics are caught up and only the watched events are measured", () => {
    const ledger = new FreshnessLedger(4, (user) => user === "watched");
    ledger.notePublished(0, "watched", 100);
    ledger.notePublished(1, "other", 110);
    ledger.notePublished(2, "watched", 120);
    ledger.notePublished(3, "other", 130);
    ledger.publishedUpTo(4);
    expect(ledger.statsMeasured).toBe(2);
    expect(ledger.usersWaiting()).toEqual(["watched"]);
    expect(ledger.statsCaughtUp).toBe(false);

    ledger.statsCount("watched", 2, 200);
    expect(ledger.statsLatency).toEqual([100, 80]);
    expect(ledger.statsCaughtUp).toBe(true);
    expect(ledger.usersWaiting()).toEqual([]);
  });

  it("given every user watched (the default), when one of two users' statistics shows their event, then the other is still waiting", () => {
    const ledger = new FreshnessLedger(2);
    ledger.notePublished(0, "a", 0);
    ledger.notePublished(1, "b", 0);
    ledger.publishedUpTo(2);
    ledger.statsCount("a", 1, 50);
    expect(ledger.statsMeasured).toBe(2);
    expect(ledger.statsCaughtUp).toBe(false);
    expect(ledger.usersWaiting()).toEqual(["b"]);
  });
});

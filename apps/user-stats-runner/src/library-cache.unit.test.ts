import type { WatchedEntry } from "@cinematch/domain";
import { Option } from "effect";
import { describe, expect, it } from "vitest";
import { UserLibraryCache } from "./library-cache.ts";

const entry = (user_id: string, n: number, added_at = n): WatchedEntry => ({
  user_id,
  movie: { movie_id: `m${n}`, title: `Film ${n}` },
  watched_at: added_at,
  added_at,
});

const filled = (maxEntries = 100) => {
  const cache = new UserLibraryCache(maxEntries);
  cache.continueFrom(0, "0");
  cache.fill("ann", 0, [entry("ann", 1), entry("ann", 2)]);
  cache.continueFrom(1, "0");
  cache.fill("bob", 1, [entry("bob", 3)]);
  cache.consumed(0, "9");
  cache.consumed(1, "4");
  return cache;
};

describe("the user library cache", () => {
  describe("given lists of two users on two partitions, consumed up to offsets 9 and 4", () => {
    it("when the next batches follow on (or repeat what was consumed), then the lists are kept", () => {
      const cache = filled();
      cache.continueFrom(0, "10");
      cache.continueFrom(1, "2");
      expect([cache.holds("ann", 0), cache.holds("bob", 1)]).toEqual([true, true]);
    });

    it("when a batch of partition 0 starts past offset 10, then only that partition's lists are dropped", () => {
      const cache = filled();
      cache.continueFrom(0, "12");
      expect([cache.holds("ann", 0), cache.holds("bob", 1)]).toEqual([false, true]);
      expect(cache.size).toEqual({ users: 1, entries: 1 });
      // Until its reads succeed the partition counts as unknown: a later batch is a gap too.
      cache.fill("ann", 0, [entry("ann", 1)]);
      cache.continueFrom(0, "13");
      expect(cache.holds("ann", 0)).toBe(false);
    });

    it("when a user's events come on another partition (partitions were added), then the list counts as not held there", () => {
      const cache = filled();
      expect([cache.holds("ann", 0), cache.holds("ann", 1)]).toEqual([true, false]);
      cache.fill("ann", 1, [entry("ann", 1)]);
      expect([cache.holds("ann", 0), cache.holds("ann", 1)]).toEqual([false, true]);
      expect(cache.size).toEqual({ users: 2, entries: 2 });
    });

    it("when entries are refreshed, then the list holds each entry's current state, newest addition first", () => {
      const cache = filled();
      cache.refresh("ann", "m1", Option.some({ ...entry("ann", 1), rating: 7 }));
      cache.refresh("ann", "m2", Option.none());
      cache.refresh("ann", "m5", Option.some(entry("ann", 5)));
      cache.refresh("zed", "m1", Option.some(entry("zed", 1)));
      expect(cache.entriesOf("ann")).toEqual([entry("ann", 5), { ...entry("ann", 1), rating: 7 }]);
      expect(cache.holds("zed", 0)).toBe(false);
      expect(cache.size).toEqual({ users: 2, entries: 3 });
    });
  });

  describe("given more entries than it may keep", () => {
    it("when trimmed, then the least recently used users go first until the bound holds", () => {
      const cache = filled(3);
      cache.fill("cy", 1, [entry("cy", 4), entry("cy", 5)]);
      cache.entriesOf("ann");
      expect(cache.size.entries).toBe(5);
      cache.trim();
      expect([cache.holds("ann", 0), cache.holds("bob", 1), cache.holds("cy", 1)]).toEqual([
        true,
        false,
        false,
      ]);
      expect(cache.size).toEqual({ users: 1, entries: 2 });
    });

    it("when the bound is 0, then nothing is kept", () => {
      const cache = filled(0);
      cache.trim();
      expect(cache.size).toEqual({ users: 0, entries: 0 });
    });
  });
});

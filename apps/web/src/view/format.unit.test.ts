import { MIN_RATED_FILMS_PER_DIRECTOR } from "@cinematch/domain";
import { describe, expect, it } from "vitest";
import {
  DIRECTORS_HINT,
  describeRankChange,
  fillPeriods,
  formatHours,
  formatPercent,
  formatRating,
  hueOf,
  initials,
  lastN,
  ordinal,
  pageInfo,
  periodLabel,
  posterUrl,
  rankChanges,
  ratingHistogram,
  timeAgo,
} from "./format.ts";

const at = Date.parse("2026-11-29T18:30:00.000Z");

describe("the 'updated N ago' label", () => {
  it("given an update 3 seconds old, when shown, then it says just now", () => {
    expect(timeAgo("2026-11-29T18:29:57.000Z", at)).toBe("just now");
  });
  it("given an update from the future (clock skew), when shown, then it says just now rather than a negative age", () => {
    expect(timeAgo("2026-11-29T18:30:09.000Z", at)).toBe("just now");
  });
  it("given updates seconds, minutes, hours and days old, when shown, then the unit grows and agrees in number", () => {
    expect(timeAgo("2026-11-29T18:29:48.000Z", at)).toBe("12 seconds ago");
    expect(timeAgo("2026-11-29T18:29:00.000Z", at)).toBe("1 minute ago");
    expect(timeAgo("2026-11-29T15:30:00.000Z", at)).toBe("3 hours ago");
    expect(timeAgo("2026-11-25T18:30:00.000Z", at)).toBe("4 days ago");
  });
  it("given a malformed time, when shown, then it does not pretend to know", () => {
    expect(timeAgo("yesterday", at)).toBe("at an unknown time");
  });
});

describe("rank changes between two updates of a window", () => {
  const top = (...ids: string[]) => ids.map((movie_id) => ({ movie_id }));

  describe("given no earlier update", () => {
    it("when ranked, then every film has rank order and an unknown change", () => {
      const ranked = rankChanges(undefined, top("a", "b"));
      expect(ranked.map((r) => [r.item.movie_id, r.rank, r.change.kind])).toEqual([
        ["a", 1, "unknown"],
        ["b", 2, "unknown"],
      ]);
      expect(describeRankChange({ kind: "unknown" }).symbol).toBe("");
    });
  });

  describe("given an earlier update", () => {
    it("when films moved, then ups, downs, unchanged and newcomers are told apart", () => {
      const ranked = rankChanges(top("a", "b", "c", "d"), top("c", "b", "a", "e"));
      expect(ranked.map((r) => r.change)).toEqual([
        { kind: "up", by: 2 },
        { kind: "same" },
        { kind: "down", by: 2 },
        { kind: "new" },
      ]);
    });
    it("when described, then the symbol and the spoken label agree", () => {
      expect(describeRankChange({ kind: "up", by: 2 })).toEqual({
        symbol: "▲2",
        label: "up 2 since the last update",
      });
      expect(describeRankChange({ kind: "down", by: 1 }).symbol).toBe("▼1");
      expect(describeRankChange({ kind: "new" }).symbol).toBe("new");
    });
  });
});

describe("a top 10 with ties", () => {
  it("given films with equal counts, when ranked, then they share the better rank and are marked tied", () => {
    const top = [
      { movie_id: "a", count: 5 },
      { movie_id: "b", count: 3 },
      { movie_id: "c", count: 3 },
      { movie_id: "d", count: 1 },
    ];
    expect(rankChanges(undefined, top).map((r) => [r.item.movie_id, r.rank, r.tied])).toEqual([
      ["a", 1, false],
      ["b", 2, true],
      ["c", 2, true],
      ["d", 4, false],
    ]);
  });

  it("given ten films at one add each, when ranked, then all are tied first and none moved against the same list", () => {
    const top = Array.from({ length: 10 }, (_, i) => ({ movie_id: `m${i}`, count: 1 }));
    const ranked = rankChanges(top, [...top].reverse());
    expect(ranked.every((r) => r.rank === 1 && r.tied)).toBe(true);
    expect(ranked.every((r) => r.change.kind === "same")).toBe(true);
  });
});

describe("the best-rated directors hint", () => {
  it("given the runner's minimum of rated films per director, when the card is empty, then the hint says that number", () => {
    const words = ["zero", "one", "two", "three", "four", "five"];
    expect(DIRECTORS_HINT).toContain(`rated ${words[MIN_RATED_FILMS_PER_DIRECTOR]} of their films`);
  });
});

describe("the rating histogram", () => {
  it("given counts for a few ratings, when filled, then every step of 0.5–10 has a bar and the counts are kept", () => {
    const bins = ratingHistogram([
      { rating: 8, count: 2 },
      { rating: 3.5, count: 1 },
    ]);
    expect(bins).toHaveLength(20);
    expect(bins[0]).toEqual({ rating: 0.5, count: 0 });
    expect(bins[19]).toEqual({ rating: 10, count: 0 });
    expect(bins.find((b) => b.rating === 8)?.count).toBe(2);
    expect(bins.reduce((sum, b) => sum + b.count, 0)).toBe(3);
  });
});

describe("numbers as shown", () => {
  it("given ratings, when formatted, then whole ratings have no decimals and halves keep one", () => {
    expect(formatRating(8)).toBe("8");
    expect(formatRating(7.5)).toBe("7.5");
  });
  it("given percentages, when formatted, then small ones keep a decimal and large ones round", () => {
    expect(formatPercent(35.6)).toBe("36%");
    expect(formatPercent(4.25)).toBe("4.3%");
    expect(formatPercent(5)).toBe("5%");
  });
  it("given hours, when formatted, then small values keep a decimal and large ones are grouped", () => {
    expect(formatHours(0)).toBe("0 h");
    expect(formatHours(2.25)).toBe("2.3 h");
    expect(formatHours(1234.4)).toBe("1,234 h");
  });
  it("given milestones, when written as ordinals, then English suffixes are right including the teens", () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 100, 112].map(ordinal)).toEqual([
      "1st",
      "2nd",
      "3rd",
      "4th",
      "11th",
      "12th",
      "13th",
      "21st",
      "100th",
      "112th",
    ]);
  });
  it("given periods, when labelled, then months are named and years stay as they are", () => {
    expect(periodLabel("2024-03")).toBe("Mar 2024");
    expect(periodLabel("2024")).toBe("2024");
    expect(periodLabel("2024-13")).toBe("2024-13");
  });
});

describe("poster placeholders", () => {
  it("given titles, when reduced to initials, then leading articles are dropped and accents are kept", () => {
    expect(initials("The Dark Knight")).toBe("DK");
    expect(initials("Léon: The Professional")).toBe("LT");
    expect(initials("8½")).toBe("8");
    expect(initials("")).toBe("?");
  });
  it("given the same id twice, when coloured, then the hue is the same and within the colour wheel", () => {
    expect(hueOf("ml-2959")).toBe(hueOf("ml-2959"));
    expect(hueOf("ml-2959")).toBeGreaterThanOrEqual(0);
    expect(hueOf("ml-2959")).toBeLessThan(360);
  });
  it("given poster paths, when resolved, then only absolute http(s) URLs and same-origin paths are loaded", () => {
    expect(posterUrl("https://example.org/p.jpg")).toBe("https://example.org/p.jpg");
    expect(posterUrl("/posters/ml-1.jpg")).toBe("/posters/ml-1.jpg");
    expect(posterUrl("//evil.example/p.jpg")).toBeNull();
    expect(posterUrl("javascript:alert(1)")).toBeNull();
    expect(posterUrl(null)).toBeNull();
    expect(posterUrl("")).toBeNull();
  });
});

describe("paging my films", () => {
  it("given the first page of 23 films, when described, then there is a next page and no previous one", () => {
    expect(pageInfo(0, 10, 10, 23)).toEqual({
      label: "1–10 of 23",
      hasPrevious: false,
      hasNext: true,
      previousOffset: 0,
      nextOffset: 10,
    });
  });
  it("given the last page, when described, then there is no next page", () => {
    const info = pageInfo(20, 10, 3, 23);
    expect(info.label).toBe("21–23 of 23");
    expect(info.hasNext).toBe(false);
    expect(info.previousOffset).toBe(10);
  });
  it("given no total from the server, when a page is full, then a next page is assumed", () => {
    expect(pageInfo(0, 10, 10, undefined).hasNext).toBe(true);
    expect(pageInfo(0, 10, 4, undefined).hasNext).toBe(false);
    expect(pageInfo(0, 10, 0, undefined).label).toBe("no films");
  });
  it("given a long series, when cut to the last n, then the most recent items remain in order", () => {
    expect(lastN([1, 2, 3, 4], 2)).toEqual([3, 4]);
    expect(lastN([1], 2)).toEqual([1]);
  });
});

describe("a time axis of films per period", () => {
  const p = (period: string, films: number) => ({ period, films, hours: films * 2 });

  it("given months with a quiet stretch across a new year, when filled, then every month in between is there with zero films", () => {
    expect(fillPeriods([p("2025-11", 2), p("2026-02", 1)]).map((x) => [x.period, x.films])).toEqual([
      ["2025-11", 2],
      ["2025-12", 0],
      ["2026-01", 0],
      ["2026-02", 1],
    ]);
  });
  it("given years out of order, when filled, then they come back in order with the missing years at zero", () => {
    expect(fillPeriods([p("2026", 3), p("2023", 1)]).map((x) => x.period)).toEqual([
      "2023",
      "2024",
      "2025",
      "2026",
    ]);
  });
  it("given nothing or periods of an unknown form, when filled, then they are returned unchanged", () => {
    expect(fillPeriods([])).toEqual([]);
    const odd = [p("Q1 2026", 1), p("2026-02", 1)];
    expect(fillPeriods(odd)).toBe(odd);
  });
});

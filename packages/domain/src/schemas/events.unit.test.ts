import { Either, Schema } from "effect";
import { describe, expect, it } from "vitest";
import { decoderFor, jsonDecoderFor, jsonNestedDeeperThan, MAX_JSON_DEPTH } from "./decode.ts";
import { WatchlistEvent } from "./events.ts";
import { decodeWatchlistEventJson } from "./fast-decode.ts";

const decodeEvent = decoderFor(WatchlistEvent, "watchlist event");
const addEvent = {
  event_type: "ADD",
  schema_version: 1,
  event_id: "3f1c1a52-6a7e-4c3e-9a55-3b8b4f1e2d10",
  user_id: "u-1",
  occurred_at: "2026-11-01T10:00:00Z",
  movie: { movie_id: "ml-1", title: "Toy Story", year: 1995, genres: ["Animation"], runtime_minutes: 81 },
  rating: 8.5,
  watched_at: "2026-10-31",
  added_at: "2026-11-01T10:00:00.000Z",
};

describe("a watchlist event on the wire", () => {
  it("given a well-formed ADD, when decoded, then timestamps become epoch millis and encode back canonically", () => {
    const decoded = Either.getOrThrow(decodeEvent(addEvent));
    expect(decoded.event_type).toBe("ADD");
    expect(decoded.added_at).toBe(Date.UTC(2026, 10, 1, 10));
    const encoded = Schema.encodeSync(WatchlistEvent)(decoded);
    expect(encoded.occurred_at).toBe("2026-11-01T10:00:00.000Z");
    expect(encoded).toMatchObject({ watched_at: "2026-10-31T00:00:00.000Z" });
  });

  it("given an ADD from before watch counts and one with a count, when decoded by both decoders, then the old one has none and the new one keeps it", () => {
    const old = Either.getOrThrow(decodeWatchlistEventJson(JSON.stringify(addEvent)));
    expect("watch_count" in old).toBe(false);
    const counted = Either.getOrThrow(
      decodeWatchlistEventJson(JSON.stringify({ ...addEvent, watch_count: 3 })),
    );
    expect(counted).toMatchObject({ event_type: "ADD", watch_count: 3 });
    expect(Either.getOrThrow(decodeEvent({ ...addEvent, watch_count: 3 }))).toEqual(counted);
  });

  it("given a watch count that is no whole number of watches, when decoded, then the field is named", () => {
    for (const watch_count of [0, 1.5, -2, "3"]) {
      const result = decodeWatchlistEventJson(JSON.stringify({ ...addEvent, watch_count }));
      expect(Either.isLeft(result) && result.left.issues.map((i) => i.path)).toContain("watch_count");
    }
  });

  it("given several bad fields, when decoded, then every failing field path is listed", () => {
    const result = decodeEvent({ ...addEvent, user_id: "", rating: 11, watched_at: "yesterday" });
    const error = Either.getLeft(result);
    expect(error._tag).toBe("Some");
    const paths = Either.isLeft(result) ? result.left.issues.map((i) => i.path) : [];
    expect(paths).toEqual(expect.arrayContaining(["user_id", "rating", "watched_at"]));
  });

  it("given malformed JSON, when decoded, then the error says so at the root", () => {
    const result = jsonDecoderFor(WatchlistEvent, "watchlist event")("{not json");
    expect(Either.isLeft(result) && result.left.issues[0]?.message).toMatch(/malformed JSON/);
  });

  it("given JSON nested thousands of levels deep, when decoded, then a DecodeError at the root instead of a stack overflow", () => {
    const deep = (depth: number) => `{"user_id": ${"[".repeat(depth)}${"]".repeat(depth)}}`;
    for (const depth of [2_800, 100_000]) {
      const result = jsonDecoderFor(WatchlistEvent, "watchlist event")(deep(depth));
      expect(Either.isLeft(result) && result.left.issues).toEqual([
        { path: "", message: `nested too deeply: more than ${MAX_JSON_DEPTH} levels` },
      ]);
    }
  });

  it("given a Kafka record nested 100,000 deep, when the runners' fast decoder reads it, then a DecodeError (dead letter), not a crash", () => {
    const text = `{"event_type": "ADD", "user_id": ${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    const result = decodeWatchlistEventJson(text);
    expect(Either.isLeft(result)).toBe(true);
  });

  it("given brackets inside strings, when the depth is measured, then they do not count", () => {
    const text = JSON.stringify({ title: '[[[[{{{{\\"[[[['.repeat(20), nested: [[[1]]] });
    expect(jsonNestedDeeperThan(text, 4)).toBe(false);
    expect(jsonNestedDeeperThan(text, 3)).toBe(true);
  });

  it("given an unknown event type, when decoded, then it is refused", () => {
    expect(Either.isLeft(decodeEvent({ ...addEvent, event_type: "RATE" }))).toBe(true);
  });
});

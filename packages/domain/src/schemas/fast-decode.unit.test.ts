// The fast-check that effect bundles: the Schema's arbitraries are built on it, so the tampering
// arbitraries below must come from the same instance to combine with them.
import { Arbitrary, Either, FastCheck as fc, Schema } from "effect";
import { describe, expect, it } from "vitest";
import { decoderFor } from "./decode.ts";
import { WatchlistEvent } from "./events.ts";
import { decodeWatchlistEvent, decodeWatchlistEventJson, fastDecodeWatchlistEvent } from "./fast-decode.ts";

const schemaDecode = decoderFor(WatchlistEvent, "watchlist event");
const encode = Schema.encodeSync(WatchlistEvent);

/** Wire events as a producer sends them: the Schema's own arbitrary, encoded, through JSON. */
const wireEvents = Arbitrary.make(WatchlistEvent).map(
  (event) => JSON.parse(JSON.stringify(encode(event))) as Record<string, unknown>,
);

const TOP_LEVEL = [
  "event_type",
  "schema_version",
  "event_id",
  "user_id",
  "occurred_at",
  "movie",
  "added_at",
  "rating",
  "watched_at",
] as const;
const FILM_FIELDS = [
  "movie_id",
  "title",
  "year",
  "genres",
  "directors",
  "actors",
  "runtime_minutes",
  "poster_path",
] as const;

/** Values that are wrong somewhere, right elsewhere, or only right after trimming. */
const suspicious: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    undefined,
    true,
    false,
    0,
    -0,
    1,
    0.25,
    0.5,
    10,
    10.5,
    11,
    -1,
    1869,
    1870,
    2100,
    2101,
  ),
  fc.constantFrom(1500, 1501, 7.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 2, 1e21),
  fc.constantFrom(
    "ADD",
    "UPDATE",
    "DELETE",
    "RATE",
    "add",
    "",
    " ",
    "  Toy Story ",
    "u-1",
    "a.b",
    "$x",
    "-x",
  ),
  fc.constantFrom(
    "2026-11-01",
    "2026-11-01T10:00:00Z",
    "2026-11-01 10:00",
    "2026-02-30T10:00:00Z",
    "2026-13-01T00:00:00Z",
    "2026-11-01T25:00:00Z",
    "2026-11-01T10:00:00.1234567891Z",
    "+002026-11-01T00:00:00Z",
    "yesterday",
    "1764590400000",
  ),
  // The canonical form read by hand, at and past its edges.
  fc.constantFrom(
    "2026-02-30T00:00:00.000Z",
    "2024-02-29T12:00:00.000Z",
    "2100-02-29T00:00:00.000Z",
    "2026-04-31T00:00:00.000Z",
    "2026-01-01T24:00:00.000Z",
    "2026-12-31T23:59:60.000Z",
    "0099-12-31T23:59:59.999Z",
    "0100-01-01T00:00:00.000Z",
    "2026-1a-01T00:00:00.000Z",
    "2026-11-01T10:00:00.000+",
  ),
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.string({ minLength: 199, maxLength: 302 }),
  fc.string({ minLength: 1999, maxLength: 2001 }),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }),
  fc.array(fc.constant("x"), { minLength: 100, maxLength: 101 }),
  fc.array(fc.oneof(fc.integer(), fc.constant(null), fc.constant(" "))),
  // Null-prototype objects are left out: JSON never makes them, and the Schema's error formatter
  // throws on one (it cannot print it), which is not what this law is about.
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), {
    maxKeys: 3,
    noNullPrototype: true,
  }),
);

type Tampering =
  | { readonly kind: "set"; readonly path: ReadonlyArray<string | number>; readonly value: unknown }
  | { readonly kind: "delete"; readonly path: ReadonlyArray<string | number> }
  | { readonly kind: "extra"; readonly inMovie: boolean; readonly key: string; readonly value: unknown };

const tampering: fc.Arbitrary<Tampering> = fc.oneof(
  fc.record({
    kind: fc.constant("set" as const),
    path: fc.oneof(
      fc.constantFrom(...TOP_LEVEL).map((key) => [key]),
      fc.constantFrom(...FILM_FIELDS).map((key) => ["movie", key]),
      fc
        .tuple(fc.constantFrom("genres", "directors", "actors"), fc.nat({ max: 3 }))
        .map(([key, index]) => ["movie", key, index]),
    ),
    value: suspicious,
  }),
  fc.record({
    kind: fc.constant("delete" as const),
    path: fc.oneof(
      fc.constantFrom(...TOP_LEVEL).map((key) => [key]),
      fc.constantFrom(...FILM_FIELDS).map((key) => ["movie", key]),
    ),
  }),
  fc.record({
    kind: fc.constant("extra" as const),
    inMovie: fc.boolean(),
    key: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("__proto__", "constructor", "toString")),
    value: suspicious,
  }),
);

/** A deep copy of JSON-like data that keeps `undefined` values (tampering may set them). */
const copyOf = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(copyOf);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    Object.defineProperty(out, key, {
      value: copyOf(field),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
};

const tamper = (event: Record<string, unknown>, changes: ReadonlyArray<Tampering>): unknown => {
  const copy = copyOf(event) as Record<string, unknown>;
  for (const change of changes) {
    if (change.kind === "extra") {
      const target = change.inMovie ? copy.movie : copy;
      // Only objects get extra keys: JSON never makes an array with named properties, and the
      // Schema's error formatter throws on one holding a `constructor` (it cannot print it).
      if (typeof target === "object" && target !== null && !Array.isArray(target)) {
        Object.defineProperty(target, change.key, {
          value: change.value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      continue;
    }
    let parent: unknown = copy;
    for (const step of change.path.slice(0, -1)) {
      parent =
        typeof parent === "object" && parent !== null ? (parent as Record<string, unknown>)[step] : undefined;
    }
    if (typeof parent !== "object" || parent === null) continue;
    const last = change.path[change.path.length - 1]!;
    if (change.kind === "delete") delete (parent as Record<string | number, unknown>)[last];
    else (parent as Record<string | number, unknown>)[last] = change.value;
  }
  return copy;
};

/** The law both decoders must keep, for any input. */
const agree = (input: unknown) => {
  const fast = fastDecodeWatchlistEvent(input);
  const schema = schemaDecode(input);
  if (fast !== undefined) {
    expect(Either.isRight(schema)).toBe(true);
    if (Either.isRight(schema)) expect(fast).toStrictEqual(schema.right);
  }
  if (Either.isLeft(schema)) expect(fast).toBeUndefined();
  return fast;
};

describe("the event fast path beside the Schema", () => {
  it("given wire events from the Schema's own arbitrary, when decoded, then the fast path takes every one and equals the Schema", () => {
    fc.assert(
      fc.property(wireEvents, (event) => {
        expect(agree(event)).toBeDefined();
      }),
      { numRuns: 500 },
    );
  }, 60_000);

  it("given wire events with fields tampered, removed or added, when decoded, then whatever the fast path accepts the Schema accepts equally, and whatever the Schema rejects the fast path does not accept", () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(wireEvents, fc.array(tampering, { minLength: 1, maxLength: 3 }), (event, changes) => {
        const input = tamper(event, changes);
        if (agree(input) !== undefined) accepted += 1;
        if (Either.isLeft(schemaDecode(input))) rejected += 1;
      }),
      { numRuns: 2000 },
    );
    // Both sides of the law were exercised, not only one.
    expect(accepted).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(100);
  }, 60_000);

  it("given anything at all instead of an event, when decoded, then the fast path never accepts what the Schema refuses", () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), suspicious), (input) => void agree(input)),
      { numRuns: 500 },
    );
  }, 60_000);
});

describe("a watchlist event decoded through the fast path", () => {
  const add = {
    event_type: "ADD",
    schema_version: 1,
    event_id: "3f1c1a52-6a7e-4c3e-9a55-3b8b4f1e2d10",
    user_id: "u-1",
    occurred_at: "2026-11-01T10:00:00Z",
    movie: {
      movie_id: "ml-1",
      title: "  Toy Story ",
      year: 1995,
      genres: [" Animation"],
      runtime_minutes: 81,
    },
    rating: 8.5,
    watched_at: "2026-10-31",
    added_at: "2026-11-01T10:00:00.000Z",
    relay: "extra keys are ignored",
  };

  it("given a well-formed ADD with padded names, when decoded, then the names are trimmed and the times are epoch millis", () => {
    const decoded = fastDecodeWatchlistEvent(add);
    expect(decoded).toStrictEqual({
      event_type: "ADD",
      schema_version: 1,
      event_id: add.event_id,
      user_id: "u-1",
      occurred_at: Date.UTC(2026, 10, 1, 10),
      movie: { movie_id: "ml-1", title: "Toy Story", year: 1995, genres: ["Animation"], runtime_minutes: 81 },
      added_at: Date.UTC(2026, 10, 1, 10),
      rating: 8.5,
      watched_at: Date.UTC(2026, 9, 31),
    });
  });

  it("given a DELETE that still carries a rating and a watch date, when decoded, then it has neither (as the Schema reads it)", () => {
    const decoded = agree({ ...add, event_type: "DELETE" });
    expect(decoded).toBeDefined();
    expect(decoded).not.toHaveProperty("rating");
    expect(decoded).not.toHaveProperty("watched_at");
  });

  it("given an out-of-range rating, when decoded, then the fast path defers and the Schema's reason names the field", () => {
    expect(fastDecodeWatchlistEvent({ ...add, rating: 11 })).toBeUndefined();
    const result = decodeWatchlistEvent({ ...add, rating: 11 });
    const paths = Either.isLeft(result) ? new Set(result.left.issues.map((issue) => issue.path)) : new Set();
    expect([...paths]).toEqual(["rating"]);
  });

  it("given JSON text, when decoded, then a good event decodes and malformed JSON is an error at the root", () => {
    expect(Either.isRight(decodeWatchlistEventJson(JSON.stringify(add)))).toBe(true);
    const malformed = decodeWatchlistEventJson("{not json");
    expect(Either.isLeft(malformed) && malformed.left.issues[0]?.message).toMatch(/malformed JSON/);
  });
});

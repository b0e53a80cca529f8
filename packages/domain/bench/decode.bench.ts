// Decoding a Kafka record's value into a `WatchlistEvent`: `JSON.parse` alone (the floor), the fast
// path the runners use, and the Effect Schema alone (what they used before), over the same texts in
// one run. Run: `cd packages/domain && node bench/main.ts`.
import { Either, Schema } from "effect";
import {
  CURRENT_SCHEMA_VERSION,
  decodeWatchlistEventJson,
  jsonDecoderFor,
  type MovieAdded,
  WatchlistEvent,
} from "../src/index.ts";
import { printTarget, printTimings, time } from "./harness.ts";

const EVENTS = 10_000;
const GENRES = ["Action", "Adventure", "Animation", "Comedy", "Crime", "Documentary", "Drama", "Fantasy"];
const encode = Schema.encodeSync(WatchlistEvent);

// Shaped like the replayed MovieLens events: a film snapshot with genres, a rating on most.
const texts = Array.from({ length: EVENTS }, (_, i): string => {
  const at = Date.UTC(2026, 0, 1) + i * 61_000;
  const event: MovieAdded = {
    event_type: "ADD",
    schema_version: CURRENT_SCHEMA_VERSION,
    event_id: `e-${i.toString(36)}-${(i * 7919).toString(36)}`,
    user_id: `ml-user-${i % 610}`,
    occurred_at: at,
    movie: {
      movie_id: `ml-${(i * 31) % 9_000}`,
      title: `Film number ${(i * 31) % 9_000} (a longer title)`,
      year: 1950 + (i % 70),
      genres: [GENRES[i % GENRES.length]!, GENRES[(i * 3) % GENRES.length]!],
    },
    added_at: at,
    watched_at: at,
    ...(i % 5 === 0 ? {} : { rating: ((i % 10) + 1) as number }),
  };
  return JSON.stringify(encode(event));
});

const schemaOnly = jsonDecoderFor(WatchlistEvent, "watchlist event");
const decodeAll = (decode: (text: string) => unknown) => () => {
  let last: unknown;
  for (const text of texts) last = decode(text);
  return last;
};

export const run = () => {
  if (!texts.every((text) => Either.isRight(decodeWatchlistEventJson(text)))) {
    throw new Error("decode bench: a generated event did not decode");
  }
  const parse = time("JSON.parse alone", decodeAll(JSON.parse), { samples: 30, warmup: 5 });
  const fast = time("fast path (runners)", decodeAll(decodeWatchlistEventJson), { samples: 30, warmup: 5 });
  const schema = time("Effect Schema alone (before)", decodeAll(schemaOnly), { samples: 30, warmup: 5 });
  printTimings(`Event decoding, ${EVENTS} MovieLens-shaped events per sample`, [parse, fast, schema], parse);
  const perEvent = (ms: number) => (ms * 1000) / EVENTS;
  console.log(
    `per event: JSON.parse ${perEvent(parse.medianMs).toFixed(2)} µs, fast path ${perEvent(fast.medianMs).toFixed(2)} µs, Schema ${perEvent(schema.medianMs).toFixed(2)} µs`,
  );
  printTarget(
    "fast path cost over JSON.parse alone",
    `${(fast.medianMs / parse.medianMs).toFixed(2)}×`,
    "< 2× (decoding no longer the runners' main cost)",
    fast.medianMs < 2 * parse.medianMs,
  );
};

import { readFileSync } from "node:fs";
import {
  decoderFor,
  Film,
  GlobalStatsDocument,
  UserStatsDocument,
  WatchedEntry,
  WatchlistEvent,
} from "@cinematch/domain";
import { Either, Schema } from "effect";
import { describe, expect, it } from "vitest";

// The examples in docs/ are the wire contract people read; these tests keep them true.
const example = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../docs/wire-examples/${name}`, import.meta.url), "utf8"));

const cases = [
  ["event-add.json", WatchlistEvent],
  ["event-update.json", WatchlistEvent],
  ["event-delete.json", WatchlistEvent],
  ["watched-entry.json", WatchedEntry],
  ["film.json", Film],
  ["global-stats.json", GlobalStatsDocument],
  ["user-stats.json", UserStatsDocument],
] as const;

describe("the documented wire examples", () => {
  for (const [file, schema] of cases) {
    it(`given ${file}, when decoded and encoded again, then it is valid and already canonical`, () => {
      const input = example(file);
      const decoded = decoderFor(schema as Schema.Schema<unknown, unknown>, file)(input);
      if (Either.isLeft(decoded)) throw new Error(decoded.left.message);
      expect(Schema.encodeSync(schema as Schema.Schema<unknown, unknown>)(decoded.right)).toEqual(input);
    });
  }
});

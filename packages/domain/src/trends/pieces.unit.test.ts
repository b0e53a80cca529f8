import { Either, Schema } from "effect";
import { describe, expect, it } from "vitest";
import type { WatchlistEvent } from "../schemas/events.ts";
import type { Film } from "../schemas/film.ts";
import { filmCounts } from "./output.ts";
import {
  filmPieces,
  fromPieces,
  TrendCheckpoint,
  TrendFilmPiece,
  takeChanges,
  trendCheckpoint,
} from "./pieces.ts";
import { applyEvents, type PositionedEvent } from "./reduce.ts";
import { emptyPartitionState } from "./state.ts";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 29, 15, 0);
const heat: Film = { movie_id: "ml-6", title: "Heat", genres: ["Crime"], poster_path: "/heat.jpg" };
const alien: Film = { movie_id: "ml-1214", title: "Alien" };

const event = (
  id: string,
  type: "ADD" | "DELETE",
  film: Film,
  added_at: number,
  occurred_at: number,
): WatchlistEvent =>
  type === "ADD"
    ? {
        event_type: "ADD",
        schema_version: 1,
        event_id: id,
        user_id: "u-1",
        occurred_at,
        movie: film,
        added_at,
        watched_at: added_at,
      }
    : {
        event_type: "DELETE",
        schema_version: 1,
        event_id: id,
        user_id: "u-1",
        occurred_at,
        movie: film,
        added_at,
      };

const at = (first: number, ...events: ReadonlyArray<WatchlistEvent>): Array<PositionedEvent> =>
  events.map((e, i) => ({ offset: String(first + i), event: e }));

describe("given a state with two films", () => {
  const state = () =>
    applyEvents(
      emptyPartitionState(3),
      at(
        0,
        event("ev-1", "ADD", heat, NOW - DAY, NOW - HOUR),
        event("ev-2", "ADD", alien, NOW - 2 * DAY, NOW),
      ),
      NOW,
    );

  it("when its changes are taken, then both films come as pieces with the checkpoint, and a second call has none", () => {
    const s = state();
    const changes = takeChanges(s);
    expect(changes.checkpoint).toEqual({
      partition: 3,
      applied_offset: "1",
      watermark: NOW,
      floor_day: Math.floor(NOW / DAY) - 29,
    });
    expect(changes.upserts).toEqual([
      {
        partition: 3,
        movie_id: "ml-1214",
        title: "Alien",
        poster_path: null,
        genres: [],
        snapshot_time: NOW,
        days: [{ day: Math.floor((NOW - 2 * DAY) / DAY), count: 1 }],
        all_time: 1,
        applied_offset: "1",
        recent_events: [{ event_id: "ev-2", minute: Math.floor(NOW / 60_000) }],
      },
      {
        partition: 3,
        movie_id: "ml-6",
        title: "Heat",
        poster_path: "/heat.jpg",
        genres: ["Crime"],
        snapshot_time: NOW - HOUR,
        days: [{ day: Math.floor((NOW - DAY) / DAY), count: 1 }],
        all_time: 1,
        applied_offset: "0",
        recent_events: [{ event_id: "ev-1", minute: Math.floor((NOW - HOUR) / 60_000) }],
      },
    ]);
    expect(takeChanges(s)).toEqual({ checkpoint: changes.checkpoint, upserts: [], removals: [] });
  });

  it("when one film changes after a save, then only that film is pending", () => {
    const s = state();
    takeChanges(s);
    applyEvents(s, at(2, event("ev-3", "ADD", heat, NOW, NOW)), NOW);
    expect(takeChanges(s).upserts.map((piece) => piece.movie_id)).toEqual(["ml-6"]);
  });

  it("when its pieces and checkpoint are encoded for storage and decoded, then they are unchanged and rebuild the same state", () => {
    const s = state();
    const pieces = filmPieces(s).map((piece) => Schema.encodeSync(TrendFilmPiece)(piece));
    const checkpoint = Schema.encodeSync(TrendCheckpoint)(trendCheckpoint(s));
    // No field name comes from data: every key is a fixed schema field.
    expect(JSON.stringify(pieces)).not.toMatch(/"[^"]*\.[^"]*":/);
    const rebuilt = fromPieces(
      Schema.decodeUnknownSync(TrendCheckpoint)(checkpoint),
      pieces.map((piece) => Schema.decodeUnknownSync(TrendFilmPiece)(piece)),
    );
    expect(filmPieces(rebuilt)).toEqual(filmPieces(s));
    expect(trendCheckpoint(rebuilt)).toEqual(trendCheckpoint(s));
  });

  it("when a stored piece has a bad offset, then decoding names the field", () => {
    const [piece] = filmPieces(state());
    const result = Schema.decodeUnknownEither(TrendFilmPiece)({
      ...Schema.encodeSync(TrendFilmPiece)(piece!),
      applied_offset: "1e3",
    });
    expect(Either.isLeft(result) && String(result.left)).toMatch(/applied_offset/);
  });
});

describe("given a film whose entries were all deleted", () => {
  it("when its event ids leave the dedup horizon, then its piece is reported for removal and it leaves the state", () => {
    const s = applyEvents(
      emptyPartitionState(0),
      at(0, event("ev-1", "ADD", heat, NOW, NOW), event("ev-2", "DELETE", heat, NOW, NOW)),
      NOW,
    );
    // Still remembered: a republished ADD must be recognised.
    expect(
      takeChanges(s).upserts.map((piece) => [piece.movie_id, piece.all_time, piece.recent_events.length]),
    ).toEqual([["ml-6", 0, 2]]);
    applyEvents(s, at(2, event("ev-3", "ADD", alien, NOW + 2 * DAY, NOW + 2 * DAY)), NOW + 2 * DAY);
    const changes = takeChanges(s);
    expect(changes.removals).toEqual(["ml-6"]);
    expect(filmPieces(s).map((piece) => piece.movie_id)).toEqual(["ml-1214"]);
  });
});

describe("given pieces saved by an interrupted write", () => {
  it("when rebuilt with the older checkpoint and the batch is replayed, then the saved film skips what it holds and the other catches up", () => {
    const batch = at(0, event("ev-1", "ADD", heat, NOW, NOW), event("ev-2", "ADD", alien, NOW, NOW));
    const before = emptyPartitionState(0);
    const checkpoint = takeChanges(before).checkpoint; // nothing applied yet
    const after = applyEvents(emptyPartitionState(0), batch, NOW);
    const saved = takeChanges(after).upserts.filter((piece) => piece.movie_id === "ml-6"); // Alien's write was lost
    const restarted = applyEvents(fromPieces(checkpoint, saved), batch, NOW);
    expect(Object.fromEntries(filmCounts([restarted], "all", NOW))).toEqual({ "ml-6": 1, "ml-1214": 1 });
  });
});

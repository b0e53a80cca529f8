import { Schema } from "effect";
import { Film } from "./film.ts";
import { EventId, Rating, Timestamp, UserId, WatchCount } from "./primitives.ts";

/** The topic the earlier system used; every watchlist change is one event on it, keyed by user id. */
export const USER_MOVIE_EVENTS_TOPIC = "user-movie-events";
export const CURRENT_SCHEMA_VERSION = 1 as const;

const envelope = {
  schema_version: Schema.Literal(CURRENT_SCHEMA_VERSION),
  event_id: EventId,
  user_id: UserId,
  occurred_at: Timestamp,
  /** Snapshot of the film at the time of the change. */
  movie: Film,
  /** When the entry entered the watchlist; a DELETE carries the original one so trends can undo the right day. */
  added_at: Timestamp,
};

export const MovieAdded = Schema.Struct({
  event_type: Schema.Literal("ADD"),
  ...envelope,
  rating: Schema.optional(Rating),
  watched_at: Timestamp,
  /** Absent in events from before watch counts, and for a film watched once. */
  watch_count: Schema.optional(WatchCount),
}).annotations({ identifier: "MovieAdded" });

/** Carries the entry's full state after the change: an absent rating means the rating was cleared. */
export const MovieUpdated = Schema.Struct({
  event_type: Schema.Literal("UPDATE"),
  ...envelope,
  rating: Schema.optional(Rating),
  watched_at: Timestamp,
  watch_count: Schema.optional(WatchCount),
}).annotations({ identifier: "MovieUpdated" });

export const MovieRemoved = Schema.Struct({
  event_type: Schema.Literal("DELETE"),
  ...envelope,
}).annotations({ identifier: "MovieRemoved" });

export const WatchlistEvent = Schema.Union(MovieAdded, MovieUpdated, MovieRemoved).annotations({
  identifier: "WatchlistEvent",
});
export type MovieAdded = typeof MovieAdded.Type;
export type MovieUpdated = typeof MovieUpdated.Type;
export type MovieRemoved = typeof MovieRemoved.Type;
export type WatchlistEvent = typeof WatchlistEvent.Type;
export type WatchlistEventType = WatchlistEvent["event_type"];

import { Schema } from "effect";
import { Film } from "./film.ts";
import { Rating, Timestamp, UserId, WatchCount } from "./primitives.ts";

/** A film in a user's watched list: what `computeUserStats` reads. Stored in the `movies` collection. */
export const WatchedEntry = Schema.Struct({
  user_id: UserId,
  movie: Film,
  rating: Schema.optional(Rating),
  watched_at: Timestamp,
  /** Watches of it, rewatches included (absent: once). */
  watch_count: Schema.optional(WatchCount),
  added_at: Timestamp,
}).annotations({ identifier: "WatchedEntry" });
export type WatchedEntry = typeof WatchedEntry.Type;

import { Schema } from "effect";
import { Film } from "./film.ts";
import { Rating, Timestamp, UserId } from "./primitives.ts";

/** A film in a user's watched list: what `computeUserStats` reads. Stored in the `movies` collection. */
export const WatchedEntry = Schema.Struct({
  user_id: UserId,
  movie: Film,
  rating: Schema.optional(Rating),
  watched_at: Timestamp,
  added_at: Timestamp,
}).annotations({ identifier: "WatchedEntry" });
export type WatchedEntry = typeof WatchedEntry.Type;

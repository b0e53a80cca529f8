import {
  CURRENT_SCHEMA_VERSION,
  type Film,
  type MovieAdded,
  type MovieRemoved,
  type MovieUpdated,
  type WatchedEntry,
} from "@cinematch/domain";
import { Clock, Context, Effect, FiberSet, Layer, Option } from "effect";
import { IdGenerator } from "../ids/IdGenerator.ts";
import type { StoreUnavailable } from "../store-errors.ts";
import { OutboxPublisher } from "../outbox/OutboxPublisher.ts";
import { type EntryChange, WatchlistStore, watchlistEntryKey } from "./WatchlistStore.ts";

export interface AddMovie {
  /** The film snapshot that travels with the events (resolved from the catalog by the caller). */
  readonly movie: Film;
  readonly rating?: number;
  /** Default: now. */
  readonly watched_at?: number;
  /** Default: now. Tools that replay history may set it; the API never does. */
  readonly added_at?: number;
}

export interface AddResult {
  readonly status: "added" | "already_present";
  /** The entry as stored: the new one, or the one already there. */
  readonly entry: WatchedEntry;
}

/**
 * Add, change and remove a user's film: build the domain event (id from `IdGenerator`, time from
 * Effect `Clock`), store the change with its pending event in one single-document write, then try
 * to publish at once (a failure is fine: the relay publishes later). The one implementation used by
 * the API and by the replay tools.
 */
export interface WatchlistCommandsService {
  readonly add: (user_id: string, input: AddMovie) => Effect.Effect<AddResult, StoreUnavailable>;
  /** `None` when the user has no such film. */
  readonly update: (
    user_id: string,
    movie_id: string,
    change: EntryChange,
  ) => Effect.Effect<Option.Option<WatchedEntry>, StoreUnavailable>;
  /** `None` when the user has no such film. */
  readonly remove: (
    user_id: string,
    movie_id: string,
  ) => Effect.Effect<Option.Option<WatchedEntry>, StoreUnavailable>;
}

export class WatchlistCommands extends Context.Tag("@cinematch/adapters/WatchlistCommands")<
  WatchlistCommands,
  WatchlistCommandsService
>() {}

export interface WatchlistCommandsOptions {
  /**
   * After a write: `await` publishes before returning (bounded, errors swallowed), `background`
   * publishes in a fiber of the layer's scope and returns at once, `relay` wakes the relay and
   * returns (the relay publishes in batches: bulk tools, and busy APIs). Default `await`.
   */
  readonly publish?: "await" | "background" | "relay";
}

export const makeWatchlistCommands = (options: WatchlistCommandsOptions = {}) =>
  Effect.gen(function* () {
    const store = yield* WatchlistStore;
    const publisher = yield* OutboxPublisher;
    const ids = yield* IdGenerator;
    const fibers = yield* FiberSet.make();
    const mode = options.publish ?? "await";
    /**
     * `occurred_at` strictly increases within the process (a burst in one millisecond gets +1 ms
     * steps), so the relay's oldest-first merge keeps a user's events in the order they were made.
     */
    let lastOccurredAt = Number.NEGATIVE_INFINITY;
    const occurredAt = (now: number) => {
      lastOccurredAt = Math.max(now, lastOccurredAt + 1);
      return lastOccurredAt;
    };

    const afterWrite = (user_id: string, movie_id: string): Effect.Effect<void> => {
      const publish = publisher.tryPublishPending(watchlistEntryKey(user_id, movie_id));
      switch (mode) {
        case "await":
          return publish;
        case "background":
          return Effect.asVoid(FiberSet.run(fibers, publish));
        case "relay":
          return publisher.wakeRelay;
      }
    };

    const envelope = (entry: WatchedEntry, event_id: string, occurred_at: number) => ({
      schema_version: CURRENT_SCHEMA_VERSION,
      event_id,
      user_id: entry.user_id,
      occurred_at,
      movie: entry.movie,
      added_at: entry.added_at,
    });
    const withRating = (entry: WatchedEntry) => (entry.rating === undefined ? {} : { rating: entry.rating });

    const add = (user_id: string, input: AddMovie) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis;
        const event_id = yield* ids.next;
        const entry: WatchedEntry = {
          user_id,
          movie: input.movie,
          ...(input.rating === undefined ? {} : { rating: input.rating }),
          watched_at: input.watched_at ?? now,
          added_at: input.added_at ?? now,
        };
        const event: MovieAdded = {
          event_type: "ADD",
          ...envelope(entry, event_id, occurredAt(now)),
          ...withRating(entry),
          watched_at: entry.watched_at,
        };
        const status = yield* store.add(entry, event);
        if (status === "added") {
          yield* afterWrite(user_id, input.movie.movie_id);
          return { status, entry };
        }
        const existing = yield* store.get(user_id, input.movie.movie_id);
        // Removed between the two reads: report what we were given, the add itself did nothing.
        return { status, entry: Option.getOrElse(existing, () => entry) };
      });

    const update = (user_id: string, movie_id: string, change: EntryChange) =>
      Effect.gen(function* () {
        const now = occurredAt(yield* Clock.currentTimeMillis);
        const event_id = yield* ids.next;
        const changed = yield* store.update(
          user_id,
          movie_id,
          change,
          (entry): MovieUpdated => ({
            event_type: "UPDATE",
            ...envelope(entry, event_id, now),
            ...withRating(entry),
            watched_at: entry.watched_at,
          }),
        );
        if (Option.isSome(changed)) yield* afterWrite(user_id, movie_id);
        return changed;
      });

    const remove = (user_id: string, movie_id: string) =>
      Effect.gen(function* () {
        const now = occurredAt(yield* Clock.currentTimeMillis);
        const event_id = yield* ids.next;
        const removed = yield* store.remove(
          user_id,
          movie_id,
          (entry): MovieRemoved => ({ event_type: "DELETE", ...envelope(entry, event_id, now) }),
        );
        if (Option.isSome(removed)) yield* afterWrite(user_id, movie_id);
        return removed;
      });

    const service: WatchlistCommandsService = { add, update, remove };
    return service;
  });

export const WatchlistCommandsLive = (
  options: WatchlistCommandsOptions = {},
): Layer.Layer<WatchlistCommands, never, WatchlistStore | OutboxPublisher | IdGenerator> =>
  Layer.scoped(WatchlistCommands, makeWatchlistCommands(options));

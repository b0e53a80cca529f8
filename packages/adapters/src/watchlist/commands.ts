import {
  decide,
  type EntryState,
  evolveAll,
  type Film,
  type WatchedEntry,
  type WatchlistCommand,
} from "@cinematch/domain";
import { Clock, Context, Effect, Either, Layer, Option } from "effect";
import { IdGenerator } from "../ids/IdGenerator.ts";
import { StoreUnavailable } from "../store-errors.ts";
import { OutboxPublisher } from "../outbox/OutboxPublisher.ts";
import { makeKeyedLock } from "./keyed-lock.ts";
import { type StoredState, WatchlistStore, watchlistEntryKey } from "./WatchlistStore.ts";

export interface AddMovieInput {
  /** The film snapshot that travels with the events (resolved from the catalog by the caller). */
  readonly movie: Film;
  readonly rating?: number;
  /** Default: now. */
  readonly watched_at?: number;
  /** Default: now. Tools that replay history may set it; the API never does. */
  readonly added_at?: number;
  /** Watches so far (an imported history's rewatches); absent: once. */
  readonly watch_count?: number;
}

export interface EntryChange {
  /** `null` clears the rating. */
  readonly rating?: number | null;
  readonly watched_at?: number;
  readonly watch_count?: number;
}

export interface AddResult {
  readonly status: "added" | "already_present";
  /** The entry as stored: the new one, or the one already there. */
  readonly entry: WatchedEntry;
}

/**
 * Add, change and remove a user's film: load the entry, let the domain's decider say what happens,
 * commit its events with the new state in one single-document write, and hand the events to the
 * publisher (off the request path). The one implementation used by the API and by the replay tools.
 */
export interface WatchlistCommandsService {
  readonly add: (user_id: string, input: AddMovieInput) => Effect.Effect<AddResult, StoreUnavailable>;
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
   * After a durable write: `background` hands the events to the publisher's batches and answers at
   * once (the API), `await` (default) also waits until they are on the topic (bounded, failures
   * swallowed: tools that want to see them there), `relay` leaves them to the relay (bulk tools).
   */
  readonly publish?: "await" | "background" | "relay";
}

/** Conflicts come only from other processes writing the same entry; in-process writers take turns. */
const MAX_ATTEMPTS = 20;

type Outcome = {
  readonly before: EntryState | undefined;
  readonly after: EntryState | undefined;
  readonly changed: boolean;
};

export const makeWatchlistCommands = (options: WatchlistCommandsOptions = {}) =>
  Effect.gen(function* () {
    const store = yield* WatchlistStore;
    const publisher = yield* OutboxPublisher;
    const ids = yield* IdGenerator;
    const exclusively = makeKeyedLock();
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

    /**
     * Load, decide, commit; again after a conflict. A new film is first tried without loading (the
     * common case costs one write); a clash with an existing entry loads it and decides again.
     * Holding the entry's lock throughout keeps this process's writes of one entry in order, up to
     * the hand-over to the publisher.
     */
    const execute = (
      command: WatchlistCommand,
      movie_id: string,
      assumeNew: boolean,
    ): Effect.Effect<Outcome | undefined, StoreUnavailable> =>
      exclusively(
        watchlistEntryKey(command.user_id, movie_id),
        Effect.gen(function* () {
          for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            const stored: Option.Option<StoredState> =
              assumeNew && attempt === 1 ? Option.none() : yield* store.load(command.user_id, movie_id);
            const before = Option.getOrUndefined(stored)?.state;
            const decision = decide(command, before, occurredAt(yield* Clock.currentTimeMillis));
            if (Either.isLeft(decision)) return undefined;
            const events = decision.right;
            if (events.length === 0) return { before, after: before, changed: false };
            const after = evolveAll(before, events)!;
            const result = yield* store.commit({
              expected_version: Option.getOrUndefined(stored)?.version,
              state: after,
              events,
            });
            if (result._tag === "Conflict") continue;
            const committed = {
              entry_key: watchlistEntryKey(command.user_id, movie_id),
              user_id: command.user_id,
              events,
              version: result.version,
              earlier: Option.match(stored, { onNone: () => [], onSome: (s) => s.pending }),
            };
            if (mode === "relay") yield* publisher.wakeRelay;
            else {
              const handed = yield* publisher.enqueue(committed);
              if (mode === "await") yield* handed;
            }
            return { before, after, changed: true };
          }
          return yield* Effect.fail(
            new StoreUnavailable({
              operation: "movies.commit",
              message: `gave up after ${MAX_ATTEMPTS} concurrent changes`,
            }),
          );
        }),
      );

    const add = (user_id: string, input: AddMovieInput) =>
      Effect.gen(function* () {
        const command: WatchlistCommand = {
          type: "AddMovie",
          event_id: yield* ids.next,
          user_id,
          movie: input.movie,
          ...(input.rating === undefined ? {} : { rating: input.rating }),
          ...(input.watched_at === undefined ? {} : { watched_at: input.watched_at }),
          ...(input.added_at === undefined ? {} : { added_at: input.added_at }),
          ...(input.watch_count === undefined ? {} : { watch_count: input.watch_count }),
        };
        const outcome = (yield* execute(command, input.movie.movie_id, true))!;
        return {
          status: outcome.changed ? "added" : "already_present",
          entry: outcome.after!.entry,
        } as const;
      });

    const listedAfter = (outcome: Outcome | undefined, pick: (o: Outcome) => EntryState | undefined) =>
      outcome === undefined ? Option.none<WatchedEntry>() : Option.fromNullable(pick(outcome)?.entry);

    const update = (user_id: string, movie_id: string, change: EntryChange) =>
      Effect.gen(function* () {
        const command: WatchlistCommand = {
          type: "ChangeMovie",
          event_id: yield* ids.next,
          user_id,
          movie_id,
          ...(change.rating === undefined ? {} : { rating: change.rating }),
          ...(change.watched_at === undefined ? {} : { watched_at: change.watched_at }),
          ...(change.watch_count === undefined ? {} : { watch_count: change.watch_count }),
        };
        return listedAfter(yield* execute(command, movie_id, false), (o) => o.after);
      });

    const remove = (user_id: string, movie_id: string) =>
      Effect.gen(function* () {
        const command: WatchlistCommand = {
          type: "RemoveMovie",
          event_id: yield* ids.next,
          user_id,
          movie_id,
        };
        return listedAfter(yield* execute(command, movie_id, false), (o) => o.before);
      });

    const service: WatchlistCommandsService = { add, update, remove };
    return service;
  });

export const WatchlistCommandsLive = (
  options: WatchlistCommandsOptions = {},
): Layer.Layer<WatchlistCommands, never, WatchlistStore | OutboxPublisher | IdGenerator> =>
  Layer.scoped(WatchlistCommands, makeWatchlistCommands(options));

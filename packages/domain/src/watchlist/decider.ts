import { Data, Either } from "effect";
import type { WatchedEntry } from "../schemas/entry.ts";
import {
  CURRENT_SCHEMA_VERSION,
  type MovieAdded,
  type MovieRemoved,
  type MovieUpdated,
  type WatchlistEvent,
} from "../schemas/events.ts";
import type { Film } from "../schemas/film.ts";

/**
 * The write side's rules for one (user, film) entry, as a pure decider: `decide` turns a command and
 * the entry's current state into the events it causes (or a rejection), `evolve` folds an event into
 * the state. Stores persist exactly what this returns; they hold no rules of their own. Ids and time
 * are the caller's: every command carries its event id, `decide` gets `now`.
 */

/** A removed entry stays known (a tombstone) until it is added again. */
export interface EntryState {
  readonly entry: WatchedEntry;
  readonly removed: boolean;
}

export interface AddMovie {
  readonly type: "AddMovie";
  readonly event_id: string;
  readonly user_id: string;
  /** The film snapshot that travels with the events. */
  readonly movie: Film;
  readonly rating?: number;
  /** Default: now. */
  readonly watched_at?: number;
  /** Default: now. Tools that replay history set it; the API never does. */
  readonly added_at?: number;
  /** Watches so far (an imported history's rewatches); absent: once. */
  readonly watch_count?: number;
}

export interface ChangeMovie {
  readonly type: "ChangeMovie";
  readonly event_id: string;
  readonly user_id: string;
  readonly movie_id: string;
  /** `null` clears the rating; absent keeps it. */
  readonly rating?: number | null;
  readonly watched_at?: number;
  /** Absent keeps it. */
  readonly watch_count?: number;
}

export interface RemoveMovie {
  readonly type: "RemoveMovie";
  readonly event_id: string;
  readonly user_id: string;
  readonly movie_id: string;
}

export type WatchlistCommand = AddMovie | ChangeMovie | RemoveMovie;

/** A change or removal of a film the user does not (or no longer) have. */
export class EntryNotInList extends Data.TaggedError("EntryNotInList")<{
  readonly user_id: string;
  readonly movie_id: string;
}> {}

export type WatchlistRejection = EntryNotInList;

const envelope = (entry: WatchedEntry, event_id: string, now: number) => ({
  schema_version: CURRENT_SCHEMA_VERSION,
  event_id,
  user_id: entry.user_id,
  occurred_at: now,
  movie: entry.movie,
  added_at: entry.added_at,
});

const ratingOf = (rating: number | undefined) => (rating === undefined ? {} : { rating });
const watchCountOf = (watch_count: number | undefined) => (watch_count === undefined ? {} : { watch_count });

const entryOf = (event: MovieAdded | MovieUpdated): WatchedEntry => ({
  user_id: event.user_id,
  movie: event.movie,
  ...ratingOf(event.rating),
  watched_at: event.watched_at,
  ...watchCountOf(event.watch_count),
  added_at: event.added_at,
});

const isListed = (state: EntryState | undefined): state is EntryState =>
  state !== undefined && !state.removed;

/**
 * The events `command` causes on an entry in `state`. Adding a film already listed is idempotent (no
 * event); adding a removed one brings it back as a new entry. A change always yields an UPDATE
 * carrying the entry's whole state after it, so consumers never need the previous one.
 */
export const decide = (
  command: WatchlistCommand,
  state: EntryState | undefined,
  now: number,
): Either.Either<ReadonlyArray<WatchlistEvent>, WatchlistRejection> => {
  switch (command.type) {
    case "AddMovie": {
      if (isListed(state)) return Either.right([]);
      const entry: WatchedEntry = {
        user_id: command.user_id,
        movie: command.movie,
        ...ratingOf(command.rating),
        watched_at: command.watched_at ?? now,
        ...watchCountOf(command.watch_count),
        added_at: command.added_at ?? now,
      };
      const added: MovieAdded = {
        event_type: "ADD",
        ...envelope(entry, command.event_id, now),
        ...ratingOf(entry.rating),
        watched_at: entry.watched_at,
        ...watchCountOf(entry.watch_count),
      };
      return Either.right([added]);
    }
    case "ChangeMovie": {
      if (!isListed(state)) return Either.left(notInList(command));
      const rating = command.rating === undefined ? state.entry.rating : (command.rating ?? undefined);
      const updated: MovieUpdated = {
        event_type: "UPDATE",
        ...envelope(state.entry, command.event_id, now),
        ...ratingOf(rating),
        watched_at: command.watched_at ?? state.entry.watched_at,
        ...watchCountOf(command.watch_count ?? state.entry.watch_count),
      };
      return Either.right([updated]);
    }
    case "RemoveMovie": {
      if (!isListed(state)) return Either.left(notInList(command));
      const removed: MovieRemoved = { event_type: "DELETE", ...envelope(state.entry, command.event_id, now) };
      return Either.right([removed]);
    }
  }
};

const notInList = (command: ChangeMovie | RemoveMovie) =>
  new EntryNotInList({ user_id: command.user_id, movie_id: command.movie_id });

/** The entry after `event`. Total: a DELETE of an unknown entry leaves a tombstone built from the event. */
export const evolve = (state: EntryState | undefined, event: WatchlistEvent): EntryState => {
  switch (event.event_type) {
    case "ADD":
    case "UPDATE":
      return { entry: entryOf(event), removed: false };
    case "DELETE":
      return {
        entry: state?.entry ?? {
          user_id: event.user_id,
          movie: event.movie,
          watched_at: event.added_at,
          added_at: event.added_at,
        },
        removed: true,
      };
  }
};

/** The state after a sequence of events (`evolve` folded from `state`). */
export const evolveAll = (
  state: EntryState | undefined,
  events: ReadonlyArray<WatchlistEvent>,
): EntryState | undefined => events.reduce<EntryState | undefined>(evolve, state);

/** The film a command is about: with the user, it names the entry (and its outbox). */
export const commandMovieId = (command: WatchlistCommand): string =>
  command.type === "AddMovie" ? command.movie.movie_id : command.movie_id;

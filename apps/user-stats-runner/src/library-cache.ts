import type { WatchedEntry } from "@cinematch/domain";
import { Option } from "effect";

/**
 * The watched films of the users this runner instance recomputes, kept between micro-batches so a
 * micro-batch re-reads only the entries its events touched instead of every touched user's whole
 * list (a MovieLens user holds ~150 films; reading them all for each new film was the runner's
 * main cost).
 *
 * It stays exact because the watchlist store remains the only source: a list is filled by a full
 * read, and an entry is refreshed by reading its current state each time an event for it is
 * consumed. Every stored change is followed by its event (the outbox), and all of a user's events
 * go to one partition, so a list is exact for as long as this instance consumes that partition
 * without a gap. A batch that does not continue where this instance left its partition (another
 * instance had it meanwhile, this one just started, or its records were dead-lettered) drops every
 * list of that partition, which are then read in full again. Events never change a list directly,
 * so their order, duplicates and replays do not matter.
 */
export class UserLibraryCache {
  readonly #users = new Map<
    string,
    {
      readonly partition: number;
      readonly entries: Map<string, WatchedEntry>;
      /** The statistics last written for the user while the list was held (a fingerprint). */
      written?: string;
    }
  >();
  /** Per partition, the last offset whose events this instance has read the store for. */
  readonly #consumedUpTo = new Map<number, bigint>();
  #entryCount = 0;

  /** At most this many entries are kept; the least recently used users go first. */
  readonly maxEntries: number;

  constructor(maxEntries: number) {
    this.maxEntries = maxEntries;
  }

  /**
   * Called for each partition batch of a micro-batch before its reads: when the batch does not
   * follow what this instance consumed of the partition, the partition's lists are dropped.
   */
  continueFrom(partition: number, firstOffset: string): void {
    const upTo = this.#consumedUpTo.get(partition);
    if (upTo !== undefined && BigInt(firstOffset) <= upTo + 1n) return;
    for (const [user, library] of this.#users) {
      if (library.partition === partition) this.#drop(user);
    }
    this.#consumedUpTo.delete(partition);
  }

  /** Drops the partition's lists (this instance just claimed it: another may have had it meanwhile). */
  forgetPartition(partition: number): void {
    for (const [user, library] of this.#users) {
      if (library.partition === partition) this.#drop(user);
    }
    this.#consumedUpTo.delete(partition);
  }

  /** Called once a micro-batch's reads succeeded, for each of its partition batches. */
  consumed(partition: number, lastOffset: string): void {
    const last = BigInt(lastOffset);
    const upTo = this.#consumedUpTo.get(partition);
    if (upTo === undefined || last > upTo) this.#consumedUpTo.set(partition, last);
  }

  /**
   * Whether the user's list is held for events of this partition. A user whose events now come on
   * another partition (partitions were added to the topic, which moves keys) counts as not held:
   * the list was kept exact by the old partition's events, not the new one's.
   */
  holds(user_id: string, partition: number): boolean {
    return this.#users.get(user_id)?.partition === partition;
  }

  /** A user's whole list, just read from the store. */
  fill(user_id: string, partition: number, entries: ReadonlyArray<WatchedEntry>): void {
    this.#drop(user_id);
    this.#users.set(user_id, {
      partition,
      entries: new Map(entries.map((entry) => [entry.movie.movie_id, entry])),
    });
    this.#entryCount += entries.length;
  }

  /** One entry's current state, just read from the store (`None`: removed or unknown). */
  refresh(user_id: string, movie_id: string, current: Option.Option<WatchedEntry>): void {
    const library = this.#users.get(user_id);
    if (library === undefined) return;
    const had = library.entries.delete(movie_id);
    if (had) this.#entryCount -= 1;
    if (Option.isSome(current)) {
      library.entries.set(movie_id, current.value);
      this.#entryCount += 1;
    }
  }

  /** The user's list, newest addition first (as the store lists it); marks the user as just used. */
  entriesOf(user_id: string): ReadonlyArray<WatchedEntry> {
    const library = this.#users.get(user_id);
    if (library === undefined) return [];
    this.#users.delete(user_id);
    this.#users.set(user_id, library);
    return [...library.entries.values()].sort(
      (a, b) => b.added_at - a.added_at || (a.movie.movie_id < b.movie.movie_id ? -1 : 1),
    );
  }

  /**
   * What was last written for the user while this list was held, so an unchanged result is not
   * written again. Dropped with the list: a list read again is always written once.
   */
  writtenStatsOf(user_id: string): string | undefined {
    return this.#users.get(user_id)?.written;
  }

  noteWritten(user_id: string, fingerprint: string): void {
    const library = this.#users.get(user_id);
    if (library !== undefined) library.written = fingerprint;
  }

  /** Drops the least recently used users until at most `maxEntries` entries are kept. */
  trim(): void {
    for (const user of this.#users.keys()) {
      if (this.#entryCount <= this.maxEntries) return;
      this.#drop(user);
    }
  }

  get size(): { readonly users: number; readonly entries: number } {
    return { users: this.#users.size, entries: this.#entryCount };
  }

  #drop(user_id: string): void {
    const library = this.#users.get(user_id);
    if (library === undefined) return;
    this.#entryCount -= library.entries.size;
    this.#users.delete(user_id);
  }
}

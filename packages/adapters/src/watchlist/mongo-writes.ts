import type { WatchlistEvent } from "@cinematch/domain";
import type { AnyBulkWriteOperation, Document } from "mongodb";
import type { LogPosition } from "../event-log/EventLog.ts";
import type { EntryWrite, PublishedEvent } from "./WatchlistStore.ts";
import {
  encodeDocument,
  encodeEntry,
  encodeEvent,
  encodeTimestamp,
  offsetRank,
  PENDING,
  type StoredDocument,
} from "./mongo-document.ts";

/**
 * The document operations behind `commit` and `markPublished`: outbox bookkeeping only. What the
 * entry becomes is the decider's (`write.state`); these say how to store it with its events.
 */

/** Orders a commit's events after every earlier one of the entry (the outbox is keyed by event id). */
const seqOf = (version: number, index: number) => version * 1000 + index;

/**
 * What a commit's events make of the entry's ADD/DELETE fields (domain values); a field left out is
 * unchanged. A new ADD starts a new entry, so it also clears the DELETE.
 */
const eventFields = (events: ReadonlyArray<WatchlistEvent>) => {
  const fields: {
    add_event_id?: string;
    add_occurred_at?: number;
    delete_event_id?: string | null;
    delete_occurred_at?: number | null;
  } = {};
  for (const event of events) {
    if (event.event_type === "ADD") {
      Object.assign(fields, {
        add_event_id: event.event_id,
        add_occurred_at: event.occurred_at,
        delete_event_id: null,
        delete_occurred_at: null,
      });
    } else if (event.event_type === "DELETE") {
      Object.assign(fields, { delete_event_id: event.event_id, delete_occurred_at: event.occurred_at });
    }
  }
  return fields;
};

/** Those fields as an update's `$set`/`$unset`: a new ADD or DELETE also forgets the log position kept for the old one. */
const bookkeeping = (events: ReadonlyArray<WatchlistEvent>) => {
  const fields = eventFields(events);
  const set: Record<string, unknown> = {};
  const unset: Record<string, ""> = {};
  if (fields.add_event_id !== undefined) {
    Object.assign(set, {
      add_event_id: fields.add_event_id,
      add_occurred_at: encodeTimestamp(fields.add_occurred_at!),
      add_position: null,
    });
    unset.add_rank = "";
  }
  if (fields.delete_event_id !== undefined) {
    Object.assign(set, {
      delete_event_id: fields.delete_event_id,
      delete_occurred_at:
        fields.delete_occurred_at == null ? null : encodeTimestamp(fields.delete_occurred_at),
      delete_position: null,
    });
    unset.delete_rank = "";
  }
  return { set, unset };
};

/** The whole document of an entry written for the first time (inserted; a clash means it exists). */
export const newDocument = (key: string, write: EntryWrite): Document => {
  const { entry, removed } = write.state;
  const outbox: Record<string, StoredDocument["outbox"][string]> = {};
  write.events.forEach((event, i) => {
    outbox[event.event_id] = { seq: seqOf(1, i), event };
  });
  const fields = eventFields(write.events);
  const doc: StoredDocument = {
    _id: key,
    user_id: entry.user_id,
    movie_id: entry.movie.movie_id,
    movie: entry.movie,
    ...(entry.rating === undefined ? {} : { rating: entry.rating }),
    watched_at: entry.watched_at,
    ...(entry.watch_count === undefined ? {} : { watch_count: entry.watch_count }),
    added_at: entry.added_at,
    removed,
    outbox,
    pending: PENDING,
    add_event_id: fields.add_event_id ?? null,
    delete_event_id: fields.delete_event_id ?? null,
    add_occurred_at: fields.add_occurred_at ?? null,
    delete_occurred_at: fields.delete_occurred_at ?? null,
    add_position: null,
    delete_position: null,
    version: 1,
  };
  return encodeDocument(doc) as unknown as Document;
};

/**
 * The update of an existing entry, conditional on the version it was computed from: the entry's
 * fields set to the decider's state, the events added to the outbox, the entry marked pending.
 */
export const updateOf = (
  key: string,
  version: number,
  write: EntryWrite,
): { filter: Document; update: Document } => {
  const { entry, removed } = write.state;
  const next = version + 1;
  const { rating, watch_count, ...fields } = encodeEntry(entry as Parameters<typeof encodeEntry>[0]) as {
    readonly rating?: number;
    readonly watch_count?: number;
  } & Record<string, unknown>;
  const { set, unset } = bookkeeping(write.events);
  Object.assign(set, fields, { removed, version: next, pending: PENDING });
  if (rating === undefined) unset.rating = "";
  else set.rating = rating;
  if (watch_count === undefined) unset.watch_count = "";
  else set.watch_count = watch_count;
  write.events.forEach((event, i) => {
    set[`outbox.${event.event_id}`] = { seq: seqOf(next, i), event: encodeEvent(event) };
  });
  return {
    filter: { _id: key, version },
    update: {
      $set: set,
      ...(Object.keys(unset).length === 0 ? {} : { $unset: unset }),
    },
  };
};

const positionField = (event: WatchlistEvent) =>
  event.event_type === "ADD" ? "add" : event.event_type === "DELETE" ? "delete" : undefined;

const positionSet = (field: "add" | "delete", position: LogPosition) => ({
  [`${field}_position`]: { partition: position.partition, offset: position.offset },
  [`${field}_rank`]: offsetRank(position.offset),
});

/**
 * How to clear one entry's published events. `fast`, when the batch knows the entry's version: ONE
 * write if nothing was written since (`{_id, version}` still matches): unset exactly those outbox
 * keys, drop the pending mark (every event up to that version is published by now) and record the
 * positions of its ADD/DELETE. `slow`, needed only when `fast` did not match or is missing: unset
 * those keys, record each position only if the event is still the entry's current ADD/DELETE and the
 * position is later than the one kept (an event published twice), and drop the pending mark only if
 * the outbox is now empty. Each `slow` clause is conditional on the version having moved on, so it
 * changes nothing after a `fast` that matched: sending it anyway is harmless, only costly (on FerretDB
 * an update that matches nothing still reads the document, ~0.2 ms, against ~0.65 ms for one that
 * writes), which is why the writer sends it only for chunks whose `fast` writes did not all match.
 */
export interface EntryClear {
  readonly key: string;
  readonly fast: AnyBulkWriteOperation | undefined;
  readonly slow: ReadonlyArray<AnyBulkWriteOperation>;
}

/** The clearing of a whole batch of published events, one `EntryClear` per entry, in batch order. */
export const clearOperations = (published: ReadonlyArray<PublishedEvent>): Array<EntryClear> => {
  const byEntry = new Map<string, Array<PublishedEvent>>();
  for (const item of published) {
    const list = byEntry.get(item.entry_key);
    if (list === undefined) byEntry.set(item.entry_key, [item]);
    else list.push(item);
  }
  const clears: Array<EntryClear> = [];
  for (const [key, items] of byEntry) {
    const unset: Record<string, ""> = {};
    for (const { event } of items) unset[`outbox.${event.event_id}`] = "";
    const versions = items.map((item) => item.version);
    const version = versions.every((v) => v !== undefined) ? Math.max(...versions) : undefined;
    let fast: AnyBulkWriteOperation | undefined;
    if (version !== undefined) {
      // The batch holds the entry's events in write order: the last ADD is its current one, and a
      // DELETE after it its current DELETE.
      const set: Record<string, unknown> = {};
      for (const { event, position } of items) {
        const field = positionField(event);
        if (field === "add") {
          delete set.delete_position;
          delete set.delete_rank;
        }
        if (field !== undefined) Object.assign(set, positionSet(field, position));
      }
      fast = {
        updateOne: {
          filter: { _id: key, version } as Document,
          update: {
            $unset: { ...unset, pending: "" },
            ...(Object.keys(set).length === 0 ? {} : { $set: set }),
          },
        },
      };
    }
    const changed: Document = version === undefined ? {} : { version: { $ne: version } };
    const slow: Array<AnyBulkWriteOperation> = [
      { updateOne: { filter: { _id: key, ...changed } as Document, update: { $unset: unset } } },
    ];
    for (const { event, position } of items) {
      const field = positionField(event);
      if (field === undefined) continue;
      const rank = offsetRank(position.offset);
      slow.push({
        updateOne: {
          filter: {
            _id: key,
            ...changed,
            [`${field}_event_id`]: event.event_id,
            $or: [
              { [`${field}_position`]: null },
              { [`${field}_position.partition`]: { $ne: position.partition } },
              { [`${field}_rank`]: { $lt: rank } },
            ],
          } as Document,
          update: { $set: positionSet(field, position) },
        },
      });
    }
    slow.push({
      updateOne: {
        filter: { _id: key, ...changed, outbox: {} } as Document,
        update: { $unset: { pending: "" } },
      },
    });
    clears.push({ key, fast, slow });
  }
  return clears;
};

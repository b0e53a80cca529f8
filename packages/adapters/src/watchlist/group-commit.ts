import { Effect } from "effect";
import type { AnyBulkWriteOperation, Collection, Document } from "mongodb";
import { BULK_CHUNK } from "../mongo/bulk.ts";
import { isDuplicateKeyError } from "../mongo/errors.ts";
import { StoreUnavailable } from "../store-errors.ts";
import type { EntryClear } from "./mongo-writes.ts";

/**
 * The collection's one writer: every write of this process goes through it, and at most one server
 * round trip is in flight at a time. Writes that arrive meanwhile wait and then share the next round
 * (group commit): one `insertMany` for new entries, one `bulkWrite` for changes of existing ones,
 * each carrying up to `maxBatch` writes (updates go out in ordered commands of at most `BULK_CHUNK`:
 * FerretDB deadlocks when its clients' update statements running at once reach 100, see
 * mongo/bulk.ts), then at most `CLEAR_CHUNKS_PER_ROUND` chunks of outbox clearing: clearing is
 * background work, and a long publication page must not hold up the requests waiting behind it.
 * FerretDB's SQLite
 * backend takes one write transaction at a time, so this costs no parallelism there; and since its
 * updates read, change and rewrite a document without a lock, one writer per process is also what
 * keeps a publication's clearing from overwriting a change made at the same instant.
 * A failed round fails every write in it (never acknowledged, never left hanging).
 */
export interface GroupCommitOptions {
  /** Writes per round trip. Default 500. */
  readonly maxBatch?: number;
  /**
   * Which of the given updates did land, when a round matched fewer documents than it had updates
   * (another process changed one of them; only possible with several writers of one collection).
   */
  readonly landed: (probes: ReadonlyArray<UpdateProbe>) => Promise<ReadonlySet<number>>;
}

export interface UpdateProbe {
  readonly key: string;
  /** An event id only this update adds to the outbox. */
  readonly event_id: string;
}

/** `inserted`/`updated`: durable. `exists`: the insert hit an existing `_id`. `unmatched`: the update's condition no longer held. */
export type WriteOutcome = "inserted" | "exists" | "updated" | "unmatched";

interface Pending<Item> {
  readonly item: Item;
  readonly resume: (result: Effect.Effect<WriteOutcome, StoreUnavailable>) => void;
}
interface Update {
  readonly filter: Document;
  readonly update: Document;
  readonly probe: UpdateProbe;
}

/** Chunks of outbox clearing per round, between two rounds of request writes (100 entries, as before chunks got smaller). */
const CLEAR_CHUNKS_PER_ROUND = 10;

const failure = (operation: string, cause: unknown) =>
  new StoreUnavailable({ operation, message: cause instanceof Error ? cause.message : String(cause), cause });

/** The operations in order, as consecutive ordered bulk writes of at most `BULK_CHUNK`; the documents matched. */
const bulkWriteOrderedInChunks = async (
  collection: Collection<Document>,
  operations: ReadonlyArray<AnyBulkWriteOperation>,
): Promise<number> => {
  let matched = 0;
  for (let start = 0; start < operations.length; start += BULK_CHUNK) {
    const result = await collection.bulkWrite(operations.slice(start, start + BULK_CHUNK), { ordered: true });
    matched += result.matchedCount;
  }
  return matched;
};

export const makeGroupCommit = (collection: Collection<Document>, options: GroupCommitOptions) => {
  const maxBatch = options.maxBatch ?? 500;
  let inserts: Array<Pending<Document>> = [];
  let updates: Array<Pending<Update>> = [];
  const clears: Array<Pending<ReadonlyArray<EntryClear>>> = [];
  /** How far the first queued clearing has got. */
  let clearCursor = 0;
  let running = false;

  const insertRound = async (batch: ReadonlyArray<Pending<Document>>) => {
    try {
      await collection.insertMany(
        batch.map((p) => p.item),
        { ordered: false },
      );
      for (const p of batch) p.resume(Effect.succeed("inserted"));
    } catch (cause) {
      const raw = (cause as { writeErrors?: unknown }).writeErrors;
      const writeErrors = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) as Array<{
        index: number;
        code?: number;
      }>;
      const failed = new Map(writeErrors.map((e) => [e.index, e]));
      batch.forEach((p, index) => {
        if (writeErrors.length === 0) p.resume(Effect.fail(failure("movies.insertMany", cause)));
        else if (!failed.has(index)) p.resume(Effect.succeed("inserted"));
        else if (isDuplicateKeyError(failed.get(index))) p.resume(Effect.succeed("exists"));
        else p.resume(Effect.fail(failure("movies.insertMany", cause)));
      });
    }
  };

  const updateRound = async (batch: ReadonlyArray<Pending<Update>>) => {
    try {
      const matched = await bulkWriteOrderedInChunks(
        collection,
        batch.map((p) => ({ updateOne: { filter: p.item.filter, update: p.item.update } })),
      );
      if (matched === batch.length) {
        for (const p of batch) p.resume(Effect.succeed("updated"));
        return;
      }
      const landed = await options.landed(batch.map((p) => p.item.probe));
      batch.forEach((p, index) => {
        p.resume(Effect.succeed(landed.has(index) ? "updated" : "unmatched"));
      });
    } catch (cause) {
      for (const p of batch) p.resume(Effect.fail(failure("movies.bulkWrite", cause)));
    }
  };

  /**
   * The next chunk of the first queued clearing: up to `BULK_CHUNK` entries, each at most once (so an
   * entry's writes stay in order: its `fast` write, then its `slow` ones if needed).
   */
  const nextClearChunk = ():
    | { readonly item: Pending<ReadonlyArray<EntryClear>>; readonly chunk: ReadonlyArray<EntryClear> }
    | undefined => {
    const item = clears[0];
    if (item === undefined) return undefined;
    const chunk: Array<EntryClear> = [];
    const keys = new Set<string>();
    while (
      clearCursor < item.item.length &&
      chunk.length < BULK_CHUNK &&
      !keys.has(item.item[clearCursor]!.key)
    ) {
      const clear = item.item[clearCursor]!;
      chunk.push(clear);
      keys.add(clear.key);
      clearCursor += 1;
    }
    return { item, chunk };
  };

  const finishClear = (result: Effect.Effect<WriteOutcome, StoreUnavailable>) => {
    const item = clears.shift();
    clearCursor = 0;
    item?.resume(result);
  };

  const clearRound = async () => {
    for (let n = 0; n < CLEAR_CHUNKS_PER_ROUND; n++) {
      const next = nextClearChunk();
      if (next === undefined) return;
      try {
        const fast = next.chunk.flatMap((clear) => (clear.fast === undefined ? [] : [clear.fast]));
        const matched =
          fast.length === 0 ? 0 : (await collection.bulkWrite(fast, { ordered: true })).matchedCount;
        const slow = next.chunk.flatMap((clear) =>
          matched === fast.length && clear.fast !== undefined ? [] : clear.slow,
        );
        await bulkWriteOrderedInChunks(collection, slow);
      } catch (cause) {
        finishClear(Effect.fail(failure("movies.markPublished", cause)));
        continue;
      }
      if (clearCursor >= next.item.item.length) finishClear(Effect.succeed("updated"));
    }
  };

  const drain = async () => {
    while (inserts.length + updates.length + clears.length > 0) {
      const insertBatch = inserts.slice(0, maxBatch);
      inserts = inserts.slice(insertBatch.length);
      const updateBatch = updates.slice(0, maxBatch);
      updates = updates.slice(updateBatch.length);
      if (insertBatch.length > 0) await insertRound(insertBatch);
      if (updateBatch.length > 0) await updateRound(updateBatch);
      if (clears.length > 0) await clearRound();
    }
    running = false;
  };

  const enqueue = <Item>(queue: () => Array<Pending<Item>>, item: Item) =>
    Effect.async<WriteOutcome, StoreUnavailable>((resume) => {
      queue().push({ item, resume });
      if (!running) {
        running = true;
        void drain();
      }
    });

  return {
    insert: (doc: Document) => enqueue(() => inserts, doc),
    update: (update: Update) => enqueue(() => updates, update),
    /** Operations applied in order, after this round's inserts and updates. */
    clear: (entries: ReadonlyArray<EntryClear>) =>
      entries.length === 0 ? Effect.void : enqueue(() => clears, entries).pipe(Effect.asVoid),
  };
};

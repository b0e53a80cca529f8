import { Effect } from "effect";
import type { AnyBulkWriteOperation, Collection, Document } from "mongodb";
import { BULK_CHUNK } from "../mongo/bulk.ts";
import { isDuplicateKeyError } from "../mongo/errors.ts";
import { StoreUnavailable } from "../store-errors.ts";
import type { EntryClear } from "./mongo-writes.ts";
import type { StoreWriterStats, WriteCounters } from "./WatchlistStore.ts";

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

type WriteKind = keyof StoreWriterStats;

/** Counts a kind of write's server calls and the time they took (failed ones too), and its documents. */
const makeWriteCounters = () => {
  const counters: Record<WriteKind, { round_trips: number; documents: number; seconds: number }> = {
    inserts: { round_trips: 0, documents: 0, seconds: 0 },
    updates: { round_trips: 0, documents: 0, seconds: 0 },
    clears: { round_trips: 0, documents: 0, seconds: 0 },
  };
  const measured = async <A>(kind: WriteKind, call: () => Promise<A>): Promise<A> => {
    const started = performance.now();
    try {
      return await call();
    } finally {
      counters[kind].round_trips += 1;
      counters[kind].seconds += (performance.now() - started) / 1000;
    }
  };
  const written = (kind: WriteKind, documents: number) => {
    counters[kind].documents += documents;
  };
  const stats = (): StoreWriterStats => {
    const copy = (counter: WriteCounters): WriteCounters => ({ ...counter });
    return {
      inserts: copy(counters.inserts),
      updates: copy(counters.updates),
      clears: copy(counters.clears),
    };
  };
  return { measured, written, stats };
};

export const makeGroupCommit = (collection: Collection<Document>, options: GroupCommitOptions) => {
  const maxBatch = options.maxBatch ?? 500;
  let inserts: Array<Pending<Document>> = [];
  let updates: Array<Pending<Update>> = [];
  const clears: Array<Pending<ReadonlyArray<EntryClear>>> = [];
  /** How far the first queued clearing has got. */
  let clearCursor = 0;
  let running = false;
  const { measured, written, stats } = makeWriteCounters();

  /** The operations in order, as consecutive ordered bulk writes of at most `BULK_CHUNK`; the documents matched. */
  const bulkWriteOrderedInChunks = async (
    kind: WriteKind,
    operations: ReadonlyArray<AnyBulkWriteOperation>,
  ): Promise<number> => {
    let matched = 0;
    for (let start = 0; start < operations.length; start += BULK_CHUNK) {
      const chunk = operations.slice(start, start + BULK_CHUNK);
      const result = await measured(kind, () => collection.bulkWrite(chunk, { ordered: true }));
      matched += result.matchedCount;
    }
    return matched;
  };

  const insertRound = async (batch: ReadonlyArray<Pending<Document>>) => {
    try {
      written("inserts", batch.length);
      await measured("inserts", () =>
        collection.insertMany(
          batch.map((p) => p.item),
          { ordered: false },
        ),
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
      written("updates", batch.length);
      const matched = await bulkWriteOrderedInChunks(
        "updates",
        batch.map((p) => ({ updateOne: { filter: p.item.filter, update: p.item.update } })),
      );
      if (matched === batch.length) {
        for (const p of batch) p.resume(Effect.succeed("updated"));
        return;
      }
      const landed = await measured("updates", () => options.landed(batch.map((p) => p.item.probe)));
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
        written("clears", next.chunk.length);
        const matched =
          fast.length === 0
            ? 0
            : (await measured("clears", () => collection.bulkWrite(fast, { ordered: true }))).matchedCount;
        const slow = next.chunk.flatMap((clear) =>
          matched === fast.length && clear.fast !== undefined ? [] : clear.slow,
        );
        await bulkWriteOrderedInChunks("clears", slow);
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
    /** What the writer's server calls have cost so far. */
    stats,
    insert: (doc: Document) => enqueue(() => inserts, doc),
    update: (update: Update) => enqueue(() => updates, update),
    /** Operations applied in order, after this round's inserts and updates. */
    clear: (entries: ReadonlyArray<EntryClear>) =>
      entries.length === 0 ? Effect.void : enqueue(() => clears, entries).pipe(Effect.asVoid),
  };
};

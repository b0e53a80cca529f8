import { randomUUID } from "node:crypto";
import { EventLog } from "@cinematch/adapters";
import { EventLogKafka } from "@cinematch/adapters/kafka";
import { Effect, Fiber } from "effect";

/**
 * Reads the bench's topic from the beginning while the phases run, so each drain can check that the
 * topic holds exactly the accepted changes (every event id once) and how long each event took from
 * its `occurred_at` (stamped just before its store write) to the broker's record timestamp.
 */
export interface TopicWatch {
  /** Records read so far, distinct event ids among them, and ids seen more than once. */
  readonly counts: () => { readonly records: number; readonly distinct: number; readonly duplicates: number };
  /** Milliseconds from `occurred_at` to the record's timestamp, for events that occurred in [from, to). */
  readonly delays: (from: number, to: number) => ReadonlyArray<number>;
  /** Records on the topic now (sum of the partitions' end offsets; the topic is the run's own). */
  readonly onTopic: () => Promise<number>;
  /** Resolves once `records` have been read, or rejects after `timeoutMs`. */
  readonly caughtUp: (records: number, timeoutMs: number) => Promise<void>;
  readonly close: () => Promise<void>;
}

export const startTopicWatch = async (brokers: string, topic: string): Promise<TopicWatch> => {
  const seen = new Map<string, number>();
  const timings: Array<{ readonly occurred: number; readonly delay: number }> = [];
  let records = 0;
  let duplicates = 0;
  const layer = EventLogKafka({ brokers: brokers.split(","), clientId: `bench-watch-${randomUUID()}` });

  const fiber = Effect.runFork(
    Effect.gen(function* () {
      const log = yield* EventLog;
      yield* log.consume({
        groupId: `bench-watch-${randomUUID()}`,
        topic,
        fromBeginning: true,
        handleBatch: (batch) =>
          Effect.sync(() => {
            for (const record of batch.records) {
              records += 1;
              const id = record.headers.event_id ?? "";
              const count = (seen.get(id) ?? 0) + 1;
              seen.set(id, count);
              if (count === 2) duplicates += 1;
              const occurredRaw = (JSON.parse(record.value) as { occurred_at?: unknown }).occurred_at;
              const occurred =
                typeof occurredRaw === "string" ? Date.parse(occurredRaw) : Number(occurredRaw);
              timings.push({ occurred, delay: record.timestamp - occurred });
            }
          }),
      });
      return yield* Effect.never;
    }).pipe(Effect.scoped, Effect.provide(layer)),
  );

  const onTopic = () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const ends = yield* (yield* EventLog).endOffsets(topic);
        return ends.reduce((sum, end) => sum + Number(end.offset), 0);
      }).pipe(Effect.provide(layer)),
    );

  return {
    counts: () => ({ records, distinct: seen.size, duplicates }),
    delays: (from, to) => timings.filter((t) => t.occurred >= from && t.occurred < to).map((t) => t.delay),
    onTopic,
    caughtUp: async (target, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (records < target) {
        if (Date.now() > deadline)
          throw new Error(`read ${records} of ${target} records within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    close: () => Effect.runPromise(Fiber.interrupt(fiber)).then(() => undefined),
  };
};

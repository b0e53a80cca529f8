import {
  Cause,
  Clock,
  Context,
  Duration,
  Effect,
  Exit,
  Layer,
  type Scope,
  Stream,
  SubscriptionRef,
} from "effect";
import {
  type ConsumeOptions,
  EventLog,
  EventLogError,
  type EventLogService,
  type LogPosition,
  type LogRecord,
  type OutgoingMessage,
  type PartitionBatch,
} from "./EventLog.ts";
import { partitionForKey } from "./partitioner.ts";

/**
 * An in-process event log that behaves like the Kafka layer in everything the contract suite checks:
 * partitions chosen by the same key hash, offsets as decimal text from "0", consumer groups with
 * committed offsets, commit only after the handler succeeded, redelivery after a failure (with a
 * backoff) or after a consumer's scope closed mid-batch, and partitions shared among a group's members.
 *
 * Differences from Kafka, on purpose: a batch is at most `maxBatchSize` records (Kafka sizes batches
 * in bytes); assignment is `partition % members` in join order, recomputed on every join and leave;
 * a member never starts a partition another member is still processing, which is what Kafka's
 * rebalance protocol guarantees too. A group with no committed offset that joins with
 * `fromBeginning: false` starts at the end of each partition as of its join.
 */
export interface MemoryEventLogOptions {
  /** Largest batch handed to a handler. Default 100. */
  readonly maxBatchSize?: number;
  /** First backoff after a handler failure, doubled per consecutive failure. Default 20 ms. */
  readonly retryBackoffMs?: number;
  /** Backoff cap. Default 1000 ms. */
  readonly maxRetryBackoffMs?: number;
  /** Start with the simulated broker down (every call fails with `EventLogError`). Default false. */
  readonly startDown?: boolean;
}

/** Test controls of the in-memory event log. */
export interface EventLogMemoryControlService {
  /**
   * Simulates the broker going away (`true`) or coming back. While down, every call fails at once
   * with `EventLogError` and running consumers stop receiving batches until it is back.
   */
  readonly setBrokerDown: (down: boolean) => Effect.Effect<void>;
  /** Every record of the topic, partition by partition, in offset order (empty for an unknown topic). */
  readonly records: (topic: string) => Effect.Effect<ReadonlyArray<LogRecord>>;
}

export class EventLogMemoryControl extends Context.Tag("@cinematch/adapters/EventLogMemoryControl")<
  EventLogMemoryControl,
  EventLogMemoryControlService
>() {}

interface Member {
  readonly id: number;
  /** Start positions for partitions without a committed offset (`fromBeginning: false`). */
  readonly resetPositions: Map<number, bigint>;
}

interface GroupState {
  readonly committed: Map<number, bigint>;
  /** In join order; assignment is `partition % members.length`. */
  readonly members: Array<Member>;
  /** Partition → member currently running a batch of it. */
  readonly inFlight: Map<number, number>;
}

const groupKey = (groupId: string, topic: string) => `${groupId}\u0000${topic}`;

export const makeEventLogMemory = (options: MemoryEventLogOptions = {}) =>
  Effect.gen(function* () {
    const maxBatchSize = options.maxBatchSize ?? 100;
    const baseBackoff = options.retryBackoffMs ?? 20;
    const maxBackoff = options.maxRetryBackoffMs ?? 1000;
    const topics = new Map<string, Array<Array<LogRecord>>>();
    const groups = new Map<string, GroupState>();
    let down = options.startDown ?? false;
    let nextMemberId = 1;

    // Bumped on every change a waiting consumer could care about (append, join, leave, commit,
    // broker up/down); consumers wait for it to move instead of polling.
    const version = yield* SubscriptionRef.make(0);
    const bump = SubscriptionRef.update(version, (n) => n + 1);
    const waitForChange = (seen: number) =>
      version.changes.pipe(
        Stream.filter((n) => n !== seen),
        Stream.take(1),
        Stream.runDrain,
      );

    const fail = (operation: string, message: string) =>
      Effect.fail(new EventLogError({ operation, message }));
    const whenUp = <A, R = never>(operation: string, body: () => Effect.Effect<A, EventLogError, R>) =>
      Effect.suspend(() =>
        down ? fail(operation, "broker unavailable (simulated by EventLogMemoryControl)") : body(),
      );
    const withTopic = <A, R = never>(
      operation: string,
      topic: string,
      body: (partitions: Array<Array<LogRecord>>) => Effect.Effect<A, EventLogError, R>,
    ) =>
      whenUp<A, R>(operation, () => {
        const partitions = topics.get(topic);
        return partitions === undefined
          ? fail(operation, `unknown topic ${topic} (create it with ensureTopic first)`)
          : body(partitions);
      });

    const ensureTopic = (topic: string, partitions: number) =>
      whenUp("ensureTopic", () => {
        if (!Number.isInteger(partitions) || partitions < 1) {
          return fail("ensureTopic", `partition count must be a positive integer, got ${partitions}`);
        }
        const existing = topics.get(topic);
        if (existing !== undefined) {
          return existing.length === partitions
            ? Effect.void
            : fail(
                "ensureTopic",
                `topic ${topic} exists with ${existing.length} partitions, not ${partitions}`,
              );
        }
        topics.set(
          topic,
          Array.from({ length: partitions }, () => []),
        );
        return Effect.void;
      });

    const publish = (topic: string, messages: ReadonlyArray<OutgoingMessage>) =>
      withTopic("publish", topic, (partitions) =>
        Effect.gen(function* () {
          const timestamp = yield* Clock.currentTimeMillis;
          const positions = messages.map((message): LogPosition => {
            const partition = partitionForKey(message.key, partitions.length);
            const log = partitions[partition]!;
            const offset = String(log.length);
            log.push({
              topic,
              partition,
              offset,
              key: message.key,
              value: message.value,
              timestamp,
              headers: { ...message.headers },
            });
            return { partition, offset };
          });
          if (positions.length > 0) yield* bump;
          return positions;
        }),
      );

    const endOffsets = (topic: string) =>
      withTopic("endOffsets", topic, (partitions) =>
        Effect.succeed(partitions.map((log, partition) => ({ partition, offset: String(log.length) }))),
      );

    const committedOffsets = (groupId: string, topic: string) =>
      whenUp("committedOffsets", () => {
        const group = groups.get(groupKey(groupId, topic));
        const entries = group === undefined ? [] : [...group.committed.entries()];
        return Effect.succeed(
          entries
            .sort(([a], [b]) => a - b)
            .map(([partition, offset]) => ({ partition, offset: offset.toString() })),
        );
      });

    const consume = <E, R>(
      consumeOptions: ConsumeOptions<E, R>,
    ): Effect.Effect<void, EventLogError, R | Scope.Scope> =>
      withTopic<void, R | Scope.Scope>("consume", consumeOptions.topic, (partitions) =>
        Effect.gen(function* () {
          const { groupId, topic, handleBatch } = consumeOptions;
          const key = groupKey(groupId, topic);
          let group = groups.get(key);
          if (group === undefined) {
            group = { committed: new Map(), members: [], inFlight: new Map() };
            groups.set(key, group);
          }
          const theGroup = group;
          const member: Member = { id: nextMemberId++, resetPositions: new Map() };
          if (consumeOptions.fromBeginning === false) {
            partitions.forEach((log, partition) => {
              if (!theGroup.committed.has(partition))
                member.resetPositions.set(partition, BigInt(log.length));
            });
          }

          const release = (partition: number) =>
            Effect.suspend(() => {
              if (theGroup.inFlight.get(partition) === member.id) theGroup.inFlight.delete(partition);
              return bump;
            });

          // Leave after the loop below has been interrupted (finalizers run in reverse order).
          yield* Effect.addFinalizer(() =>
            Effect.suspend(() => {
              const index = theGroup.members.indexOf(member);
              if (index >= 0) theGroup.members.splice(index, 1);
              for (const [partition, owner] of theGroup.inFlight) {
                if (owner === member.id) theGroup.inFlight.delete(partition);
              }
              return bump;
            }),
          );
          theGroup.members.push(member);
          yield* bump;

          let cursor = -1;
          const failures = new Map<number, number>();

          /** The next batch this member may run, marking its partition in flight; undefined if none. */
          const pick = (): PartitionBatch | undefined => {
            if (down) return undefined;
            const index = theGroup.members.indexOf(member);
            const count = theGroup.members.length;
            if (index < 0) return undefined;
            for (let step = 1; step <= partitions.length; step++) {
              const partition = (cursor + step) % partitions.length;
              if (partition % count !== index || theGroup.inFlight.has(partition)) continue;
              const log = partitions[partition]!;
              const position =
                theGroup.committed.get(partition) ?? member.resetPositions.get(partition) ?? 0n;
              if (position >= BigInt(log.length)) continue;
              const start = Number(position);
              cursor = partition;
              theGroup.inFlight.set(partition, member.id);
              return { topic, partition, records: log.slice(start, start + maxBatchSize) };
            }
            return undefined;
          };

          const run = (batch: PartitionBatch) =>
            Effect.uninterruptibleMask((restore) =>
              Effect.gen(function* () {
                const exit = yield* Effect.exit(restore(handleBatch(batch)));
                if (Exit.isSuccess(exit)) {
                  const last = batch.records[batch.records.length - 1]!;
                  theGroup.committed.set(batch.partition, BigInt(last.offset) + 1n);
                  failures.delete(batch.partition);
                  yield* release(batch.partition);
                  return;
                }
                yield* release(batch.partition);
                if (Cause.isInterruptedOnly(exit.cause)) {
                  // The consumer is closing (or the handler interrupted itself): nothing committed.
                  yield* restore(Effect.sleep(Duration.millis(baseBackoff)));
                  return;
                }
                const attempt = (failures.get(batch.partition) ?? 0) + 1;
                failures.set(batch.partition, attempt);
                const backoff = Math.min(maxBackoff, baseBackoff * 2 ** (attempt - 1));
                yield* Effect.logWarning(
                  "event-log handler failed; the batch stays uncommitted and is delivered again",
                  exit.cause,
                ).pipe(
                  Effect.annotateLogs({
                    topic,
                    groupId,
                    partition: batch.partition,
                    firstOffset: batch.records[0]?.offset,
                    attempt,
                    backoffMs: backoff,
                  }),
                );
                yield* restore(Effect.sleep(Duration.millis(backoff)));
              }),
            );

          const loop = Effect.gen(function* () {
            while (true) {
              const seen = yield* SubscriptionRef.get(version);
              const batch = pick();
              if (batch === undefined) {
                yield* waitForChange(seen);
              } else {
                yield* run(batch);
              }
            }
          });

          yield* Effect.forkScoped(loop);
        }),
      );

    const service: EventLogService = {
      ensureTopic,
      publish,
      endOffsets,
      committedOffsets,
      consume,
      ping: whenUp("ping", () => Effect.void),
    };

    const control: EventLogMemoryControlService = {
      setBrokerDown: (value) =>
        Effect.suspend(() => {
          down = value;
          return bump;
        }),
      records: (topic) => Effect.sync(() => (topics.get(topic) ?? []).flat()),
    };

    return { service, control };
  });

/** The in-memory event log plus its test controls (`EventLogMemoryControl`). */
export const EventLogMemory = (
  options: MemoryEventLogOptions = {},
): Layer.Layer<EventLog | EventLogMemoryControl> =>
  Layer.effectContext(
    Effect.map(makeEventLogMemory(options), ({ service, control }) =>
      Context.make(EventLog, service).pipe(Context.add(EventLogMemoryControl, control)),
    ),
  );

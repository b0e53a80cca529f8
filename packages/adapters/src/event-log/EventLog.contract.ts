import { compareOffsets, jsonDecoderFor } from "@cinematch/domain";
import { Clock, Deferred, Duration, Effect, Exit, type Layer, ManagedRuntime, Schema, Scope } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consumeDecoded, DeadLetterHeaders, type DecodedBatch, deadLetterTopic } from "./dead-letter.ts";
import {
  EventLog,
  type EventLogError,
  type LogPosition,
  type LogRecord,
  type OutgoingMessage,
  type PartitionBatch,
} from "./EventLog.ts";
import { partitionForKey } from "./partitioner.ts";
import { eventually, uniqueName } from "../test-support.ts";

export interface EventLogContractOptions {
  /** The layer under test; built once for the whole suite (topics and groups are unique per test). */
  readonly layer: () => Layer.Layer<EventLog, unknown>;
  /** The same adapter with its broker unreachable (a closed port; the memory layer's `startDown`). */
  readonly unreachable: () => Layer.Layer<EventLog, unknown>;
  /** Prefix of topic and group names. Default "contract". */
  readonly namePrefix?: string;
  /** How long polled conditions may take. Default 30 000 ms. */
  readonly eventuallyMs?: number;
  /** The bound within which a call to an unreachable broker must fail. Default 15 000 ms. */
  readonly unreachableBoundMs?: number;
  /** Per-test timeout. Default 90 000 ms. */
  readonly testTimeoutMs?: number;
}

/** Keys whose messages land in each of `partitions` partitions, `perPartition` keys per partition. */
export const keysCoveringPartitions = (
  partitions: number,
  perPartition: number,
  prefix = "user",
): string[] => {
  const buckets: string[][] = Array.from({ length: partitions }, () => []);
  for (let i = 0; buckets.some((bucket) => bucket.length < perPartition); i++) {
    const key = `${prefix}-${i}`;
    const bucket = buckets[partitionForKey(key, partitions)]!;
    if (bucket.length < perPartition) bucket.push(key);
  }
  return buckets.flat();
};

const positionKey = (position: LogPosition) => `${position.partition}@${position.offset}`;

/**
 * The behaviour every EventLog adapter must have, in the style of Effect's `KeyValueStore` tests:
 * call it from a test file with the adapter's layers. The unit tier runs it on the in-memory layer,
 * the integration tier on Kafka.
 */
export const eventLogContract = (name: string, options: EventLogContractOptions) =>
  describe(`${name}: the EventLog contract`, () => {
    const prefix = options.namePrefix ?? "contract";
    const waitMs = options.eventuallyMs ?? 30_000;
    const boundMs = options.unreachableBoundMs ?? 15_000;
    const testTimeout = options.testTimeoutMs ?? 90_000;
    const within = <A, E, R>(check: Effect.Effect<A, E, R>) => eventually(check, { timeoutMs: waitMs });
    const fresh = (what: string) => uniqueName(`${prefix}-${what}`);

    let runtime: ManagedRuntime.ManagedRuntime<EventLog, unknown>;
    beforeAll(() => {
      runtime = ManagedRuntime.make(options.layer());
    });
    afterAll(() => runtime.dispose());

    const run = <A, E>(effect: Effect.Effect<A, E, EventLog | Scope.Scope>) =>
      runtime.runPromise(Effect.scoped(effect));
    const test = (title: string, body: () => Effect.Effect<void, unknown, EventLog | Scope.Scope>) =>
      it(title, () => run(body()), testTimeout);

    /** Starts a consumer that records every batch it handles, inside its own closable scope. */
    const startRecorder = (
      groupId: string,
      topic: string,
      handle: (batch: PartitionBatch) => Effect.Effect<void, string> = () => Effect.void,
    ) =>
      Effect.gen(function* () {
        const log = yield* EventLog;
        const scope = yield* Scope.make();
        const handled: Array<PartitionBatch> = [];
        yield* log
          .consume({
            groupId,
            topic,
            handleBatch: (batch) =>
              handle(batch).pipe(Effect.tap(() => Effect.sync(() => handled.push(batch)))),
          })
          .pipe(
            Scope.extend(scope),
            Effect.tapError(() => Scope.close(scope, Exit.void)),
          );
        const records = () => handled.flatMap((batch) => batch.records);
        return { groupId, scope, handled, records, stop: Scope.close(scope, Exit.void) };
      });

    const messagesFor = (keys: ReadonlyArray<string>, rounds: number, tag: string): OutgoingMessage[] =>
      Array.from({ length: rounds }, (_, round) =>
        keys.map((key) => ({ key, value: `${key}:${tag}:${round}`, headers: { round: String(round) } })),
      ).flat();

    describe("a new topic", () => {
      test("given a topic, when it is ensured again with the same partition count, then nothing changes", () =>
        Effect.gen(function* () {
          const log = yield* EventLog;
          const topic = fresh("ensure");
          yield* log.ensureTopic(topic, 3);
          yield* log.ensureTopic(topic, 3);
          expect(yield* log.endOffsets(topic)).toEqual([
            { partition: 0, offset: "0" },
            { partition: 1, offset: "0" },
            { partition: 2, offset: "0" },
          ]);
        }));

      test("given a topic, when it is ensured with another partition count, then that fails with EventLogError", () =>
        Effect.gen(function* () {
          const log = yield* EventLog;
          const topic = fresh("mismatch");
          yield* log.ensureTopic(topic, 2);
          const error = yield* Effect.flip(log.ensureTopic(topic, 3));
          expect(error._tag).toBe("EventLogError");
          expect(error.message).toMatch(/2 partitions/);
        }));

      test("given no such topic, when publishing to it, then that fails with EventLogError", () =>
        Effect.gen(function* () {
          const log = yield* EventLog;
          const error = yield* Effect.flip(log.publish(fresh("missing"), [{ key: "k", value: "v" }]));
          expect(error._tag).toBe("EventLogError");
        }));

      test("given no such topic, when consuming it, then that fails with EventLogError", () =>
        Effect.gen(function* () {
          const log = yield* EventLog;
          const error = yield* Effect.flip(
            log.consume({ groupId: fresh("group"), topic: fresh("missing"), handleBatch: () => Effect.void }),
          );
          expect(error._tag).toBe("EventLogError");
        }));

      test("given a topic, when nothing is published, then the group has nothing committed", () =>
        Effect.gen(function* () {
          const log = yield* EventLog;
          const topic = fresh("nocommit");
          yield* log.ensureTopic(topic, 2);
          expect(yield* log.committedOffsets(fresh("group"), topic)).toEqual([]);
        }));
    });

    describe("a topic with published messages", () => {
      test("when a group consumes it, then each key's messages arrive in publish order in one partition, exactly where publish said", () =>
        Effect.gen(function* () {
          const log = yield* EventLog;
          const topic = fresh("order");
          const partitions = 3;
          yield* log.ensureTopic(topic, partitions);
          const keys = keysCoveringPartitions(partitions, 2);
          const first = messagesFor(keys, 3, "a");
          const second = messagesFor(keys, 2, "b");
          const before = yield* Clock.currentTimeMillis;
          const positions = [...(yield* log.publish(topic, first)), ...(yield* log.publish(topic, second))];
          const after = yield* Clock.currentTimeMillis;
          const published = [...first, ...second];
          expect(positions).toHaveLength(published.length);

          const recorder = yield* startRecorder(fresh("group"), topic);
          const records = yield* within(
            Effect.sync(() => {
              const seen = recorder.records();
              expect(seen.length).toBeGreaterThanOrEqual(published.length);
              return seen;
            }),
          );
          expect(records).toHaveLength(published.length);

          // Every message is exactly where publish said it landed.
          const byPosition = new Map<string, LogRecord>(records.map((r) => [positionKey(r), r]));
          published.forEach((message, i) => {
            const position = positions[i]!;
            expect(position.partition).toBe(partitionForKey(message.key, partitions));
            const record = byPosition.get(positionKey(position));
            expect(record, `message ${i} at ${positionKey(position)}`).toBeDefined();
            expect(record).toMatchObject({
              topic,
              key: message.key,
              value: message.value,
              headers: message.headers,
            });
            // Append time: taken while publish ran (same machine, same clock; 1 s of slack).
            expect(record!.timestamp).toBeGreaterThanOrEqual(before - 1_000);
            expect(record!.timestamp).toBeLessThanOrEqual(after + 1_000);
          });

          // Each partition's offsets run 0, 1, 2, ... in delivery order; each key stays in publish order.
          for (let partition = 0; partition < partitions; partition++) {
            const offsets = records.filter((r) => r.partition === partition).map((r) => r.offset);
            expect(offsets).toEqual(offsets.map((_, i) => String(i)));
          }
          for (const key of keys) {
            expect(records.filter((r) => r.key === key).map((r) => r.value)).toEqual(
              published.filter((m) => m.key === key).map((m) => m.value),
            );
          }

          // The log's end and the group's commits both reach the last offset + 1.
          const counts = Array.from({ length: partitions }, (_, p) => ({
            partition: p,
            offset: String(records.filter((r) => r.partition === p).length),
          }));
          expect(yield* log.endOffsets(topic)).toEqual(counts);
          yield* within(
            Effect.gen(function* () {
              expect(yield* log.committedOffsets(recorder.groupId, topic)).toEqual(counts);
            }),
          );
          yield* recorder.stop;
        }));
    });

    describe("a consumer that stops before committing", () => {
      test("given a handler that never finishes, when the consumer's scope closes, then the next consumer of the group gets the same batch", () =>
        Effect.gen(function* () {
          const log = yield* EventLog;
          const topic = fresh("killed");
          const groupId = fresh("group");
          yield* log.ensureTopic(topic, 1);
          yield* log.publish(topic, messagesFor(["u1"], 3, "x"));

          const started = yield* Deferred.make<PartitionBatch>();
          const stuck = yield* startRecorder(groupId, topic, (batch) =>
            Deferred.succeed(started, batch).pipe(Effect.zipRight(Effect.never)),
          );
          const abandoned = yield* Deferred.await(started).pipe(
            Effect.timeoutFail({
              duration: Duration.millis(waitMs),
              onTimeout: () => "no batch was delivered",
            }),
          );
          expect(abandoned.records[0]?.offset).toBe("0");
          yield* stuck.stop;
          expect(yield* log.committedOffsets(groupId, topic)).toEqual([]);

          const next = yield* startRecorder(groupId, topic);
          const records = yield* within(
            Effect.sync(() => {
              expect(next.records().map((r) => r.value)).toEqual(["u1:x:0", "u1:x:1", "u1:x:2"]);
              return next.records();
            }),
          );
          expect(records[0]?.offset).toBe("0");
          yield* next.stop;
        }));
    });

    describe("a group that committed", () => {
      test("given everything handled and committed, when a new consumer of the group starts and more is published, then it gets only the new messages", () =>
        Effect.gen(function* () {
          const log = yield* EventLog;
          const topic = fresh("resume");
          const groupId = fresh("group");
          yield* log.ensureTopic(topic, 2);
          const keys = keysCoveringPartitions(2, 1);
          yield* log.publish(topic, messagesFor(keys, 3, "old"));

          const first = yield* startRecorder(groupId, topic);
          yield* within(
            Effect.gen(function* () {
              expect(first.records()).toHaveLength(6);
              expect(yield* log.committedOffsets(groupId, topic)).toEqual([
                { partition: 0, offset: "3" },
                { partition: 1, offset: "3" },
              ]);
            }),
          );
          yield* first.stop;

          const second = yield* startRecorder(groupId, topic);
          const fresher = messagesFor(keys, 2, "new");
          yield* log.publish(topic, fresher);
          yield* within(Effect.sync(() => expect(second.records()).toHaveLength(fresher.length)));
          expect(second.records().every((r) => r.value.includes(":new:"))).toBe(true);
          expect(second.records().every((r) => compareOffsets(r.offset, "3") >= 0)).toBe(true);
          yield* second.stop;
        }));
    });

    describe("a failing handler", () => {
      test("given a handler that fails twice on its first batch, when consuming, then the batch comes again and every offset is handled once, in order, without gaps", () =>
        Effect.gen(function* () {
          const log = yield* EventLog;
          const topic = fresh("retry");
          const groupId = fresh("group");
          yield* log.ensureTopic(topic, 1);
          yield* log.publish(topic, messagesFor(["u1"], 5, "r"));

          let failuresLeft = 2;
          const attempts: Array<string> = [];
          const recorder = yield* startRecorder(groupId, topic, (batch) =>
            Effect.suspend(() => {
              attempts.push(batch.records[0]!.offset);
              if (failuresLeft > 0) {
                failuresLeft--;
                return Effect.fail("simulated handler failure");
              }
              return Effect.void;
            }),
          );
          yield* within(Effect.sync(() => expect(recorder.records()).toHaveLength(5)));
          expect(attempts.slice(0, 3)).toEqual(["0", "0", "0"]);
          expect(recorder.records().map((r) => r.offset)).toEqual(["0", "1", "2", "3", "4"]);
          yield* within(
            Effect.gen(function* () {
              expect(yield* log.committedOffsets(groupId, topic)).toEqual([{ partition: 0, offset: "5" }]);
            }),
          );
          yield* recorder.stop;
        }));
    });

    describe("a group with two consumers", () => {
      test("given two consumers in one group, when messages on every partition are published, then they split the partitions and together see each message exactly once", () =>
        Effect.gen(function* () {
          const log = yield* EventLog;
          const topic = fresh("split");
          const groupId = fresh("group");
          const partitions = 4;
          yield* log.ensureTopic(topic, partitions);
          const a = yield* startRecorder(groupId, topic);
          const b = yield* startRecorder(groupId, topic);

          const messages = messagesFor(keysCoveringPartitions(partitions, 2), 3, "s");
          yield* log.publish(topic, messages);
          yield* within(
            Effect.sync(() =>
              expect(a.records().length + b.records().length).toBeGreaterThanOrEqual(messages.length),
            ),
          );
          const all = [...a.records(), ...b.records()];
          expect(all).toHaveLength(messages.length);
          expect(new Set(all.map(positionKey)).size).toBe(messages.length);
          expect(new Set(all.map((r) => r.value))).toEqual(new Set(messages.map((m) => m.value)));
          const partitionsOf = (records: ReadonlyArray<LogRecord>) =>
            new Set(records.map((r) => r.partition));
          expect(partitionsOf(a.records()).size).toBeGreaterThan(0);
          expect(partitionsOf(b.records()).size).toBeGreaterThan(0);
          for (const p of partitionsOf(a.records())) expect(partitionsOf(b.records()).has(p)).toBe(false);
          yield* a.stop;
          yield* b.stop;
        }));

      test("given two consumers in one group, when one leaves, then the other takes over its partitions and gets what is published next", () =>
        Effect.gen(function* () {
          const log = yield* EventLog;
          const topic = fresh("leave");
          const groupId = fresh("group");
          const partitions = 2;
          yield* log.ensureTopic(topic, partitions);
          const keys = keysCoveringPartitions(partitions, 1);
          const a = yield* startRecorder(groupId, topic);
          const b = yield* startRecorder(groupId, topic);
          yield* log.publish(topic, messagesFor(keys, 1, "before"));
          yield* within(Effect.sync(() => expect(a.records().length + b.records().length).toBe(2)));
          yield* a.stop;

          const later = messagesFor(keys, 2, "after");
          yield* log.publish(topic, later);
          yield* within(
            Effect.sync(() =>
              expect(
                b
                  .records()
                  .filter((r) => r.value.includes(":after:"))
                  .map((r) => r.value)
                  .sort(),
              ).toEqual(later.map((m) => m.value).sort()),
            ),
          );
          expect(new Set(b.records().map((r) => r.partition)).size).toBe(partitions);
          yield* b.stop;
        }));
    });

    describe("a poison message", () => {
      const Payload = Schema.Struct({ n: Schema.Number });
      const decode = jsonDecoderFor(Payload, "contract payload");

      test("given a record that does not decode between good ones, when consumed with consumeDecoded, then it lands in the dead-letter topic with its reason and origin and the stream goes on", () =>
        Effect.gen(function* () {
          const log = yield* EventLog;
          const topic = fresh("poison");
          yield* log.ensureTopic(topic, 1);
          const positions = yield* log.publish(topic, [
            { key: "u1", value: JSON.stringify({ n: 1 }) },
            { key: "u1", value: JSON.stringify({ n: "two" }), headers: { trace: "t-2" } },
            { key: "u1", value: JSON.stringify({ n: 3 }) },
          ]);

          const batches: Array<DecodedBatch<typeof Payload.Type>> = [];
          const scope = yield* Scope.make();
          yield* consumeDecoded({
            log,
            groupId: fresh("group"),
            topic,
            decode,
            handleBatch: (batch) => Effect.sync(() => batches.push(batch)),
          }).pipe(Scope.extend(scope));
          yield* within(
            Effect.sync(() =>
              expect(batches.flatMap((b) => b.records.map((r) => r.value.n))).toEqual([1, 3]),
            ),
          );
          expect(batches.at(-1)?.lastOffset).toBe("2");
          expect(batches.reduce((sum, b) => sum + b.deadLettered, 0)).toBe(1);

          const dead = yield* startRecorder(fresh("dlq-reader"), deadLetterTopic(topic));
          const letter = yield* within(
            Effect.sync(() => {
              expect(dead.records()).toHaveLength(1);
              return dead.records()[0]!;
            }),
          );
          expect(letter.value).toBe(JSON.stringify({ n: "two" }));
          expect(letter.headers[DeadLetterHeaders.reason]).toMatch(
            /^invalid contract payload: n: Expected number/,
          );
          expect(letter.headers[DeadLetterHeaders.originTopic]).toBe(topic);
          expect(letter.headers[DeadLetterHeaders.originPartition]).toBe(String(positions[1]!.partition));
          expect(letter.headers[DeadLetterHeaders.originOffset]).toBe(positions[1]!.offset);
          expect(letter.headers.trace).toBe("t-2");
          yield* dead.stop;
          yield* Scope.close(scope, Exit.void);
        }));
    });

    describe("a broker that is down", () => {
      let down: ManagedRuntime.ManagedRuntime<EventLog, unknown>;
      beforeAll(() => {
        down = ManagedRuntime.make(options.unreachable());
      });
      afterAll(() => down.dispose());

      const failsInBound = (
        operation: string,
        call: (log: EventLog["Type"]) => Effect.Effect<unknown, EventLogError, Scope.Scope>,
      ) =>
        it(
          `when ${operation} is called, then it fails with EventLogError within ${boundMs} ms`,
          () =>
            down.runPromise(
              Effect.scoped(
                Effect.gen(function* () {
                  const log = yield* EventLog;
                  const error = yield* call(log).pipe(
                    Effect.flip,
                    Effect.timeoutFail({
                      duration: Duration.millis(boundMs),
                      onTimeout: () => new Error(`${operation} did not fail within ${boundMs} ms: a hang`),
                    }),
                  );
                  expect(error._tag).toBe("EventLogError");
                }),
              ),
            ),
          testTimeout,
        );

      failsInBound("ping", (log) => log.ping);
      failsInBound("ensureTopic", (log) => log.ensureTopic(fresh("down"), 1));
      failsInBound("publish", (log) => log.publish(fresh("down"), [{ key: "k", value: "v" }]));
      failsInBound("endOffsets", (log) => log.endOffsets(fresh("down")));
      failsInBound("committedOffsets", (log) => log.committedOffsets(fresh("group"), fresh("down")));
      failsInBound("consume", (log) =>
        log.consume({ groupId: fresh("group"), topic: fresh("down"), handleBatch: () => Effect.void }),
      );
    });
  });

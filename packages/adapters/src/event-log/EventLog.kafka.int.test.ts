import { Duration, Effect, Exit, Scope } from "effect";
import { describe, expect, it } from "vitest";
import { EventLog } from "./EventLog.ts";
import { eventLogContract } from "./EventLog.contract.ts";
import { EventLogKafka } from "./kafka.ts";
import { eventually, requireEnv, uniqueName } from "../test-support.ts";

const brokers = requireEnv("KAFKA_BOOTSTRAP_SERVERS").split(",");

eventLogContract("Kafka (kafkajs)", {
  layer: () => EventLogKafka({ brokers, clientId: "cinematch-int-event-log" }),
  // Nothing listens on port 1 of the loopback: connections are refused at once.
  unreachable: () =>
    EventLogKafka({
      brokers: ["127.0.0.1:1"],
      clientId: "cinematch-int-unreachable",
      operationTimeoutMs: 10_000,
    }),
  namePrefix: "int-event-log",
  unreachableBoundMs: 12_000,
});

describe("Kafka (kafkajs): a batch that takes longer than the session timeout", () => {
  it(
    "given a handler slower than the session timeout, when it finishes, then the member was kept alive by heartbeats and the batch is committed once",
    () =>
      Effect.gen(function* () {
        const log = yield* EventLog;
        const topic = uniqueName("int-event-log-slow");
        const groupId = uniqueName("int-event-log-group");
        yield* log.ensureTopic(topic, 1);
        yield* log.publish(topic, [
          { key: "u1", value: "1" },
          { key: "u1", value: "2" },
        ]);
        const calls: string[] = [];
        const scope = yield* Scope.make();
        yield* log
          .consume({
            groupId,
            topic,
            handleBatch: (batch) =>
              Effect.sync(() => calls.push(...batch.records.map((r) => r.offset))).pipe(
                // Longer than the 6 s session timeout: without heartbeats the coordinator would drop
                // the member, the commit would fail and the batch would come again.
                Effect.zipRight(Effect.sleep(Duration.seconds(9))),
              ),
          })
          .pipe(Scope.extend(scope));
        yield* eventually(
          Effect.gen(function* () {
            expect(yield* log.committedOffsets(groupId, topic)).toEqual([{ partition: 0, offset: "2" }]);
          }),
          { timeoutMs: 40_000, intervalMs: 200 },
        );
        expect(calls).toEqual(["0", "1"]);
        yield* Scope.close(scope, Exit.void);
      }).pipe(
        Effect.scoped,
        Effect.provide(
          EventLogKafka({
            brokers,
            clientId: "cinematch-int-slow",
            sessionTimeoutMs: 6_000,
            heartbeatIntervalMs: 500,
          }),
        ),
        Effect.runPromise,
      ),
    60_000,
  );
});

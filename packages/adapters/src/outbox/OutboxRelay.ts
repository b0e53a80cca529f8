import { Duration, Effect, Layer } from "effect";
import { OutboxPublisher } from "./OutboxPublisher.ts";

export interface OutboxRelayOptions {
  /** Pause between passes while the relay is publishing (or the publisher is degraded). Default 250 ms. */
  readonly intervalMs?: number;
  /**
   * Pause after a pass that published nothing, unless woken earlier (a failed publication, a writer
   * in `relay` mode). Under load the page is full of outboxes the batched publisher is handling: a
   * pass every `intervalMs` would only re-read them (a page of 500 documents four times a second,
   * on the server's single writer's heels). The safety net for events left by a crash. Default 5000 ms.
   */
  readonly idleIntervalMs?: number;
  /** Outboxes per pass; a full page is followed by the next pass at once. Default 500. */
  readonly batchSize?: number;
  /** Cap of the exponential backoff after failures (broker or database down). Default 5000 ms. */
  readonly maxBackoffMs?: number;
}

/**
 * A background fiber, scoped to the layer, that republishes whatever stays pending (after a crash,
 * or while Kafka was down), oldest first and in order per user: every `intervalMs` while it is
 * publishing something, every `idleIntervalMs` (or when woken) otherwise, since a pass reads the collection
 * (cheap with MongoDB's index, a scan on FerretDB). Failures back off exponentially up to
 * `maxBackoffMs`; the relay never dies of them, and logs only when it starts and stops failing.
 */
export const OutboxRelayLive = (
  options: OutboxRelayOptions = {},
): Layer.Layer<never, never, OutboxPublisher> =>
  Layer.scopedDiscard(
    Effect.gen(function* () {
      const publisher = yield* OutboxPublisher;
      const interval = options.intervalMs ?? 250;
      const idle = Duration.millis(options.idleIntervalMs ?? 5000);
      const batchSize = options.batchSize ?? 500;
      const maxBackoff = options.maxBackoffMs ?? 5000;
      let consecutiveFailures = 0;

      const pass = publisher.publishBacklog(batchSize);

      const loop = Effect.gen(function* () {
        for (;;) {
          const result = yield* Effect.either(pass);
          if (result._tag === "Right") {
            if (consecutiveFailures > 0) {
              yield* Effect.logInfo("outbox relay: publishing again", {
                after_failures: consecutiveFailures,
              });
              consecutiveFailures = 0;
            }
            if (result.right.full && result.right.published > 0) {
              yield* Effect.yieldNow();
              continue;
            }
            const stats = yield* publisher.stats;
            if (result.right.published > 0 || stats.degraded) yield* Effect.sleep(Duration.millis(interval));
            else yield* publisher.awaitWake(idle);
          } else {
            consecutiveFailures += 1;
            const backoff = Math.min(maxBackoff, interval * 2 ** consecutiveFailures);
            if (consecutiveFailures === 1) {
              yield* Effect.logWarning("outbox relay: pass failed; backing off and retrying", {
                error: result.left.message,
                backoff_ms: backoff,
              });
            }
            yield* Effect.sleep(Duration.millis(backoff));
          }
        }
      });

      yield* Effect.forkScoped(loop);
    }),
  );

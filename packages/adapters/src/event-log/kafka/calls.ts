import { Duration, Effect, Schedule } from "effect";
import type { Admin, Producer } from "kafkajs";
import { EventLogError } from "../EventLog.ts";
import { describeCause, isRetriable } from "./records.ts";
import type { KafkaSettings } from "./settings.ts";

/** How the layer turns a kafkajs promise into an Effect that fails with `EventLogError` in bounded time. */
export interface KafkaCalls {
  /** One kafkajs call: errors and timeouts become EventLogError. */
  readonly call: <A>(operation: string, f: () => Promise<A>) => Effect.Effect<A, EventLogError>;
  /** Like `call`, retrying errors kafkajs marks retriable (e.g. the group coordinator still loading). */
  readonly callRetrying: <A>(operation: string, f: () => Promise<A>) => Effect.Effect<A, EventLogError>;
}

export const makeKafkaCalls = ({ operationTimeout, retry }: KafkaSettings): KafkaCalls => {
  const call = <A>(operation: string, f: () => Promise<A>): Effect.Effect<A, EventLogError> =>
    Effect.tryPromise({
      try: f,
      catch: (cause) => new EventLogError({ operation, message: describeCause(cause), cause }),
    }).pipe(
      Effect.timeoutFail({
        duration: operationTimeout,
        onTimeout: () =>
          new EventLogError({
            operation,
            message: `no answer within ${Duration.format(operationTimeout)}`,
          }),
      }),
    );

  const callRetrying = <A>(operation: string, f: () => Promise<A>) =>
    call(operation, f).pipe(
      Effect.retry({
        schedule: Schedule.exponential(Duration.millis(retry.initialRetryTime)).pipe(
          Schedule.either(Schedule.spaced(Duration.millis(retry.maxRetryTime))),
        ),
        times: retry.retries,
        while: (error) => isRetriable(error.cause),
      }),
    );

  return { call, callRetrying };
};

/** A client that connects on first use; `close` disconnects it only if it ever connected. */
export interface LazyClient<C> {
  readonly client: C;
  readonly ensure: Effect.Effect<void, EventLogError>;
  readonly close: Effect.Effect<void>;
}

/** Connects a client on first use (and again after a failed connect); concurrent callers share one attempt. */
export const lazilyConnected = <C extends Admin | Producer>(
  { call }: KafkaCalls,
  name: string,
  client: C,
): LazyClient<C> => {
  let connected = false;
  const lock = Effect.unsafeMakeSemaphore(1);
  const ensure = lock.withPermits(1)(
    Effect.suspend(() =>
      connected
        ? Effect.void
        : call(`${name}.connect`, () => client.connect()).pipe(
            Effect.tap(() =>
              Effect.sync(() => {
                connected = true;
              }),
            ),
          ),
    ),
  );
  const close = Effect.suspend(() =>
    connected ? call(`${name}.disconnect`, () => client.disconnect()).pipe(Effect.ignore) : Effect.void,
  );
  return { client, ensure, close };
};

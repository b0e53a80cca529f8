import { Cause, Effect, Exit, FiberId } from "effect";
import { OneLineLogging } from "./log-line.ts";

/**
 * Runs a long-lived program as this process: names the process (`ps` shows `name`), interrupts the
 * program on SIGTERM/SIGINT so its scopes close (batch in flight finished or abandoned uncommitted,
 * consumer group left, connections closed), and exits 0 after a clean stop (saying `<name>: stopped`),
 * 1 after a failure. A second signal, or finalizers running longer than `forceAfterMs`, exits at once.
 * Every process of the project (the API, both runners, the embedded default) stops this one way.
 */
export const runMain = (
  name: string,
  program: Effect.Effect<unknown, unknown>,
  options: { readonly forceAfterMs?: number } = {},
): void => {
  process.title = name;
  const fiber = Effect.runFork(program.pipe(Effect.provide(OneLineLogging)));
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) process.exit(130);
    Effect.runSync(
      Effect.logInfo(`${name}: ${signal} received, shutting down`).pipe(Effect.provide(OneLineLogging)),
    );
    setTimeout(() => {
      process.stderr.write(`${name}: shutdown took too long, exiting\n`);
      process.exit(1);
    }, options.forceAfterMs ?? 20_000).unref();
    fiber.unsafeInterruptAsFork(FiberId.none);
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  fiber.addObserver((exit) => {
    const clean = Exit.isSuccess(exit) || Cause.isInterruptedOnly(exit.cause);
    Effect.runSync(
      (clean
        ? Effect.logInfo(`${name}: stopped`)
        : Effect.logError(`${name} stopped on a failure`, exit.cause)
      ).pipe(Effect.provide(OneLineLogging)),
    );
    process.exit(clean ? 0 : 1);
  });
};

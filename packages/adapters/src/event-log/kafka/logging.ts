import { Effect, Runtime } from "effect";
import type { logCreator as KafkaLogCreator, LogEntry } from "kafkajs";
import kafkajs from "kafkajs";

const { logLevel: KafkaLogLevel } = kafkajs;

// kafkajs logs every failed request of a retry loop at ERROR under its "Connection" namespace
// (e.g. "Response Metadata ... This server does not host this topic-partition" while a topic is
// being created, or ECONNREFUSED per attempt while the broker is down). The caller gets the final
// outcome as an EventLogError anyway, so those go to debug.
const NOISY_NAMESPACES = new Set(["Connection", "BrokerPool"]);
// We bound the idempotent producer's retries on purpose (a hang is worse); kafkajs warns about it.
const EXPECTED_WARNINGS = [/Limiting retries for the idempotent producer/];
const RECOVERING = [/^Crash: KafkaJSNumberOfRetriesExceeded/, /^Restarting the consumer in/];

export const levelRank = { error: 1, warn: 2, info: 4, debug: 5 } as const;

/** kafkajs' log lines through Effect's logger, at the level they deserve here (see above). */
export const makeLogCreator =
  (runtime: Runtime.Runtime<never>, minimum: keyof typeof levelRank): KafkaLogCreator =>
  () =>
  (entry: LogEntry) => {
    // Stacks are multi-line noise in one-line logs; the message names the error.
    const { message, timestamp: _timestamp, stack: _stack, ...extra } = entry.log;
    let level: number = entry.level;
    if (level <= KafkaLogLevel.WARN && NOISY_NAMESPACES.has(entry.namespace)) level = KafkaLogLevel.DEBUG;
    if (EXPECTED_WARNINGS.some((pattern) => pattern.test(message))) level = KafkaLogLevel.DEBUG;
    // While the broker is away a consumer crashes and restarts itself every second or so; that is
    // recovery at work, worth a warning, not an error per attempt.
    if (
      level === KafkaLogLevel.ERROR &&
      entry.namespace === "Consumer" &&
      RECOVERING.some((p) => p.test(message))
    ) {
      level = KafkaLogLevel.WARN;
    }
    if (level > levelRank[minimum]) return;
    const text = `kafkajs ${entry.namespace ? `[${entry.namespace}] ` : ""}${message}`;
    const log =
      level <= KafkaLogLevel.ERROR
        ? Effect.logError(text)
        : level <= KafkaLogLevel.WARN
          ? Effect.logWarning(text)
          : level <= KafkaLogLevel.INFO
            ? Effect.logInfo(text)
            : Effect.logDebug(text);
    Runtime.runSync(runtime)(log.pipe(Effect.annotateLogs(extra)));
  };

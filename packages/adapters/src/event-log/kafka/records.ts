import type { IHeaders, KafkaMessage } from "kafkajs";
import type { LogRecord } from "../EventLog.ts";

// How kafkajs' values become the port's: messages as LogRecords, errors as one line of text.

/** An error and the errors it wraps, as one line (kafkajs nests the broker's reason). */
export const describeCause = (cause: unknown): string => {
  if (cause instanceof Error) {
    const nested = (cause as { cause?: unknown }).cause;
    const type = (cause as { type?: unknown }).type;
    const base = `${cause.name}: ${cause.message}${typeof type === "string" ? ` (${type})` : ""}`;
    return nested instanceof Error && nested.message !== cause.message
      ? `${base}; caused by ${describeCause(nested)}`
      : base;
  }
  return String(cause);
};

export const isRetriable = (cause: unknown): boolean =>
  typeof cause === "object" && cause !== null && (cause as { retriable?: unknown }).retriable === true;

export const headerText = (value: IHeaders[string]): string | undefined => {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.length === 0 ? undefined : headerText(value[value.length - 1]);
  return typeof value === "string" ? value : value.toString("utf8");
};

export const toLogRecord = (topic: string, partition: number, message: KafkaMessage): LogRecord => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const text = headerText(value);
    if (text !== undefined) headers[name] = text;
  }
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key === null ? null : message.key.toString("utf8"),
    value: message.value === null ? "" : message.value.toString("utf8"),
    timestamp: Number(message.timestamp),
    headers,
  };
};

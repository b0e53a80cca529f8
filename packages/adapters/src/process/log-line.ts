import { Cause, FiberId, HashMap, Inspectable, List, Logger } from "effect";

/**
 * The processes' log format: one logfmt record per line. Effect's default logger writes each extra
 * argument of `Effect.log*` as another `message=` key and pretty-prints objects over several
 * lines, so a log collector splits one record into many and sees `message` twice. Here the first
 * argument is `message`, an object argument's fields become keys of their own, any other argument
 * is `detail`, and every value (a cause's stack included) stays on the one line.
 */

const BARE = /^[\w.:/@#+-]+$/u;

/** A logfmt value: bare when it can be, else a JSON string (quotes, backslashes and newlines escaped). */
const logfmtValue = (value: unknown): string => {
  const text =
    typeof value === "string"
      ? value
      : value instanceof Error
        ? `${value.name}: ${value.message}`
        : typeof value === "bigint"
          ? value.toString()
          : (JSON.stringify(Inspectable.toJSON(value)) ?? String(value));
  return BARE.test(text) ? text : JSON.stringify(text);
};

const KEY = /[^\w.-]/gu;
const logfmtKey = (key: string): string => key.replace(KEY, "_") || "_";

export interface LogLineRecord {
  readonly timestamp: Date;
  readonly level: string;
  readonly fiber: string;
  /** What was passed to `Effect.log*`: one value, or several. */
  readonly message: unknown;
  readonly annotations: ReadonlyArray<readonly [string, unknown]>;
  /** The cause's rendering, when there is one. */
  readonly cause?: string;
  readonly spans?: ReadonlyArray<readonly [string, number]>;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" &&
  value !== null &&
  !Array.isArray(value) &&
  !(value instanceof Error) &&
  Object.getPrototypeOf(value) === Object.prototype;

/** One line, no trailing newline. Keys that repeat get a numeric suffix, so none is lost or doubled. */
export const formatLogLine = (record: LogLineRecord): string => {
  const pairs: Array<[string, unknown]> = [
    ["timestamp", record.timestamp.toISOString()],
    ["level", record.level],
    ["fiber", record.fiber],
  ];
  const parts = Array.isArray(record.message) ? record.message : [record.message];
  const [first, ...rest] = parts;
  pairs.push(["message", first]);
  for (const part of rest) {
    if (isPlainObject(part)) for (const [key, value] of Object.entries(part)) pairs.push([key, value]);
    else pairs.push(["detail", part]);
  }
  if (record.cause !== undefined && record.cause !== "") pairs.push(["cause", record.cause]);
  for (const [label, startedAt] of record.spans ?? [])
    pairs.push([`${label}_ms`, record.timestamp.getTime() - startedAt]);
  for (const [key, value] of record.annotations) pairs.push([key, value]);

  const seen = new Map<string, number>();
  return pairs
    .filter(([, value]) => value !== undefined)
    .map(([rawKey, value]) => {
      const key = logfmtKey(rawKey);
      const times = (seen.get(key) ?? 0) + 1;
      seen.set(key, times);
      return `${times === 1 ? key : `${key}_${times}`}=${logfmtValue(value)}`;
    })
    .join(" ");
};

/** Effect's logger writing `formatLogLine` records through the console, as the default logger does. */
export const oneLineLogger = Logger.withConsoleLog(
  Logger.make(({ annotations, cause, date, fiberId, logLevel, message, spans }) =>
    formatLogLine({
      timestamp: date,
      level: logLevel.label,
      fiber: FiberId.threadName(fiberId),
      message,
      annotations: [...HashMap.toEntries(annotations)],
      ...(Cause.isEmpty(cause) ? {} : { cause: Cause.pretty(cause, { renderErrorCause: true }) }),
      spans: List.toArray(spans).map((span) => [span.label, span.startTime] as const),
    }),
  ),
);

/** Provide to a program so its logs are `oneLineLogger`'s lines. */
export const OneLineLogging = Logger.replace(Logger.defaultLogger, oneLineLogger);

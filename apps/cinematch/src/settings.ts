import { Config, type ConfigError, Effect, LogLevel } from "effect";
import { type DemoOptions, defaultDemoOptions } from "./demo-users.ts";

/**
 * The embedded default's own settings (the API's and the runners' are theirs, read with the same
 * names as in the real stack). Every one from the environment, with a default; the list with
 * meanings is in apps/cinematch/README.md.
 */
export interface EmbeddedSettings {
  /** Simulated users on (also `--demo`). */
  readonly demo: boolean;
  readonly demoOptions: DemoOptions;
  /** Build the dashboard when its build is missing or older than its sources (`auto`), always, or never. */
  readonly webBuild: "auto" | "always" | "never";
}

const int = (name: string, fallback: number, min: number, max: number) =>
  Config.integer(name).pipe(
    Config.withDefault(fallback),
    Config.validate({
      message: `${name} must be an integer from ${min} to ${max}`,
      validation: (n) => n >= min && n <= max,
    }),
  );

export const embeddedSettingsFromEnv: Effect.Effect<EmbeddedSettings, ConfigError.ConfigError> = Effect.gen(
  function* () {
    const d = defaultDemoOptions;
    return {
      demo: yield* Config.boolean("CINEMATCH_DEMO").pipe(Config.withDefault(false)),
      demoOptions: {
        users: yield* int("CINEMATCH_DEMO_USERS", d.users, 1, 1000),
        intervalMs: yield* int("CINEMATCH_DEMO_INTERVAL_MS", d.intervalMs, 10, 3_600_000),
        seed: yield* int("CINEMATCH_DEMO_SEED", d.seed, 0, 2 ** 31 - 1),
        historyPerUser: yield* int("CINEMATCH_DEMO_HISTORY", d.historyPerUser, 0, 1000),
      },
      webBuild: yield* Config.literal(
        "auto",
        "always",
        "never",
      )("CINEMATCH_WEB_BUILD").pipe(Config.withDefault("auto" as const)),
    };
  },
);

/** `CINEMATCH_LOG_LEVEL`: `debug`, `info` (default), `warning`, `error` or `none`. */
export const logLevelFromText = (text: string | undefined): LogLevel.LogLevel => {
  switch ((text ?? "").trim().toLowerCase()) {
    case "debug":
      return LogLevel.Debug;
    case "warning":
    case "warn":
      return LogLevel.Warning;
    case "error":
      return LogLevel.Error;
    case "none":
      return LogLevel.None;
    default:
      return LogLevel.Info;
  }
};

/** The address to print: `localhost` for a loopback or wildcard listener, the host itself otherwise. */
export const publicUrl = (host: string, port: number): string => {
  const local =
    host === "" ||
    host === "0.0.0.0" ||
    host === "::" ||
    host === "localhost" ||
    host.startsWith("127.") ||
    host === "::1";
  if (local) return `http://localhost:${port}`;
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
};

import { Config } from "effect";

/** Where the Kafka layer connects and how it names itself; read from the environment with defaults. */
export interface KafkaConnection {
  readonly brokers: ReadonlyArray<string>;
  readonly clientId: string;
}

/** `KAFKA_BOOTSTRAP_SERVERS` (comma-separated host:port, default 127.0.0.1:9092) and `KAFKA_CLIENT_ID` (default cinematch). */
export const kafkaConnectionConfig: Config.Config<KafkaConnection> = Config.all({
  brokers: Config.string("KAFKA_BOOTSTRAP_SERVERS").pipe(
    Config.withDefault("127.0.0.1:9092"),
    Config.map((text) =>
      text
        .split(",")
        .map((broker) => broker.trim())
        .filter((broker) => broker.length > 0),
    ),
    Config.validate({
      message: "KAFKA_BOOTSTRAP_SERVERS must list at least one host:port",
      validation: (brokers) => brokers.length > 0,
    }),
  ),
  clientId: Config.string("KAFKA_CLIENT_ID").pipe(Config.withDefault("cinematch")),
});

export const DEFAULT_MONGODB_URL = "mongodb://127.0.0.1:27017/cinematch";

/** `MONGODB_URL` (default mongodb://127.0.0.1:27017/cinematch); the database is the URL's path. */
export const mongoUrlConfig: Config.Config<string> = Config.string("MONGODB_URL").pipe(
  Config.withDefault(DEFAULT_MONGODB_URL),
);

/** An integer setting with a default, rejected (naming the variable and the range) outside min..max. */
export const boundedIntConfig = (
  name: string,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): Config.Config<number> =>
  Config.integer(name).pipe(
    Config.withDefault(fallback),
    Config.validate({
      message: `${name} must be an integer from ${min} to ${max}`,
      validation: (n) => n >= min && n <= max,
    }),
  );

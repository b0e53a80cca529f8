import { ConfigProvider, Effect } from "effect";
import { describe, expect, it } from "vitest";
import { kafkaConnectionConfig, mongoUrlConfig } from "./env.ts";

const read = <A>(config: Effect.Effect<A, unknown>, env: Record<string, string>) =>
  Effect.runPromise(Effect.withConfigProvider(config, ConfigProvider.fromMap(new Map(Object.entries(env)))));

describe("the connection settings", () => {
  it("given no variables, when read, then the local defaults apply", async () => {
    expect(await read(kafkaConnectionConfig, {})).toEqual({
      brokers: ["127.0.0.1:9092"],
      clientId: "cinematch",
    });
    expect(await read(mongoUrlConfig, {})).toBe("mongodb://127.0.0.1:27017/cinematch");
  });

  it("given a comma-separated broker list and a client id, when read, then both are used", async () => {
    expect(
      await read(kafkaConnectionConfig, {
        KAFKA_BOOTSTRAP_SERVERS: " h1:9092, h2:9093 ,",
        KAFKA_CLIENT_ID: "api",
      }),
    ).toEqual({ brokers: ["h1:9092", "h2:9093"], clientId: "api" });
    expect(await read(mongoUrlConfig, { MONGODB_URL: "mongodb://db:27027/x" })).toBe("mongodb://db:27027/x");
  });

  it("given a broker list with no broker in it, when read, then it is refused", async () => {
    await expect(read(kafkaConnectionConfig, { KAFKA_BOOTSTRAP_SERVERS: " , " })).rejects.toThrow(
      /at least one host:port/,
    );
  });
});

import { createRequire } from "node:module";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { murmur2, partitionForKey } from "./partitioner.ts";

// kafkajs' own murmur2 (the one its DefaultPartitioner uses), to check ours against.
const kafkajsMurmur2 = createRequire(import.meta.url)(
  "kafkajs/src/producer/partitioners/default/murmur2.js",
) as (key: Buffer | string) => number;

describe("the key partitioner", () => {
  it("given any key, when hashed, then it agrees with kafkajs' (Java-compatible) murmur2", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 64 }), (key) => {
        expect(murmur2(new TextEncoder().encode(key))).toBe(kafkajsMurmur2(Buffer.from(key)));
      }),
      { numRuns: 2000 },
    );
  });

  it("given known keys, when hashed, then they match Kafka's Java client's reference values", () => {
    // Values from Kafka's UtilsTest.testMurmur2 (Java `Utils.murmur2`).
    const cases: Array<[string, number]> = [
      ["21", -973932308],
      ["foobar", -790332482],
      ["a-little-bit-long-string", -985981536],
      ["a-little-bit-longer-string", -1486304829],
      ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
    ];
    for (const [key, hash] of cases) expect(murmur2(new TextEncoder().encode(key))).toBe(hash);
  });

  it("given a key and a partition count, when partitioned, then the partition is in range and the same every time", () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 64 }), (key, partitions) => {
        const partition = partitionForKey(key, partitions);
        expect(partition).toBeGreaterThanOrEqual(0);
        expect(partition).toBeLessThan(partitions);
        expect(partitionForKey(key, partitions)).toBe(partition);
      }),
    );
  });
});

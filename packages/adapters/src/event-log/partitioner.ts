/**
 * Key → partition, exactly as Kafka's Java client and kafkajs' `DefaultPartitioner` compute it
 * (murmur2 of the key's UTF-8 bytes, sign bit cleared, modulo the partition count). Both event-log
 * layers use it, so a key lands in the same partition in memory and on the broker, and any other
 * client publishing with its default partitioner agrees with us.
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;
const encoder = new TextEncoder();

/** Kafka's murmur2 (32-bit, signed result), ported with `Math.imul` instead of 64-bit longs. */
export const murmur2 = (data: Uint8Array): number => {
  const length = data.length;
  let h = SEED ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k =
      (data[i4]! & 0xff) |
      ((data[i4 + 1]! & 0xff) << 8) |
      ((data[i4 + 2]! & 0xff) << 16) |
      ((data[i4 + 3]! & 0xff) << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  const tail = length & ~3;
  const rest = length & 3;
  // Java's switch falls through 3 → 2 → 1.
  if (rest >= 3) h ^= (data[tail + 2]! & 0xff) << 16;
  if (rest >= 2) h ^= (data[tail + 1]! & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[tail]! & 0xff;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
};

/** The partition a keyed message goes to in a topic with `partitions` partitions. */
export const partitionForKey = (key: string, partitions: number): number => {
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new RangeError(`partition count must be a positive integer, got ${partitions}`);
  }
  return (murmur2(encoder.encode(key)) & 0x7fffffff) % partitions;
};

import kafkajs from "kafkajs";

/**
 * The client's own ceiling on a topic, for benchmarks to print beside their figures: a bare
 * kafkajs consumer (eachBatch, every partition at once, no work, nothing committed) reading the
 * topic from its start, in messages per second from its group join to the last of `expected`
 * messages (pipelines are timed from the moment they consume, too).
 */
export const bareConsumeRate = async (options: {
  readonly brokers: ReadonlyArray<string>;
  readonly topic: string;
  readonly groupId: string;
  readonly partitions: number;
  readonly expected: number;
}): Promise<number> => {
  const kafka = new kafkajs.Kafka({
    brokers: [...options.brokers],
    clientId: options.groupId,
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: options.groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: options.topic, fromBeginning: true });
    let seen = 0;
    let joined = 0;
    let last = 0;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      joined = performance.now();
    });
    await new Promise<void>((resolve) => {
      void consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: options.partitions,
        eachBatch: async ({ batch }) => {
          seen += batch.messages.length;
          last = performance.now();
          if (seen >= options.expected) resolve();
        },
      });
    });
    return (options.expected / Math.max(last - joined, 1)) * 1000;
  } finally {
    await consumer.disconnect();
  }
};

// The Kafka layer of the EventLog port (kafkajs). Importing this loads kafkajs and applies its patch.
export * from "./event-log/kafka.ts";
export * from "./event-log/kafka/bare-consumer.ts";

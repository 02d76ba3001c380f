import type { TopicSpec } from '@afternoon/contracts/topics';
import { type Admin, Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { Logger } from '../logger';

export type { Consumer, EachBatchPayload, IHeaders, KafkaMessage, Producer } from 'kafkajs';

/** The one place kafkajs is configured; swapping clients stays a change to this folder. */
export interface KafkaConnection {
  readonly kafka: Kafka;
  /** Topic names are namespaced by TOPIC_PREFIX so several clusters of apps can share a broker (tests). */
  topic(spec: TopicSpec): string;
  ensureTopics(specs: readonly TopicSpec[]): Promise<void>;
  createProducer(): Promise<Producer>;
  admin(): Promise<Admin>;
  close(): Promise<void>;
}

export function connectKafka(options: {
  clientId: string;
  brokers: string[];
  topicPrefix: string;
  logger: Logger;
}): KafkaConnection {
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }) => {
        const { message, ...extra } = log;
        if (level <= logLevel.ERROR) options.logger.error(extra, `kafka: ${message}`);
        else options.logger.warn(extra, `kafka: ${message}`);
      },
    retry: { initialRetryTime: 100, retries: 8 },
  });
  const opened: Array<{ disconnect(): Promise<void> }> = [];
  let sharedAdmin: Admin | undefined;

  const topic = (spec: TopicSpec) => `${options.topicPrefix}${spec.name}`;

  async function admin(): Promise<Admin> {
    if (!sharedAdmin) {
      sharedAdmin = kafka.admin();
      await sharedAdmin.connect();
      opened.push(sharedAdmin);
    }
    return sharedAdmin;
  }

  return {
    kafka,
    topic,
    admin,
    async ensureTopics(specs) {
      const client = await admin();
      const existing = new Set(await client.listTopics());
      const missing = specs.filter((spec) => !existing.has(topic(spec)));
      if (missing.length === 0) return;
      try {
        await client.createTopics({
          waitForLeaders: true,
          topics: missing.map((spec) => ({
            topic: topic(spec),
            numPartitions: spec.partitions,
            replicationFactor: 1,
            configEntries: [
              { name: 'retention.ms', value: String(spec.retentionMs) },
              ...(spec.appendTime ? [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] : []),
            ],
          })),
        });
      } catch (error) {
        // Another app may create the same topic at the same moment; only a topic still missing is a failure.
        const nowExisting = new Set(await client.listTopics());
        if (missing.some((spec) => !nowExisting.has(topic(spec)))) throw error;
      }
    },
    async createProducer() {
      const producer = kafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        idempotent: true,
        maxInFlightRequests: 1,
      });
      await producer.connect();
      opened.push(producer);
      return producer;
    },
    async close() {
      await Promise.allSettled(opened.reverse().map((client) => client.disconnect()));
      opened.length = 0;
      sharedAdmin = undefined;
    },
  };
}

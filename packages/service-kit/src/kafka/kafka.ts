import type { TopicSpec } from '@afternoon/contracts/topics';
import { type Admin, Kafka, logLevel, type Producer } from 'kafkajs';
import type { Logger } from '../logger';
import type { KafkaSecurity } from './kafkaSecurity';
import { keyPartitioner } from './keyPartitioner';

export type { Admin, Consumer, ConsumerRunConfig, EachBatchPayload, IHeaders, KafkaMessage, Producer } from 'kafkajs';

/**
 * How many brokers hold a copy of each topic the apps create, and how many of them must have a record before a write
 * is acknowledged (producers send acks: -1): KAFKA_REPLICATION_FACTOR and KAFKA_MIN_INSYNC_REPLICAS.
 */
export interface TopicReplication {
  factor: number;
  minInsyncReplicas: number;
}

/** One copy: all the single local broker can hold. */
const singleBroker: TopicReplication = { factor: 1, minInsyncReplicas: 1 };

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
  /** Of the topics ensureTopics creates; one copy (singleBroker) unless said otherwise. */
  replication?: TopicReplication;
  /** SASL credentials and TLS (see `kafkaSecurity`); none for the local broker. */
  security?: KafkaSecurity;
}): KafkaConnection {
  const replication = options.replication ?? singleBroker;
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    ...options.security,
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
      if (replication.minInsyncReplicas > replication.factor) {
        throw new Error(
          `KAFKA_MIN_INSYNC_REPLICAS=${replication.minInsyncReplicas} is more than KAFKA_REPLICATION_FACTOR=${replication.factor}: no write to the topics could ever be acknowledged`,
        );
      }
      const client = await admin();
      const existing = new Set(await client.listTopics());
      const missing = specs.filter((spec) => !existing.has(topic(spec)));
      if (missing.length > 0) {
        try {
          await client.createTopics({
            // kafkajs's wait gives up on UNKNOWN_TOPIC_OR_PARTITION, KRaft's answer until the broker has the topic.
            waitForLeaders: false,
            topics: missing.map((spec) => ({
              topic: topic(spec),
              numPartitions: spec.partitions,
              replicationFactor: replication.factor,
              configEntries: [
                { name: 'retention.ms', value: String(spec.retentionMs) },
                { name: 'min.insync.replicas', value: String(replication.minInsyncReplicas) },
                ...(spec.appendTime ? [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] : []),
              ],
            })),
          });
        } catch (error) {
          if (refusedReplicationFactor(error)) throw await replicationFactorTooLarge(client, replication.factor);
          // Another app may create the same topic at the same moment, or a busy controller may answer late; the
          // wait below decides whether the topics are there. Anything else is a failure.
          if (!creationMayHaveWorked(error)) throw error;
        }
      }
      await waitForLeaders(
        client,
        specs.map((spec) => topic(spec)),
      );
    },
    async createProducer() {
      // Not kafkajs's idempotent mode: it can acknowledge a record it never appended (ADR 0013). One request in
      // flight keeps each partition's order across retries; consumers drop the duplicates a retry may append.
      const producer = kafka.producer({
        createPartitioner: keyPartitioner,
        idempotent: false,
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

const leadersDeadlineMs = 30_000;
const transientErrors = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION']);

/**
 * Waits until every topic has a leader for each partition that answers ListOffsets. Under KRaft, CreateTopics
 * returns once the controller has the topics; the broker learns of them a moment later and until then answers
 * UNKNOWN_TOPIC_OR_PARTITION (or NOT_LEADER while it opens the logs), which several kafkajs calls do not retry.
 */
async function waitForLeaders(client: Admin, topics: readonly string[]): Promise<void> {
  if (topics.length === 0) return;
  const deadline = Date.now() + leadersDeadlineMs;
  let answered = 0;
  for (let delayMs = 10; ; delayMs = Math.min(delayMs * 2, 200)) {
    let pending: string[];
    try {
      const { topics: found } = await client.fetchTopicMetadata({ topics: [...topics] });
      const led = new Set(
        found
          .filter(({ partitions }) => partitions.length > 0 && partitions.every(({ leader }) => leader >= 0))
          .map(({ name }) => name),
      );
      pending = topics.filter((name) => !led.has(name));
      // One topic at a time, so a broker still opening the logs logs one refusal per round, not one per topic.
      while (pending.length === 0 && answered < topics.length) {
        await client.fetchTopicOffsets(topics[answered] as string);
        answered += 1;
      }
    } catch (error) {
      if (!isTransient(error)) throw error;
      pending = topics.slice(answered);
    }
    if (pending.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`topics not served by a partition leader in time: ${pending.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}

function isTransient(error: unknown): boolean {
  const { type, cause } = error as { type?: string; cause?: { type?: string } };
  return transientErrors.has(type ?? '') || transientErrors.has(cause?.type ?? '');
}

function creationMayHaveWorked(error: unknown): boolean {
  const { errors, retriable } = error as {
    errors?: Array<{ type?: string; retriable?: boolean }>;
    retriable?: boolean;
  };
  if (!Array.isArray(errors)) return retriable === true;
  return errors.every((each) => each.type === 'TOPIC_ALREADY_EXISTS' || each.retriable === true);
}

function refusedReplicationFactor(error: unknown): boolean {
  const { errors } = error as { errors?: Array<{ type?: string }> };
  return Array.isArray(errors) && errors.some((each) => each.type === 'INVALID_REPLICATION_FACTOR');
}

async function replicationFactorTooLarge(client: Admin, factor: number): Promise<Error> {
  const brokerCount = await client.describeCluster().then(
    ({ brokers }) => ` (${brokers.length})`,
    () => '',
  );
  return new Error(
    `KAFKA_REPLICATION_FACTOR=${factor} asks for more copies of each topic than the Kafka cluster has brokers${brokerCount}: lower it (1 for the single local broker)`,
  );
}

import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { testInfra } from './infra';

export interface CollectedMessage {
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

function kafka(): Kafka {
  return new Kafka({ clientId: `test-${randomUUID()}`, brokers: testInfra().kafkaBrokers, logLevel: logLevel.NOTHING });
}

/** Records per send: a partition's share of one request must stay under the broker's 1 MiB message limit. */
const recordsPerSend = 1_000;

/** Produces raw records, in order, as any producer outside the platform would. */
export async function produce(
  topic: string,
  messages: Array<{ key?: string; value: string; headers?: Record<string, string>; partition?: number }>,
): Promise<void> {
  const producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let start = 0; start < messages.length; start += recordsPerSend) {
      await producer.send({ topic, acks: -1, messages: messages.slice(start, start + recordsPerSend) });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Reads a topic from its beginning into `messages` until stopped (a group of its own, so it sees everything). */
export async function collectTopic(topic: string): Promise<{ messages: CollectedMessage[]; stop(): Promise<void> }> {
  const messages: CollectedMessage[] = [];
  const consumer = kafka().consumer({ groupId: `collector-${randomUUID()}`, maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message, partition }) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers ?? {})) {
        if (value !== undefined) headers[name] = value.toString();
      }
      messages.push({
        key: message.key?.toString() ?? null,
        value: message.value?.toString() ?? null,
        headers,
        partition,
        offset: message.offset,
      });
    },
  });
  return { messages, stop: () => consumer.disconnect() };
}

/**
 * Deletes the topics (and consumer groups) a test file made under its own `prefix`, so a broker shared by many
 * runs does not keep thousands of partitions. Tests call it in afterAll, after their services stopped.
 */
export async function dropTopics(prefix: string): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
    const groups = (await admin.listGroups()).groups.map((group) => group.groupId);
    const ours = groups.filter((groupId) => groupId.startsWith(prefix));
    if (ours.length > 0) await admin.deleteGroups(ours).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

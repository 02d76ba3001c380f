import { randomUUID } from 'node:crypto';
import { type ConsumedRecord, type KafkaConnection, recordHeaders } from '@afternoon/service-kit';

/**
 * One record as it sits on a dead-letter topic, as a consumer reads it; `topic` is the platform's name, without
 * TOPIC_PREFIX, and `timestamp` tells when the consumer dead-lettered it.
 */
export type DeadLetterRecord = ConsumedRecord;

const readDeadlineMs = 30_000;

/**
 * Reads each topic from its beginning up to the end it had when the read started, so it always ends (at once for
 * empty topics). A throwaway consumer group does the fetching and is deleted afterwards; nothing is committed.
 */
export async function readDeadLetterTopics(
  kafka: KafkaConnection,
  topicNames: readonly string[],
  topicPrefix: string,
): Promise<DeadLetterRecord[]> {
  const admin = await kafka.admin();
  const existing = new Set(await admin.listTopics());
  const ends = new Map<string, bigint>();
  for (const name of topicNames) {
    const topic = `${topicPrefix}${name}`;
    if (!existing.has(topic)) continue;
    for (const { partition, low, high } of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(high) > BigInt(low)) ends.set(`${topic}/${partition}`, BigInt(high));
    }
  }
  if (ends.size === 0) return [];

  // Keyed by id: a partition fetched twice (a rebalance) must not list its records twice.
  const records = new Map<string, DeadLetterRecord>();
  const groupId = `${topicPrefix}afternoon-dead-letter-reader-${randomUUID()}`;
  const consumer = kafka.kafka.consumer({ groupId, maxWaitTimeInMs: 50 });
  let finished: () => void = () => undefined;
  const allRead = new Promise<void>((resolve) => {
    finished = resolve;
  });
  let deadline: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    const topics = [...new Set([...ends.keys()].map((partitionKey) => partitionKey.replace(/\/\d+$/, '')))];
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const partitionKey = `${batch.topic}/${batch.partition}`;
        const end = ends.get(partitionKey);
        if (end === undefined) return;
        for (const message of batch.messages) {
          if (BigInt(message.offset) >= end) break;
          const topic = batch.topic.slice(topicPrefix.length);
          records.set(`${topic}/${batch.partition}/${message.offset}`, {
            topic,
            partition: batch.partition,
            offset: message.offset,
            timestamp: message.timestamp,
            key: message.key?.toString() ?? null,
            value: message.value?.toString() ?? null,
            headers: recordHeaders(message.headers),
          });
        }
        const last = batch.messages[batch.messages.length - 1];
        if (last && BigInt(last.offset) + 1n >= end) {
          ends.delete(partitionKey);
          if (ends.size === 0) finished();
        }
      },
    });
    await Promise.race([
      allRead,
      new Promise<never>((_resolve, reject) => {
        deadline = setTimeout(
          () => reject(new Error(`could not read the dead-letter topics within ${readDeadlineMs / 1000} s`)),
          readDeadlineMs,
        );
      }),
    ]);
    return [...records.values()];
  } finally {
    clearTimeout(deadline);
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
}

import type { TopicSpec } from '@afternoon/contracts/topics';
import type pg from 'pg';
import type { KafkaConnection } from '../kafka/kafka';
import { wakeGroup } from './fetchRests';

/**
 * Waits until a consumer group has handled everything on a topic as of now (its offsets stored in Postgres reach
 * the topic's end offsets), so a service can read its own projection of another service's writes before it
 * refuses something as unknown. False when the deadline passes first. A member of the group resting in this process
 * is woken (ADR 0052).
 *
 * "As of now" covers a write whose command reply the caller has already seen only because the outbox relay sends
 * replies after the events queued with them are acknowledged: Kafka does not make one send's partitions readable
 * together, so an event sent beside its reply could still be missing from the end offsets read here.
 */
export async function waitUntilCaughtUp(options: {
  pool: pg.Pool;
  kafka: KafkaConnection;
  groupId: string;
  topic: TopicSpec;
  timeoutMs: number;
}): Promise<boolean> {
  const topic = options.kafka.topic(options.topic);
  const admin = await options.kafka.admin();
  const ends = (await admin.fetchTopicOffsets(topic))
    .map(({ partition, high }) => ({ partition, high: BigInt(high) }))
    .filter(({ high }) => high > 0n);
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    wakeGroup(options.groupId);
    const { rows } = await options.pool.query<{ partition: number; next_offset: string }>(
      'SELECT partition, next_offset::text FROM consumer_offsets WHERE group_id = $1 AND topic = $2',
      [options.groupId, topic],
    );
    const reached = new Map(rows.map((row) => [row.partition, BigInt(row.next_offset)]));
    if (ends.every(({ partition, high }) => (reached.get(partition) ?? 0n) >= high)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

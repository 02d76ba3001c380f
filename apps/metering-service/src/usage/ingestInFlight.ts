import type { TopicSpec } from '@afternoon/contracts/topics';
import type { KafkaConnection } from '@afternoon/service-kit';
import type pg from 'pg';

/**
 * How many records appended to `topic` in [from, to) the group has not handled yet, over all its partitions. The
 * topic stamps append time, monotonic per partition, so a window is an offset range per partition; what the
 * group has handled is below its stored next offset.
 */
export async function ingestInFlight(
  options: { pool: pg.Pool; kafka: KafkaConnection; groupId: string; topic: TopicSpec },
  from: Date,
  to: Date,
): Promise<number> {
  const topic = options.kafka.topic(options.topic);
  const admin = await options.kafka.admin();
  const starts = await admin.fetchTopicOffsetsByTimestamp(topic, from.getTime());
  const ends = await admin.fetchTopicOffsetsByTimestamp(topic, to.getTime());
  const { rows } = await options.pool.query<{ partition: number; next_offset: string }>(
    'SELECT partition, next_offset::text FROM consumer_offsets WHERE group_id = $1 AND topic = $2',
    [options.groupId, topic],
  );
  const handled = new Map(rows.map((row) => [row.partition, BigInt(row.next_offset)]));
  let inFlight = 0n;
  for (const { partition, offset } of ends) {
    const start = BigInt(starts.find((each) => each.partition === partition)?.offset ?? offset);
    const next = handled.get(partition) ?? 0n;
    const first = start > next ? start : next;
    if (BigInt(offset) > first) inFlight += BigInt(offset) - first;
  }
  return Number(inFlight);
}

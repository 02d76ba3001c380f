import type { TopicSpec } from '@afternoon/contracts/topics';
import type pg from 'pg';
import type { KafkaConnection } from '../kafka/kafka';

/**
 * The instant before which every record appended to `topic` has been handled by the group. A partition the group
 * has fully handled vouches for the moment its end was read; one it lags on, only for the append time of the last
 * record it handled (the topic must stamp records with the broker's append time for that to be monotonic).
 */
export async function processedThrough(options: {
  pool: pg.Pool;
  kafka: KafkaConnection;
  groupId: string;
  topic: TopicSpec;
}): Promise<Date> {
  const topic = options.kafka.topic(options.topic);
  const admin = await options.kafka.admin();
  const asOf = new Date();
  const ends = await admin.fetchTopicOffsets(topic);
  const { rows } = await options.pool.query<{ partition: number; next_offset: string; last_record_at: Date | null }>(
    'SELECT partition, next_offset::text, last_record_at FROM consumer_offsets WHERE group_id = $1 AND topic = $2',
    [options.groupId, topic],
  );
  const handled = new Map(rows.map((row) => [row.partition, row]));
  let through = asOf;
  for (const { partition, high } of ends) {
    const position = handled.get(partition);
    if (BigInt(position?.next_offset ?? 0) >= BigInt(high)) continue;
    const lastHandled = position?.last_record_at ?? new Date(0);
    if (lastHandled < through) through = lastHandled;
  }
  return through;
}

/**
 * Waits until the group has handled every record appended to `topic` before `instant`; false after `timeoutMs`.
 * Remembers the furthest point seen, so a wait for an instant already passed costs nothing.
 */
export function processedThroughWaiter(options: {
  pool: pg.Pool;
  kafka: KafkaConnection;
  groupId: string;
  topic: TopicSpec;
}): (instant: Date, timeoutMs: number) => Promise<boolean> {
  let reached = new Date(0);
  return async (instant, timeoutMs) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (reached > instant) return true;
      const through = await processedThrough(options);
      if (through > reached) reached = through;
      if (reached > instant) return true;
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
}

import type pg from 'pg';
import type { Admin } from '../kafka/kafka';
import type { Logger } from '../logger';
import { startNewTopicsFromBeginning } from './topicOrigin';

/**
 * Before a consumer joins: where Postgres says less was handled than Kafka's committed offsets say (a database
 * restored from an older backup), moves the group back to the stored offsets, so the records in between are
 * handled again instead of skipped. Only while the group has no members (the first instance to start): Kafka
 * refuses to move a running group's offsets. Partitions Postgres has no offset for keep Kafka's. Offsets stored from
 * another topic than the one now under the name are first dropped (startNewTopicsFromBeginning).
 */
export async function rewindToStoredOffsets(
  admin: Admin,
  pool: pg.Pool,
  groupId: string,
  topics: readonly string[],
  logger: Logger,
): Promise<void> {
  const { groups } = await admin.describeGroups([groupId]);
  if ((groups[0]?.members.length ?? 0) > 0) return;
  await startNewTopicsFromBeginning(admin, pool, groupId, topics, logger);
  const { rows } = await pool.query<{ topic: string; partition: number; next_offset: string }>(
    'SELECT topic, partition, next_offset::text FROM consumer_offsets WHERE group_id = $1 AND topic = ANY($2::text[])',
    [groupId, topics],
  );
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  for (const { topic, partitions } of committed) {
    const behind = partitions.flatMap(({ partition, offset }) => {
      const stored = rows.find((row) => row.topic === topic && row.partition === partition);
      return stored && BigInt(offset) > BigInt(stored.next_offset) ? [{ partition, offset: stored.next_offset }] : [];
    });
    if (behind.length > 0) await admin.setOffsets({ groupId, topic, partitions: behind });
  }
}

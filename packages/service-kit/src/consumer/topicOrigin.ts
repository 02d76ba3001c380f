import type pg from 'pg';
import type { Admin } from '../kafka/kafka';
import type { Logger } from '../logger';
import { type Transaction, withTransaction } from '../postgres/database';

interface StoredOffsets {
  clusterId: string | undefined;
  offsets: Array<{ partition: number; next_offset: string }>;
}

type TopicEnds = Array<{ partition: number; low: string; high: string }>;

/**
 * Ties a group's stored offsets to the topic they were read from. A topic whose stored offsets came from another
 * cluster, or lie beyond its end (deleted and recreated: kafkajs cannot see topic ids, see ADR 0002), is new: says so
 * at error level and starts it from its beginning, in Kafka and in Postgres. Only while the group has no members.
 */
export async function startNewTopicsFromBeginning(
  admin: Admin,
  pool: pg.Pool,
  groupId: string,
  topics: readonly string[],
  logger: Logger,
): Promise<void> {
  const { clusterId } = await admin.describeCluster();
  for (const topic of topics) {
    await withTransaction(pool, async (tx) => {
      // Two instances starting together must not both start the topic over once one of them is consuming it.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`consumer-offset-origin:${groupId}:${topic}`]);
      const stored = await storedOffsets(tx, groupId, topic);
      const ends = await admin.fetchTopicOffsets(topic);
      const mismatch = whyNotThisTopic(stored, clusterId, ends);
      if (mismatch) {
        logger.error(
          {
            group_id: groupId,
            topic,
            stored_cluster_id: stored.clusterId ?? null,
            cluster_id: clusterId,
            stored_offsets: stored.offsets,
            topic_ends: ends.map(({ partition, high }) => ({ partition, end_offset: high })),
          },
          `${mismatch}: consuming this topic again from its beginning`,
        );
        // Kafka first: were Postgres' offsets deleted and this to fail, the group would resume past the new records.
        await admin.setOffsets({
          groupId,
          topic,
          partitions: ends.map(({ partition, low }) => ({ partition, offset: low })),
        });
        await tx.query('DELETE FROM consumer_offsets WHERE group_id = $1 AND topic = $2', [groupId, topic]);
      }
      if (stored.clusterId !== clusterId) {
        await tx.query(
          `INSERT INTO consumer_offset_origins (group_id, topic, cluster_id) VALUES ($1, $2, $3)
           ON CONFLICT (group_id, topic) DO UPDATE SET cluster_id = EXCLUDED.cluster_id, recorded_at = now()`,
          [groupId, topic, clusterId],
        );
      }
    });
  }
}

/** Why the stored offsets cannot be this topic's, or undefined when they can. */
function whyNotThisTopic(stored: StoredOffsets, clusterId: string, ends: TopicEnds): string | undefined {
  if (stored.clusterId !== undefined && stored.clusterId !== clusterId) {
    return 'stored offsets come from another Kafka cluster';
  }
  const beyondEnd = stored.offsets.some((row) => {
    const end = ends.find(({ partition }) => partition === row.partition);
    return end === undefined || BigInt(row.next_offset) > BigInt(end.high);
  });
  return beyondEnd ? 'stored offsets lie beyond the end of the topic (deleted and recreated?)' : undefined;
}

async function storedOffsets(tx: Transaction, groupId: string, topic: string): Promise<StoredOffsets> {
  const origin = await tx.query<{ cluster_id: string }>(
    'SELECT cluster_id FROM consumer_offset_origins WHERE group_id = $1 AND topic = $2',
    [groupId, topic],
  );
  const offsets = await tx.query<{ partition: number; next_offset: string }>(
    'SELECT partition, next_offset::text FROM consumer_offsets WHERE group_id = $1 AND topic = $2 ORDER BY partition',
    [groupId, topic],
  );
  return { clusterId: origin.rows[0]?.cluster_id, offsets: offsets.rows };
}

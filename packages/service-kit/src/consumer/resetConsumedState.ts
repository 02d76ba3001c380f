import type { TopicSpec } from '@afternoon/contracts/topics';
import type pg from 'pg';
import type { KafkaConnection } from '../kafka/kafka';
import { withTransaction } from '../postgres/database';
import { commandsConsumerName, consumerGroupId } from './consumerGroupId';

export interface ConsumedState {
  pool: pg.Pool;
  kafka: KafkaConnection;
  topicPrefix: string;
  serviceName: string;
  /** The consumers to replay from the first record, by name, with the topic each reads. */
  consumers: Readonly<Record<string, TopicSpec>>;
  /** The tables those consumers fill, and nothing else does. */
  tables: readonly string[];
}

/**
 * Makes a stopped service derive again what it consumed from other services' topics: resets those consumers' groups
 * to the earliest offsets, then empties the tables they fed and their stored offsets, so they replay on next start.
 * Refuses while any of those groups, or the service's commands group, has members.
 */
export async function resetConsumedState(state: ConsumedState): Promise<void> {
  const { pool, kafka, topicPrefix, serviceName } = state;
  const admin = await kafka.admin();
  const consumed = Object.entries(state.consumers);
  const groupOf = (consumerName: string) => consumerGroupId(topicPrefix, serviceName, consumerName);
  const groups = consumed.map(([consumerName]) => groupOf(consumerName));
  const { groups: described } = await admin.describeGroups([...groups, groupOf(commandsConsumerName)]);
  const busy = described.filter((group) => group.members.length > 0).map((group) => group.groupId);
  if (busy.length > 0) throw new Error(`stop ${serviceName} first: ${busy.join(', ')} still has members`);

  // Kafka first: were the database emptied and the reset then to fail, the service would resume past everything.
  for (const [consumerName, topic] of consumed) {
    await admin.resetOffsets({ groupId: groupOf(consumerName), topic: kafka.topic(topic), earliest: true });
  }
  await withTransaction(pool, async (tx) => {
    if (state.tables.length > 0) await tx.query(`TRUNCATE ${state.tables.join(', ')}`);
    await tx.query('DELETE FROM consumer_offsets WHERE group_id = ANY($1::text[])', [groups]);
  });
}

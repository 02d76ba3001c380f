import { consumerGroupId, type KafkaConnection, rebuildProjections, withTransaction } from '@afternoon/service-kit';
import type pg from 'pg';
import { meteringConsumedTopics, meteringProjections, meteringServiceName } from './app';

/** The tables metering fills from the topics it consumes (not from its event store). */
const consumedTables = ['usage_events', 'rejected_events', 'known_customers'];

/**
 * Drops everything metering derived and makes it derive it again: the meters from its event store, at once; the
 * usage events, rejections and known customers by replaying the ingest and customer topics from their first
 * record (both are kept forever) when the service next starts; the rollups, rebuilt by its rollup builder then.
 * The service must be stopped: its consumer groups must have no members while their offsets are reset.
 */
export async function rebuildMetering(options: {
  pool: pg.Pool;
  kafka: KafkaConnection;
  topicPrefix: string;
}): Promise<{ meterEvents: number }> {
  const admin = await options.kafka.admin();
  const consumed = Object.entries(meteringConsumedTopics);
  const groupOf = (consumerName: string) => consumerGroupId(options.topicPrefix, meteringServiceName, consumerName);
  const groups = consumed.map(([consumerName]) => groupOf(consumerName));
  const { groups: described } = await admin.describeGroups(groups);
  const busy = described.filter((group) => group.members.length > 0).map((group) => group.groupId);
  if (busy.length > 0) throw new Error(`stop metering-service first: ${busy.join(', ')} still has members`);

  // Kafka first: were the database emptied and the reset then to fail, the service would resume past everything.
  for (const [consumerName, topic] of consumed) {
    await admin.resetOffsets({ groupId: groupOf(consumerName), topic: options.kafka.topic(topic), earliest: true });
  }
  await withTransaction(options.pool, async (tx) => {
    await tx.query(`TRUNCATE ${consumedTables.join(', ')}`);
    await tx.query('DELETE FROM consumer_offsets WHERE group_id = ANY($1::text[])', [groups]);
  });
  return { meterEvents: await rebuildProjections(options.pool, meteringProjections) };
}

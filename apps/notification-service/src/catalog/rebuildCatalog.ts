import { consumerGroupId, type KafkaConnection, resetConsumedState, withTransaction } from '@afternoon/service-kit';
import type pg from 'pg';
import { catalogConsumerTopics } from './catalogConsumers';

const serviceName = 'notification-service';

/**
 * Makes a stopped notification service make its catalog again: the events made from the topics and the folded
 * subjects are dropped (the service's own events, an endpoint disabled, stay) and the catalog's consumers replay their topics from the first record when it next starts, making the same events
 * with the same ids. Where each consumer had got to is kept first: the records before it are recorded again without
 * scheduling their deliveries again (the deliveries' history is in the event store and rebuilt from it).
 */
export async function rebuildCatalog(options: { pool: pg.Pool; kafka: KafkaConnection; topicPrefix: string }) {
  const groups = Object.keys(catalogConsumerTopics).map((name) =>
    consumerGroupId(options.topicPrefix, serviceName, name),
  );
  await withTransaction(options.pool, (tx) =>
    tx.query(
      `INSERT INTO catalog_replayed_offsets (topic, partition, next_offset)
       SELECT topic, partition, max(next_offset) FROM consumer_offsets WHERE group_id = ANY($1::text[])
        GROUP BY topic, partition
       ON CONFLICT (topic, partition)
       DO UPDATE SET next_offset = GREATEST(catalog_replayed_offsets.next_offset, EXCLUDED.next_offset)`,
      [groups],
    ),
  );
  await resetConsumedState({
    ...options,
    serviceName,
    consumers: catalogConsumerTopics,
    tables: ['catalog_subjects'],
  });
  // After the reset: were this to fail, the replay would find the events still there and make them again alike.
  await options.pool.query('DELETE FROM webhook_events WHERE source IS NOT NULL');
}

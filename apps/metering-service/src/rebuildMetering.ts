import { type KafkaConnection, rebuildProjections, resetConsumedState } from '@afternoon/service-kit';
import type pg from 'pg';
import { meteringConsumedTopics, meteringProjections, meteringServiceName } from './app';

/**
 * The tables metering fills from the topics it consumes (not from its event store). Not `usage_metered_through`:
 * what metering published on `usage.metered` stays published, so the replay does not publish it again.
 */
const consumedTables = ['usage_events', 'usage_duplicates', 'rejected_events', 'known_customers'];

/**
 * Drops everything metering derived and makes it derive it again: the meters from its event store, at once; the
 * usage events, rejections and known customers by replaying the ingest and customer topics from their first
 * record (both are kept forever) when the service next starts; the rollups, rebuilt by its rollup builder then.
 * The replay publishes nothing on `usage.metered` for records it had published before: invoicing rated those
 * already, by the meters of the time. The service must be stopped: its consumer groups must have no members while
 * their offsets are reset.
 */
export async function rebuildMetering(options: {
  pool: pg.Pool;
  kafka: KafkaConnection;
  topicPrefix: string;
}): Promise<{ meterEvents: number }> {
  await resetConsumedState({
    ...options,
    serviceName: meteringServiceName,
    consumers: meteringConsumedTopics,
    tables: consumedTables,
  });
  return { meterEvents: await rebuildProjections(options.pool, meteringProjections) };
}

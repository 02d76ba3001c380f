import { type KafkaConnection, rebuildProjections } from '@afternoon/service-kit';
import type pg from 'pg';
import { rebuildAlertTotals } from './alerts/rebuildAlertTotals';
import { notificationProjections } from './app';
import { rebuildCatalog } from './catalog/rebuildCatalog';
import { rebuildTestClockTimes } from './emails/reminders/rebuildTestClockTimes';

/**
 * Drops everything notification-service derived and makes it derive it again: the projections from its event store,
 * at once; the catalog (events log and subjects), the alerts' totals and the test clocks' times reminders follow by
 * replaying the topics they were consumed from (kept forever) when the service next starts. Commands are not
 * replayed, nor is the service's own `notification.events` (what its consumers of it did is in the event store).
 * The service must be stopped.
 */
export async function rebuildNotifications(options: {
  pool: pg.Pool;
  kafka: KafkaConnection;
  topicPrefix: string;
}): Promise<{ events: number }> {
  await rebuildCatalog(options);
  await rebuildAlertTotals(options);
  await rebuildTestClockTimes(options);
  return { events: await rebuildProjections(options.pool, notificationProjections) };
}

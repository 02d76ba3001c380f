import { Topics } from '@afternoon/contracts/topics';
import { type KafkaConnection, resetConsumedState } from '@afternoon/service-kit';
import type pg from 'pg';
import { alertSubscriptionsConsumer } from './alertSubscriptions';
import { usageAlertsConsumer } from './usageAlertsConsumer';

/**
 * Makes a stopped notification service count usage for its alerts again: the totals, the usage ids counted and the
 * subscriptions folded are dropped, and their consumers replay `usage.metered` and `invoice.events` from the first
 * record when it next starts. The notices are the event store's (rebuilt from it), so a threshold already told is
 * not told again, and one is told only for usage received after its alert, as the first time.
 */
export function rebuildAlertTotals(options: { pool: pg.Pool; kafka: KafkaConnection; topicPrefix: string }) {
  return resetConsumedState({
    ...options,
    serviceName: 'notification-service',
    consumers: {
      [usageAlertsConsumer.name]: Topics.usageMetered,
      [alertSubscriptionsConsumer.name]: Topics.invoiceEvents,
    },
    tables: ['alert_usage', 'alert_counted_usage', 'alert_subscriptions'],
  });
}

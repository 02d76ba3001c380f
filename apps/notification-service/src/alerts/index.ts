import { AlertCommand as AlertCommandSchema, AlertEvent, alertEventWireNames } from '@afternoon/contracts/alerts';
import { type AggregateDefinition, commandTypesOf, type Slice } from '@afternoon/service-kit';
import type { AlertState } from './alert';
import { alertNoticesProjection } from './alertNotices';
import { alertSubscriptionsConsumer } from './alertSubscriptions';
import { alertRoutes } from './api';
import { type AlertCommand, alertDecider } from './businessLogic';
import { alertsProjection } from './getAlerts';
import { alertStream, usageAlertsConsumer } from './usageAlertsConsumer';

export const alertAggregate: AggregateDefinition<AlertCommand, AlertEvent, AlertState> = {
  commandTypes: commandTypesOf(AlertCommandSchema),
  commandSchema: AlertCommandSchema,
  eventSchema: AlertEvent,
  eventWireNames: alertEventWireNames,
  streamId: (command) => alertStream(command.data.alert_id),
  decider: alertDecider,
  result: (state, command) => (state.status === 'active' ? state.alert : { id: command.data.alert_id, deleted: true }),
};

/**
 * Usage alerts: created and deleted by command, told once per customer and period as stored usage crosses them.
 * Every customer's `count` and `sum` usage is totalled per meter and period whether or not an alert watches it, so
 * an alert created mid-period counts the period's usage so far; only usage received after the alert tells it (the
 * first such event at or past the threshold, when the period's total already was).
 */
export const alertsSlice: Slice = {
  name: 'alerts',
  aggregates: [alertAggregate],
  projections: [alertsProjection, alertNoticesProjection],
  consumers: [usageAlertsConsumer, alertSubscriptionsConsumer],
  routes: alertRoutes,
};

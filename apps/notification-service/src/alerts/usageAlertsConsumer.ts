import { type AlertThresholdReached, alertEventWireNames } from '@afternoon/contracts/alerts';
import { Headers } from '@afternoon/contracts/messaging';
import { MeteredUsageRecord } from '@afternoon/contracts/meteredUsage';
import { cleanMeteredUsageRecord } from '@afternoon/contracts/meteredUsageCheck';
import { Topics } from '@afternoon/contracts/topics';
import {
  type ConsumedRecord,
  type ConsumerDefinition,
  NotYetError,
  PoisonRecordError,
  parseRecordJson,
  recordEvents,
  type ServiceContext,
  type Tenant,
  type Transaction,
} from '@afternoon/service-kit';
import { announceOwnEvent } from '../catalog/announceOwnEvent';
import { alertNoticesProjection, noticesGiven } from './alertNotices';
import { alertSubscriptionsConsumer, subscriptionSchedulesOf } from './alertSubscriptions';
import { countOnce, lockTotals, saveTotals } from './alertUsage';
import { alertsWatching } from './getAlerts';
import { lifetime, usagePeriod } from './usagePeriod';
import { type CountedEvent, type Crossing, tallyUsage } from './usageTally';

/** How long a record waits for the subscriptions known when it was published before it is retried. */
const subscriptionsCatchUpMs = 5_000;

/**
 * Counts what metering stored (`usage.metered`) into each customer's running totals per meter and period, and
 * tells every alert the usage took to or past its threshold (`AlertThresholdReached` on the alert's stream, queued
 * for `notification.events`), with the consumer's offsets: decided as usage is stored, never by a schedule.
 */
export const usageAlertsConsumer: ConsumerDefinition = {
  name: 'usage-alerts',
  topics: [Topics.usageMetered],
  deadLetterTopic: Topics.consumerDeadLetter,
  async handle(tx, record, context) {
    context.setType('metered_usage');
    await countUsage(tx, record, context);
  },
  async handleBatch(tx, records, context) {
    for (const record of records) await countUsage(tx, record, context);
  },
};

/** The stream of an alert, where its notices go beside its creation and deletion. */
export const alertStream = (alertId: string) => `alert-${alertId}`;

async function countUsage(tx: Transaction, record: ConsumedRecord, context: ServiceContext): Promise<void> {
  const usage = meteredUsageOf(record);
  const tenant: Tenant = { organizationId: usage.organization_id, mode: usage.mode };
  const customerId = usage.customer_id;
  const events = (await countOnce(tx, usage))
    .map((event) => ({
      event,
      quantities: event.meters.flatMap(({ meter_code, aggregation, quantity }) =>
        quantity !== null && (aggregation === 'count' || aggregation === 'sum')
          ? [{ meterCode: meter_code, quantity }]
          : [],
      ),
    }))
    .filter(({ quantities }) => quantities.length > 0);
  if (events.length === 0) return;

  // A billing period is cut by the subscriptions invoicing had published when metering published this record.
  // Whether they are all handled is asked of Kafka beside the work (positions read first, in this transaction); if
  // they were not, the record waits for them and is tried again, so what it decided is never kept.
  const published = new Date(Number(record.timestamp));
  const subscriptionsHandled = context.processedThroughWaiter(alertSubscriptionsConsumer.name, Topics.invoiceEvents);
  const check = subscriptionsHandled.check(published);
  await check.readPositions(tx);
  const subscriptions = await subscriptionSchedulesOf(tx, tenant, customerId);
  const counted: CountedEvent[] = events.map(({ event, quantities }) => ({
    usageId: event.usage_id,
    timestamp: event.timestamp,
    receivedAt: event.received_at,
    quantities,
    periods: {
      billing_period: usagePeriod('billing_period', subscriptions, new Date(event.timestamp)),
      lifetime,
    },
  }));

  const meterCodes = [...new Set(counted.flatMap((event) => event.quantities.map((q) => q.meterCode)))];
  const wanted = counted.flatMap((event) =>
    event.quantities.flatMap(({ meterCode }) => [
      { meterCode, period: event.periods.billing_period },
      { meterCode, period: lifetime },
    ]),
  );
  const totals = await lockTotals(tx, tenant, customerId, wanted);
  const alerts = await alertsWatching(tx, tenant, customerId, meterCodes);
  const notified = await noticesGiven(
    tx,
    tenant,
    customerId,
    alerts.map((alert) => alert.id),
  );
  const tally = tallyUsage(customerId, counted, alerts, totals, notified);
  if (!(await check.passed())) {
    await subscriptionsHandled(published, subscriptionsCatchUpMs);
    throw new NotYetError('subscriptions from invoice.events were behind usage.metered; counting it again');
  }
  await saveTotals(tx, tenant, customerId, tally.totals);
  for (const crossing of tally.crossings) await announce(tx, record, usage, crossing, context);
}

/** The record as the contract reads it: vouched for by the fast check, or else parsed by zod (which names the problems). */
function meteredUsageOf(record: ConsumedRecord): MeteredUsageRecord {
  const value = parseRecordJson(record.value);
  const clean = cleanMeteredUsageRecord(value);
  if (clean) return clean;
  const parsed = MeteredUsageRecord.safeParse(value);
  if (!parsed.success) throw new PoisonRecordError(`invalid metered usage record: ${parsed.error.message}`);
  return parsed.data;
}

/**
 * Appends the notice to the alert's stream, records it, queues it for `notification.events`, and announces it to the
 * webhook endpoints (`usage.threshold_reached`).
 */
async function announce(
  tx: Transaction,
  record: ConsumedRecord,
  usage: MeteredUsageRecord,
  crossing: Crossing,
  context: ServiceContext,
): Promise<void> {
  const notice: AlertThresholdReached = { type: 'AlertThresholdReached', data: crossing };
  const source = `${record.topic}/${record.partition}/${record.offset}`;
  const stored = await recordEvents(tx, context.schema, {
    streamId: alertStream(crossing.alert_id),
    expectedVersion: 'latest',
    events: [notice],
    metadata: {
      organization_id: usage.organization_id,
      mode: usage.mode,
      occurred_at: new Date(Number(record.timestamp)).toISOString(),
      correlation_id: record.headers[Headers.correlationId] ?? source,
      causation_id: source,
    },
    projections: [alertNoticesProjection],
    wireNames: alertEventWireNames,
    topicOf: () => context.kafka.topic(Topics.notificationEvents),
  });
  for (const event of stored) {
    const { alert_id, customer_id, meter_code, threshold, value, period_start, period_end } = crossing;
    const data = { alert_id, customer_id, meter_code, threshold, value, period_start, period_end };
    await announceOwnEvent(tx, context, { organizationId: usage.organization_id, mode: usage.mode }, event, {
      type: 'usage.threshold_reached',
      data,
    });
  }
}

import type { SubscriptionSchedule } from '@afternoon/billing-core/billingBoundaries';
import { type AlertThresholdReached, alertEventWireNames } from '@afternoon/contracts/alerts';
import { Headers } from '@afternoon/contracts/messaging';
import { type MeteredEvent, MeteredUsageRecord } from '@afternoon/contracts/meteredUsage';
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
  type Transaction,
} from '@afternoon/service-kit';
import { announceOwnEvent } from '../catalog/announceOwnEvent';
import { alertNoticesProjection, noticesGiven } from './alertNotices';
import { alertSubscriptionsConsumer, subscriptionSchedulesOf } from './alertSubscriptions';
import { countOnce, customerName, lockTotals, saveTotals, type UsageCustomer, type WantedTotal } from './alertUsage';
import { alertsWatching } from './getAlerts';
import { lifetime, usagePeriod } from './usagePeriod';
import { type CountedEvent, type Crossing, noticeKey, tallyUsage, totalKey, type UsageTotal } from './usageTally';

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
    await countUsage(tx, [record], context);
  },
  async handleBatch(tx, records, context) {
    await countUsage(tx, records, context);
  },
};

/** The stream of an alert, where its notices go beside its creation and deletion. */
export const alertStream = (alertId: string) => `alert-${alertId}`;

/** One record's new events, as alerts count them. */
interface CountedRecord {
  record: ConsumedRecord;
  usage: MeteredUsageRecord;
  customer: UsageCustomer;
  events: CountedEvent[];
}

/**
 * Counts a batch's records in their order, reading and writing what they share once for the batch: the usage ids
 * counted, the customers' subscriptions, totals, alerts and notices (each statement over all the batch's customers).
 */
async function countUsage(tx: Transaction, records: readonly ConsumedRecord[], context: ServiceContext) {
  const usages = records.map((record) => ({ record, usage: meteredUsageOf(record) }));
  const fresh = await countOnce(
    tx,
    usages.map(({ usage }) => additiveEvents(usage.events)),
  );
  const counting = usages
    .map(({ record, usage }, index) => ({ record, usage, events: fresh[index] ?? [] }))
    .filter(({ events }) => events.length > 0);
  if (counting.length === 0) return;

  // A billing period is cut by the subscriptions invoicing had published when metering published these records.
  // Whether they are all handled is asked of Kafka beside the work (positions read first, in this transaction); if
  // they were not, the batch waits for them and is tried again, so what it decided is never kept.
  const published = new Date(Math.max(...counting.map(({ record }) => Number(record.timestamp))));
  const subscriptionsHandled = context.processedThroughWaiter(alertSubscriptionsConsumer.name, Topics.invoiceEvents);
  const check = subscriptionsHandled.check(published);
  await check.readPositions(tx);
  const customers = [
    ...new Map(counting.map(({ usage }) => customerOf(usage)).map((c) => [customerName(c), c])).values(),
  ];
  const subscriptions = await subscriptionSchedulesOf(tx, customers);
  const counted = counting.map(({ record, usage, events }): CountedRecord => {
    const customer = customerOf(usage);
    const schedules = subscriptions.get(customerName(customer)) ?? [];
    return { record, usage, customer, events: events.map((event) => countedEvent(event, schedules)) };
  });
  const tallied = await tallyRecords(tx, customers, counted);
  if (!(await check.passed())) {
    await subscriptionsHandled(published, subscriptionsCatchUpMs);
    throw new NotYetError('subscriptions from invoice.events were behind usage.metered; counting it again');
  }
  await saveTotals(tx, tallied.totals);
  for (const { record, usage, crossing } of tallied.crossings) await announce(tx, record, usage, crossing, context);
}

/** An event some additive meter (`count`, `sum`) counts, with what each takes from it. */
interface AdditiveEvent {
  usageId: string;
  event: MeteredEvent;
  quantities: CountedEvent['quantities'];
}

/** The events with what their additive meters take from them; events with none change no total and are left out. */
function additiveEvents(events: readonly MeteredEvent[]): AdditiveEvent[] {
  return events
    .map((event) => ({
      usageId: event.usage_id,
      event,
      quantities: event.meters.flatMap(({ meter_code, aggregation, quantity }) =>
        quantity !== null && (aggregation === 'count' || aggregation === 'sum')
          ? [{ meterCode: meter_code, quantity }]
          : [],
      ),
    }))
    .filter(({ quantities }) => quantities.length > 0);
}

function countedEvent(
  { event, quantities }: AdditiveEvent,
  subscriptions: readonly SubscriptionSchedule[],
): CountedEvent {
  return {
    usageId: event.usage_id,
    timestamp: event.timestamp,
    receivedAt: event.received_at,
    quantities,
    periods: {
      billing_period: usagePeriod('billing_period', subscriptions, new Date(event.timestamp)),
      lifetime,
    },
  };
}

const customerOf = (usage: MeteredUsageRecord): UsageCustomer => ({
  organizationId: usage.organization_id,
  mode: usage.mode,
  customerId: usage.customer_id,
});

/**
 * Tallies each record in turn on its customer's totals (locked, read once), each record seeing what the ones before
 * it counted and told: the totals to save (each once, its last value) and the crossings, with the record each came of.
 */
async function tallyRecords(tx: Transaction, customers: readonly UsageCustomer[], counted: readonly CountedRecord[]) {
  // Each (customer, meter, period) once, however many events count in it.
  const wanted = new Map<string, WantedTotal>();
  for (const { customer, events } of counted) {
    for (const event of events) {
      for (const { meterCode } of event.quantities) {
        for (const period of [event.periods.billing_period, lifetime]) {
          const key = `${customerName(customer)}\u0000${totalKey(meterCode, period)}`;
          if (!wanted.has(key)) wanted.set(key, { customer, meterCode, period });
        }
      }
    }
  }
  const meterCodes = [...new Set([...wanted.values()].map(({ meterCode }) => meterCode))];
  const totals = await lockTotals(tx, [...wanted.values()]);
  const alerts = await alertsWatching(tx, customers, meterCodes);
  const alertIds = [...new Set([...alerts.values()].flat().map((alert) => alert.id))];
  const notified = await noticesGiven(tx, customers, alertIds);
  const moved = new Map<string, { customer: UsageCustomer; total: UsageTotal }>();
  const crossings: { record: ConsumedRecord; usage: MeteredUsageRecord; crossing: Crossing }[] = [];
  for (const { record, usage, customer, events } of counted) {
    const name = customerName(customer);
    const running = totals.get(name) ?? new Map<string, string>();
    totals.set(name, running);
    const told = notified.get(name) ?? new Set<string>();
    notified.set(name, told);
    const tally = tallyUsage(customer.customerId, events, alerts.get(name) ?? [], running, told);
    for (const total of tally.totals) {
      const key = totalKey(total.meterCode, total.period);
      running.set(key, total.quantity);
      moved.set(`${name}\u0000${key}`, { customer, total });
    }
    for (const crossing of tally.crossings) {
      const start = crossing.period_start === null ? null : new Date(crossing.period_start);
      told.add(noticeKey(crossing.alert_id, { start, end: null }));
      crossings.push({ record, usage, crossing });
    }
  }
  return { totals: [...moved.values()], crossings };
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

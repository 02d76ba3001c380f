import type { LowBalanceThresholdSetting } from '@afternoon/contracts/billingSettings';
import { type RatedUsage, type RatingEvent, ratingEventWireNames, type UsageRated } from '@afternoon/contracts/credits';
import type { EventMetadata } from '@afternoon/contracts/messaging';
import { Headers } from '@afternoon/contracts/messaging';
import { type MeteredEvent, MeteredUsageRecord } from '@afternoon/contracts/meteredUsage';
import { cleanMeteredUsageRecord } from '@afternoon/contracts/meteredUsageCheck';
import { Topics } from '@afternoon/contracts/topics';
import {
  type ConsumedRecord,
  type ConsumerDefinition,
  PoisonRecordError,
  parseRecordJson,
  recordStreams,
  type ServiceContext,
  type StreamEvents,
  type Tenant,
  type Transaction,
} from '@afternoon/service-kit';
import { lowBalanceThresholdsOf } from '../billingSettings/getBillingSettings';
import { getPlan } from '../plans/getPlans';
import { type SubscriptionRow, toRecord } from '../subscriptions/getSubscriptions';
import { type BalanceStep, balanceCrossings } from './balanceThresholds';
import { CreditBook } from './creditBook';
import { notifyRatedUsage, ratedUsageProjection } from './getRatedUsage';
import { LockedTotals } from './lockedTotals';
import { type RatedSubscription, rateEvents } from './rateEvents';

/**
 * Rates what metering stored (`usage.metered`), in batches: each record's new events at their marginal cost, drawn
 * from the customer's grants, decided once as `UsageRated` on the customer's rating stream, projected into the
 * ledger and queued for `usage.rated`, with the consumer's offsets; a balance the record took below the
 * organization's low-balance threshold or to zero is announced on `invoice.events` (`BalanceLow`, `BalanceDepleted`, after the
 * `UsageRated` on the same stream). A record that breaks the contract is dead-lettered.
 */
export const ratingConsumer: ConsumerDefinition = {
  name: 'rating',
  topics: [Topics.usageMetered],
  deadLetterTopic: Topics.consumerDeadLetter,
  async handle(tx, record, context) {
    context.setType('metered_usage');
    await rateRecords(tx, [record], context);
  },
  async handleBatch(tx, records, context) {
    await rateRecords(tx, records, context);
  },
};

/** The stream of one customer's rating decisions. */
export const ratingStream = (customerId: string) => `usage_rating-${customerId}`;

/** At most this many rated events in one `UsageRated`, so an event stays well inside the outbox's byte bound. */
const maxRatedPerEvent = 100;

async function rateRecords(tx: Transaction, records: readonly ConsumedRecord[], context: ServiceContext) {
  const parsed = records.map((record) => ({ record, usage: meteredUsageOf(record) }));
  const customers = parsed.map(({ usage }) => customerOf(usage));
  // First, before anything is written: see CreditBook.
  const book = await CreditBook.lock(tx, customers);
  const thresholds = new Thresholds(tx);
  const subscriptions = await subscriptionsOf(tx, customers);
  const fresh = await unrated(
    tx,
    parsed.map(({ usage }) => usage),
  );
  // One view of the running totals for the batch: what a record rates is projected only when the batch is recorded.
  const totals = new LockedTotals(tx);
  const decisions: StreamEvents[] = [];
  for (const [index, { record, usage }] of parsed.entries()) {
    const lookups = {
      book,
      thresholds,
      totals,
      subscriptions: subscriptions.get(customerName(customerOf(usage))) ?? [],
    };
    const decided = await rateRecord(usage, fresh[index] ?? [], lookups);
    decisions.push({
      streamId: ratingStream(usage.customer_id),
      expectedVersion: 'latest',
      events: decided,
      metadata: metadataOf(record, usage),
    });
  }
  await recordStreams(tx, context.schema, decisions, {
    projections: [ratedUsageProjection],
    wireNames: ratingEventWireNames,
    topicOf: (event) => context.kafka.topic(event.type === 'UsageRated' ? Topics.usageRated : Topics.invoiceEvents),
  });
  await notifyRatedUsage(tx, context.schema);
}

/** What a batch reads once, however many of its records name the same tenant or customer. */
interface BatchLookups {
  book: CreditBook;
  thresholds: Thresholds;
  totals: LockedTotals;
  /** The record's customer's subscriptions. */
  subscriptions: readonly RatedSubscription[];
}

/** Each tenant's low-balance thresholds, read once a batch. */
class Thresholds {
  private readonly byTenant = new Map<string, Promise<LowBalanceThresholdSetting[]>>();

  constructor(private readonly tx: Transaction) {}

  of(tenant: Tenant): Promise<LowBalanceThresholdSetting[]> {
    const name = `${tenant.organizationId}/${tenant.mode}`;
    let thresholds = this.byTenant.get(name);
    if (!thresholds) {
      thresholds = lowBalanceThresholdsOf(this.tx, tenant);
      this.byTenant.set(name, thresholds);
    }
    return thresholds;
  }
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

/** What rating one record decides: its events' `UsageRated`, then any balance threshold they crossed. */
async function rateRecord(
  usage: MeteredUsageRecord,
  events: readonly MeteredEvent[],
  { book, thresholds, totals, subscriptions }: BatchLookups,
): Promise<RatingEvent[]> {
  if (events.length === 0) return [];
  const tenant: Tenant = { organizationId: usage.organization_id, mode: usage.mode };
  const customerId = usage.customer_id;
  // One event at a time, to know after which event a balance crossed a threshold.
  const before = book.available(customerId);
  const rated: RatedUsage[] = [];
  const steps: BalanceStep[] = [];
  for (const event of events) {
    rated.push(...(await rateEvents(customerId, [event], subscriptions, totals, book)));
    if (before.size > 0) steps.push({ at: event.timestamp, balances: book.available(customerId) });
  }
  return [
    ...chunks(rated).map(
      (chunk): UsageRated => ({ type: 'UsageRated', data: { customer_id: customerId, rated: chunk } }),
    ),
    // A customer without grants has no balance to cross.
    ...(before.size > 0 ? balanceCrossings(customerId, await thresholds.of(tenant), before, steps) : []),
  ];
}

/**
 * Each record's events not rated before, in the records' order (one statement for the batch): an event is rated in
 * the first record that holds it, so a republished record, or one event twice in a batch, is rated once.
 * Each id is looked up by the key: given thousands of ids, the planner would rather scan the whole, ever-growing
 * table (LIMIT keeps the lateral subquery from being flattened into such a join; see metering's storeUsageEvents).
 */
async function unrated(tx: Transaction, usages: readonly MeteredUsageRecord[]): Promise<MeteredEvent[][]> {
  const ids = [...new Set(usages.flatMap((usage) => usage.events.map((event) => event.usage_id)))];
  const { rows } = await tx.query<{ usage_id: string }>(
    `SELECT rated.usage_id FROM unnest($1::text[]) AS batch (usage_id)
       CROSS JOIN LATERAL (SELECT usage_id FROM rated_usage WHERE usage_id = batch.usage_id LIMIT 1) rated`,
    [ids],
  );
  const seen = new Set(rows.map((row) => row.usage_id));
  return usages.map((usage) => usage.events.filter((event) => !seen.has(event.usage_id) && seen.add(event.usage_id)));
}

/**
 * Every subscription of the batch's customers (by `customerName`), oldest first, with
 * the plan version it is on; rating picks those running at each event. One statement for the batch's customers.
 */
async function subscriptionsOf(
  tx: Transaction,
  customers: readonly (Tenant & { customerId: string })[],
): Promise<Map<string, RatedSubscription[]>> {
  const { rows } = await tx.query<SubscriptionRow & { organization_id: string; mode: Tenant['mode'] }>(
    `SELECT s.* FROM subscriptions s
       JOIN (SELECT DISTINCT * FROM unnest($1::text[], $2::text[], $3::text[])) AS c (organization_id, mode, customer_id)
         ON s.organization_id = c.organization_id AND s.mode = c.mode AND s.customer_id = c.customer_id
      ORDER BY s.created_at, s.id`,
    [
      customers.map((customer) => customer.organizationId),
      customers.map((customer) => customer.mode),
      customers.map((customer) => customer.customerId),
    ],
  );
  const rated = new Map<string, RatedSubscription[]>();
  // Customers of a batch mostly share a few plan versions: each is read once.
  const plans = new Map<string, ReturnType<typeof getPlan>>();
  for (const row of rows) {
    const tenant = { organizationId: row.organization_id, mode: row.mode };
    const planKey = [row.organization_id, row.mode, row.plan_code, row.plan_version].join('\u0000');
    const reading = plans.get(planKey) ?? getPlan(tx, tenant, row.plan_code, row.plan_version);
    plans.set(planKey, reading);
    const plan = await reading;
    const name = customerName({ ...tenant, customerId: row.customer_id });
    if (plan) rated.set(name, [...(rated.get(name) ?? []), { record: toRecord(row), plan }]);
  }
  return rated;
}

const customerOf = (usage: MeteredUsageRecord) => ({
  organizationId: usage.organization_id,
  mode: usage.mode,
  customerId: usage.customer_id,
});

/** Names a customer of a tenant in a batch's maps. */
const customerName = (customer: Tenant & { customerId: string }) =>
  `${customer.organizationId}\u0000${customer.mode}\u0000${customer.customerId}`;

function chunks(rated: readonly RatedUsage[]): RatedUsage[][] {
  const result: RatedUsage[][] = [];
  for (let start = 0; start < rated.length; start += maxRatedPerEvent)
    result.push(rated.slice(start, start + maxRatedPerEvent));
  return result;
}

/** Caused by the `usage.metered` record it rates, dated by that record's time on the topic. */
function metadataOf(record: ConsumedRecord, usage: MeteredUsageRecord): EventMetadata {
  const source = `${record.topic}/${record.partition}/${record.offset}`;
  return {
    organization_id: usage.organization_id,
    mode: usage.mode,
    occurred_at: new Date(Number(record.timestamp)).toISOString(),
    correlation_id: record.headers[Headers.correlationId] ?? source,
    causation_id: source,
  };
}

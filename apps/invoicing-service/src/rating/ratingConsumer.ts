import type { LowBalanceThresholdSetting } from '@afternoon/contracts/billingSettings';
import { type RatedUsage, type RatingEvent, ratingEventWireNames, type UsageRated } from '@afternoon/contracts/credits';
import type { EventMetadata } from '@afternoon/contracts/messaging';
import { Headers } from '@afternoon/contracts/messaging';
import { MeteredUsageRecord } from '@afternoon/contracts/meteredUsage';
import { cleanMeteredUsageRecord } from '@afternoon/contracts/meteredUsageCheck';
import { Topics } from '@afternoon/contracts/topics';
import {
  type ConsumedRecord,
  type ConsumerDefinition,
  PoisonRecordError,
  parseRecordJson,
  recordEvents,
  type ServiceContext,
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
  // First, before anything is written: see CreditBook.
  const book = await CreditBook.lock(
    tx,
    parsed.map(({ usage }) => ({
      organizationId: usage.organization_id,
      mode: usage.mode,
      customerId: usage.customer_id,
    })),
  );
  const thresholds = new Thresholds(tx);
  const subscriptions = new Map<string, Promise<RatedSubscription[]>>();
  const subscriptionsOfCustomer = (tenant: Tenant, customerId: string) => {
    const name = `${tenant.organizationId}/${tenant.mode}/${customerId}`;
    const known = subscriptions.get(name) ?? subscriptionsOf(tx, tenant, customerId);
    subscriptions.set(name, known);
    return known;
  };
  for (const { record, usage } of parsed)
    await rateRecord(tx, record, usage, { book, thresholds, subscriptionsOfCustomer }, context);
  await notifyRatedUsage(tx, context.schema);
}

/** What a batch reads once, however many of its records name the same tenant or customer. */
interface BatchLookups {
  book: CreditBook;
  thresholds: Thresholds;
  subscriptionsOfCustomer(tenant: Tenant, customerId: string): Promise<RatedSubscription[]>;
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

async function rateRecord(
  tx: Transaction,
  record: ConsumedRecord,
  usage: MeteredUsageRecord,
  { book, thresholds, subscriptionsOfCustomer }: BatchLookups,
  context: ServiceContext,
): Promise<void> {
  const tenant: Tenant = { organizationId: usage.organization_id, mode: usage.mode };
  const customerId = usage.customer_id;
  const events = await unrated(tx, usage);
  if (events.length === 0) return;
  const subscriptions = await subscriptionsOfCustomer(tenant, customerId);
  const totals = new LockedTotals(tx);
  // One event at a time, to know after which event a balance crossed a threshold.
  const before = book.available(customerId);
  const rated: RatedUsage[] = [];
  const steps: BalanceStep[] = [];
  for (const event of events) {
    rated.push(...(await rateEvents(customerId, [event], subscriptions, totals, book)));
    if (before.size > 0) steps.push({ at: event.timestamp, balances: book.available(customerId) });
  }
  const decided: RatingEvent[] = [
    ...chunks(rated).map(
      (chunk): UsageRated => ({ type: 'UsageRated', data: { customer_id: customerId, rated: chunk } }),
    ),
    // A customer without grants has no balance to cross.
    ...(before.size > 0 ? balanceCrossings(customerId, await thresholds.of(tenant), before, steps) : []),
  ];
  await recordEvents(tx, context.schema, {
    streamId: ratingStream(customerId),
    expectedVersion: 'latest',
    events: decided,
    metadata: metadataOf(record, usage),
    projections: [ratedUsageProjection],
    wireNames: ratingEventWireNames,
    topicOf: (event) => context.kafka.topic(event.type === 'UsageRated' ? Topics.usageRated : Topics.invoiceEvents),
  });
}

/** The record's events not rated before (a republished record, or one event twice in it, is rated once). */
async function unrated(tx: Transaction, usage: MeteredUsageRecord) {
  const ids = usage.events.map((event) => event.usage_id);
  const { rows } = await tx.query<{ usage_id: string }>(
    'SELECT usage_id FROM rated_usage WHERE usage_id = ANY($1::text[])',
    [ids],
  );
  const seen = new Set(rows.map((row) => row.usage_id));
  return usage.events.filter((event) => !seen.has(event.usage_id) && seen.add(event.usage_id));
}

/** Every subscription of the customer, with the plan version it is on; rating picks those running at each event. */
async function subscriptionsOf(tx: Transaction, tenant: Tenant, customerId: string): Promise<RatedSubscription[]> {
  const { rows } = await tx.query<SubscriptionRow>(
    `SELECT * FROM subscriptions WHERE organization_id = $1 AND mode = $2 AND customer_id = $3
      ORDER BY created_at, id`,
    [tenant.organizationId, tenant.mode, customerId],
  );
  const rated: RatedSubscription[] = [];
  for (const row of rows) {
    const plan = await getPlan(tx, tenant, row.plan_code, row.plan_version);
    if (plan) rated.push({ record: toRecord(row), plan });
  }
  return rated;
}

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

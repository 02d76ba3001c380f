import { InvoiceCreated, type SubscriptionBilling } from '@afternoon/contracts/invoices';
import type { PlanInterval } from '@afternoon/contracts/plans';
import {
  type ListSubscriptionsQuery,
  type PrepaidRefundPolicy,
  type Subscription,
  SubscriptionEvent,
  type SubscriptionList,
  type SubscriptionStatus,
  type SubscriptionTerms,
} from '@afternoon/contracts/subscriptions';
import {
  ConflictError,
  isUniqueViolation,
  keysetPage,
  newestFirstSql,
  type Projection,
  type Queryable,
  type StoredEvent,
  type Tenant,
  type Transaction,
} from '@afternoon/service-kit';
import { customerClockTimes, customerNow } from '../../customerClock/customerClock';
import { type SubscriptionRecord, toSubscription } from '../subscription';

/**
 * The `subscriptions` table, one row per subscription, including those a plan change made before their own
 * stream has any event. Its unique index keeps one live subscription per customer and plan. A subscription's
 * invoice (`InvoiceCreated` with its billing) moves the subscription's billing on past the boundary it bills.
 */
export const subscriptionsProjection: Projection = {
  name: 'subscriptions',
  tables: ['subscriptions'],
  handles: [
    'SubscriptionCreated',
    'SubscriptionUpdated',
    'SubscriptionActivated',
    'SubscriptionCanceled',
    'SubscriptionCancelScheduled',
    'SubscriptionPlanChanged',
    'InvoiceCreated',
  ],
  apply: (tx, stored) => applySubscriptionEvents(tx, [stored]),
  applyAll: applySubscriptionEvents,
};

async function applySubscriptionEvents(tx: Transaction, events: readonly StoredEvent[]): Promise<void> {
  // A run of invoices (the billing run's batch) moves its subscriptions on in one statement.
  let billed: SubscriptionBilling[] = [];
  for (const stored of events) {
    if (stored.type === 'InvoiceCreated') {
      const { billing } = InvoiceCreated.parse(stored).data;
      if (billing) billed.push(billing);
      continue;
    }
    await recordBilledBoundaries(tx, billed);
    billed = [];
    await applySubscriptionEvent(tx, stored);
  }
  await recordBilledBoundaries(tx, billed);
}

async function applySubscriptionEvent(tx: Transaction, stored: StoredEvent): Promise<void> {
  const event = SubscriptionEvent.parse(stored);
  const tenant = { organizationId: stored.metadata.organization_id, mode: stored.metadata.mode };
  switch (event.type) {
    case 'SubscriptionCreated':
      await insertSubscription(tx, tenant, event.data, 'plan_code');
      return;
    case 'SubscriptionUpdated': {
      const { subscription_id, rescheduled, updated_at } = event.data;
      await tx.query(
        `UPDATE subscriptions SET
             billing_anchor_day = coalesce($2, billing_anchor_day),
             schedule_start = coalesce($3, schedule_start),
             bridge_start = CASE WHEN $2::integer IS NULL THEN bridge_start ELSE $4::timestamptz END,
             updated_at = $5
           WHERE id = $1`,
        [
          subscription_id,
          rescheduled?.billing_anchor_day ?? null,
          rescheduled?.schedule_start ?? null,
          rescheduled?.period_start ?? null,
          updated_at,
        ],
      );
      return;
    }
    case 'SubscriptionActivated':
      await tx.query(`UPDATE subscriptions SET status = 'active', updated_at = $2 WHERE id = $1`, [
        event.data.subscription_id,
        event.data.activated_at,
      ]);
      return;
    case 'SubscriptionCanceled':
      await cancelNow(tx, event.data.subscription_id, event.data.canceled_at, event.data.refund_policy);
      return;
    case 'SubscriptionCancelScheduled':
      await cancelAtPeriodEnd(tx, event.data.subscription_id, event.data.cancel_at, event.data.scheduled_at);
      return;
    case 'SubscriptionPlanChanged': {
      const { subscription_id, canceled_at, cancel_at, new_subscription, changed_at } = event.data;
      if (canceled_at) await cancelNow(tx, subscription_id, canceled_at, event.data.refund_policy);
      else if (cancel_at) await cancelAtPeriodEnd(tx, subscription_id, cancel_at, changed_at);
      await insertSubscription(tx, tenant, new_subscription, 'target_plan_code');
      return;
    }
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/**
 * The billing run sends a subscription's next boundary only once this one is billed (see the subscriptions table):
 * each subscription moves on past the last of its boundaries billed here.
 */
async function recordBilledBoundaries(tx: Queryable, billed: readonly SubscriptionBilling[]): Promise<void> {
  if (billed.length === 0) return;
  await tx.query(
    `UPDATE subscriptions s SET
       billed_through = greatest(s.billed_through, b.boundary),
       billing_finished = s.billing_finished OR b.finished,
       usage_billed_through = greatest(s.usage_billed_through, b.usage_received_through)
     FROM (SELECT id, max(boundary) AS boundary, bool_or(finished) AS finished,
                  max(usage_received_through) AS usage_received_through
             FROM unnest($1::text[], $2::timestamptz[], $3::boolean[], $4::timestamptz[])
                    AS billed(id, boundary, finished, usage_received_through)
            GROUP BY id) b
     WHERE s.id = b.id`,
    [
      billed.map((billing) => billing.subscription_id),
      billed.map((billing) => billing.boundary),
      billed.map((billing) => billing.billing_reason === 'subscription_end'),
      billed.map((billing) => billing.usage_received_through),
    ],
  );
}

/** A second live subscription of the customer to the plan is refused here, in the command's transaction. */
async function insertSubscription(tx: Queryable, tenant: Tenant, terms: SubscriptionTerms, param: string) {
  try {
    await tx.query(
      `INSERT INTO subscriptions (id, organization_id, mode, customer_id, plan_code, plan_version, plan_interval,
         status, billing_anchor_day, start_date, schedule_start, previous_subscription_id, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12, $12) ON CONFLICT (id) DO NOTHING`,
      [
        terms.subscription_id,
        tenant.organizationId,
        tenant.mode,
        terms.customer_id,
        terms.plan_code,
        terms.plan_version,
        terms.interval,
        terms.status,
        terms.billing_anchor_day,
        terms.start_date,
        terms.previous_subscription_id,
        terms.created_at,
      ],
    );
  } catch (error) {
    if (isUniqueViolation(error, 'subscriptions_live_per_plan'))
      throw new ConflictError(
        `customer '${terms.customer_id}' already has a live subscription to plan '${terms.plan_code}'`,
        param,
      );
    throw error;
  }
}

function cancelNow(tx: Queryable, id: string, canceledAt: string, refundPolicy: PrepaidRefundPolicy | null) {
  return tx.query(
    `UPDATE subscriptions SET status = 'canceled', canceled_at = $2, cancel_at = NULL, refund_policy = $3,
       updated_at = $2
     WHERE id = $1`,
    [id, canceledAt, refundPolicy],
  );
}

function cancelAtPeriodEnd(tx: Queryable, id: string, cancelAt: string, at: string) {
  return tx.query('UPDATE subscriptions SET cancel_at = $2, updated_at = $3 WHERE id = $1', [id, cancelAt, at]);
}

export async function getSubscription(
  db: Queryable,
  tenant: Tenant,
  id: string,
  now: Date,
): Promise<Subscription | undefined> {
  const record = await getSubscriptionRecord(db, tenant, id);
  return record && toSubscription(record, await customerNow(db, tenant, record.customerId, now));
}

/** The subscription as the billing rules read it. */
export async function getSubscriptionRecord(
  db: Queryable,
  tenant: Tenant,
  id: string,
): Promise<SubscriptionRecord | undefined> {
  const { rows } = await db.query<SubscriptionRow>(
    'SELECT * FROM subscriptions WHERE id = $1 AND organization_id = $2 AND mode = $3',
    [id, tenant.organizationId, tenant.mode],
  );
  return rows[0] && toRecord(rows[0]);
}

/** Newest first, keyset-paginated on (created_at, id); periods as they stand at `now` (a clock's, on one). */
export async function listSubscriptions(
  db: Queryable,
  tenant: Tenant,
  query: ListSubscriptionsQuery,
  now: Date,
): Promise<SubscriptionList> {
  const listing = newestFirstSql({
    select: '*',
    from: 'subscriptions',
    tenant,
    filters: { customer_id: query.customer_id, status: query.status },
    cursor: query.cursor,
    limit: query.limit,
  });
  const { rows } = await db.query<SubscriptionRow>(listing.text, listing.values);
  const { page, pagination } = keysetPage(rows, query.limit, (last) => [last.created_at.toISOString(), last.id]);
  const clockTimes = await customerClockTimes(db, tenant, [...new Set(page.map((row) => row.customer_id))]);
  const subscriptions = page.map((row) => toSubscription(toRecord(row), clockTimes.get(row.customer_id) ?? now));
  return { subscriptions, pagination };
}

export interface SubscriptionLineage {
  customerId: string;
  previousSubscriptionId: string | null;
}

/** Who a subscription belongs to and which subscription's plan change made it, for enriching its commands. */
export async function findSubscriptionLineage(
  db: Queryable,
  tenant: Tenant,
  id: string,
): Promise<SubscriptionLineage | undefined> {
  const { rows } = await db.query<{ customer_id: string; previous_subscription_id: string | null }>(
    'SELECT customer_id, previous_subscription_id FROM subscriptions WHERE id = $1 AND organization_id = $2 AND mode = $3',
    [id, tenant.organizationId, tenant.mode],
  );
  const row = rows[0];
  return row && { customerId: row.customer_id, previousSubscriptionId: row.previous_subscription_id };
}

export interface SubscriptionRow {
  id: string;
  customer_id: string;
  plan_code: string;
  plan_version: number;
  plan_interval: PlanInterval;
  status: SubscriptionStatus;
  billing_anchor_day: number;
  start_date: Date;
  schedule_start: Date;
  bridge_start: Date | null;
  cancel_at: Date | null;
  canceled_at: Date | null;
  refund_policy: PrepaidRefundPolicy | null;
  billed_through: Date | null;
  usage_billed_through: Date | null;
  created_at: Date;
  updated_at: Date;
}

export function toRecord(row: SubscriptionRow): SubscriptionRecord {
  return {
    id: row.id,
    customerId: row.customer_id,
    planCode: row.plan_code,
    planVersion: row.plan_version,
    interval: row.plan_interval,
    status: row.status,
    anchorDay: row.billing_anchor_day,
    startDate: row.start_date.toISOString(),
    scheduleStart: row.schedule_start.toISOString(),
    bridgeStart: row.bridge_start?.toISOString() ?? null,
    cancelAt: row.cancel_at?.toISOString() ?? null,
    canceledAt: row.canceled_at?.toISOString() ?? null,
    refundPolicy: row.refund_policy,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

import type { SubscriptionSchedule } from '@afternoon/billing-core/billingBoundaries';
import type { PlanInterval } from '@afternoon/contracts/plans';
import {
  SubscriptionEvent,
  type SubscriptionTerms,
  subscriptionEventWireNames,
} from '@afternoon/contracts/subscriptions';
import { Topics } from '@afternoon/contracts/topics';
import { foreignProjection, type Queryable, type Tenant } from '@afternoon/service-kit';
import { customerName, type UsageCustomer } from './alertUsage';

/**
 * Keeps `alert_subscriptions` in step with the subscription events on `invoice.events`: only what cuts a
 * subscription into billing periods (its schedule, start and end). Every write is idempotent, so a redelivered
 * event changes nothing.
 */
export const alertSubscriptionsConsumer = foreignProjection({
  name: 'alert-subscriptions',
  topic: Topics.invoiceEvents,
  deadLetterTopic: Topics.consumerDeadLetter,
  schema: SubscriptionEvent,
  wireNames: subscriptionEventWireNames,
  handlers: {
    async SubscriptionCreated(tx, event, { metadata }) {
      await insertSubscription(tx, { organizationId: metadata.organization_id, mode: metadata.mode }, event.data);
    },
    async SubscriptionUpdated(tx, event) {
      const { subscription_id, rescheduled } = event.data;
      if (!rescheduled) return;
      await tx.query(
        `UPDATE alert_subscriptions SET billing_anchor_day = $2, schedule_start = $3, bridge_start = $4 WHERE id = $1`,
        [subscription_id, rescheduled.billing_anchor_day, rescheduled.schedule_start, rescheduled.period_start ?? null],
      );
    },
    // Activation does not move the start date: periods are the same.
    async SubscriptionActivated() {},
    async SubscriptionCanceled(tx, event) {
      await tx.query('UPDATE alert_subscriptions SET canceled_at = $2, cancel_at = NULL WHERE id = $1', [
        event.data.subscription_id,
        event.data.canceled_at,
      ]);
    },
    async SubscriptionCancelScheduled(tx, event) {
      await tx.query('UPDATE alert_subscriptions SET cancel_at = $2 WHERE id = $1', [
        event.data.subscription_id,
        event.data.cancel_at,
      ]);
    },
    async SubscriptionPlanChanged(tx, event, { metadata }) {
      const { subscription_id, canceled_at, cancel_at, new_subscription } = event.data;
      await tx.query(
        `UPDATE alert_subscriptions SET canceled_at = coalesce($2, canceled_at),
           cancel_at = CASE WHEN $2::timestamptz IS NULL THEN coalesce($3, cancel_at) ELSE NULL END
         WHERE id = $1`,
        [subscription_id, canceled_at, cancel_at],
      );
      await insertSubscription(tx, { organizationId: metadata.organization_id, mode: metadata.mode }, new_subscription);
    },
  },
});

async function insertSubscription(tx: Queryable, tenant: Tenant, terms: SubscriptionTerms): Promise<void> {
  await tx.query(
    `INSERT INTO alert_subscriptions (id, organization_id, mode, customer_id, plan_interval, billing_anchor_day,
       start_date, schedule_start, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) ON CONFLICT (id) DO NOTHING`,
    [
      terms.subscription_id,
      tenant.organizationId,
      tenant.mode,
      terms.customer_id,
      terms.interval,
      terms.billing_anchor_day,
      terms.start_date,
      terms.created_at,
    ],
  );
}

/**
 * Each customer's subscriptions (by `customerName`), oldest first: the first running at an instant cuts its billing
 * period. One statement for a batch's customers; a customer without any has none in the map.
 */
export async function subscriptionSchedulesOf(
  db: Queryable,
  customers: readonly UsageCustomer[],
): Promise<Map<string, SubscriptionSchedule[]>> {
  const { rows } = await db.query<SubscriptionRow>(
    `SELECT s.* FROM alert_subscriptions s
       JOIN unnest($1::text[], $2::text[], $3::text[]) AS c (organization_id, mode, customer_id)
         ON s.organization_id = c.organization_id AND s.mode = c.mode AND s.customer_id = c.customer_id
      ORDER BY s.created_at, s.id`,
    [
      customers.map((customer) => customer.organizationId),
      customers.map((customer) => customer.mode),
      customers.map((customer) => customer.customerId),
    ],
  );
  const schedules = new Map<string, SubscriptionSchedule[]>();
  for (const row of rows) {
    const name = customerName({ organizationId: row.organization_id, mode: row.mode, customerId: row.customer_id });
    schedules.set(name, [...(schedules.get(name) ?? []), scheduleOf(row)]);
  }
  return schedules;
}

function scheduleOf(row: SubscriptionRow): SubscriptionSchedule {
  return {
    interval: row.plan_interval,
    anchorDay: row.billing_anchor_day,
    startDate: row.start_date.toISOString(),
    scheduleStart: row.schedule_start.toISOString(),
    bridgeStart: row.bridge_start?.toISOString() ?? null,
    cancelAt: row.cancel_at?.toISOString() ?? null,
    canceledAt: row.canceled_at?.toISOString() ?? null,
  };
}

interface SubscriptionRow {
  organization_id: string;
  mode: Tenant['mode'];
  customer_id: string;
  plan_interval: PlanInterval;
  billing_anchor_day: number;
  start_date: Date;
  schedule_start: Date;
  bridge_start: Date | null;
  cancel_at: Date | null;
  canceled_at: Date | null;
}

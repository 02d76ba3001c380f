import type { Queryable, Tenant } from '@afternoon/service-kit';
import { type SubscriptionRow, toRecord } from '../subscriptions/getSubscriptions';
import type { SubscriptionRecord } from '../subscriptions/subscription';

export interface SubscriptionToBill {
  tenant: Tenant;
  subscription: SubscriptionRecord;
  /** The last boundary an invoice bills; null before the first. */
  billedThrough: Date | null;
  /** The received-at cutoff of the usage its invoices billed so far. */
  usageBilledThrough: Date | null;
  /** The test clock its customer lives on, if any. */
  testClockId: string | null;
  /** Its "now": the test clock's time, or the real time the run started at. */
  now: Date;
  /** Its organization's grace period for late usage. */
  gracePeriodMs: number;
  /** When its customer was deleted, if they were: the subscription ends then. */
  customerDeletedAt: Date | null;
  /** The subscription row as read (`md5` of it): an invoice built from it is recorded only while the row is unchanged. */
  fingerprint: string;
}

type Row = SubscriptionRow & {
  organization_id: string;
  mode: Tenant['mode'];
  test_clock_id: string | null;
  clock_time: Date | null;
  grace_period_seconds: number | null;
  customer_deleted_at: Date | null;
  fingerprint: string;
};

/**
 * Every subscription that has started by its "now" and still has something to bill: the organizations' oldest
 * first, taken in turn (one of each tenant, then the second of each, ...), so a pass that stops at its bound has
 * served every tenant alike. A subscription
 * whose customer lives on a test clock runs on that clock's time; each has its organization's grace period, or
 * `defaultGracePeriodMs` where it set none.
 */
export async function subscriptionsToBill(
  db: Queryable,
  realNow: Date,
  defaultGracePeriodMs: number,
): Promise<SubscriptionToBill[]> {
  const { rows } = await db.query<Row>(
    `SELECT s.*, md5(s::text) AS fingerprint, c.test_clock_id, c.deleted_at AS customer_deleted_at, t.frozen_time AS clock_time,
            b.invoice_grace_period_seconds AS grace_period_seconds
       FROM subscriptions s
       LEFT JOIN invoice_customers c ON c.id = s.customer_id
       LEFT JOIN test_clocks t ON t.id = c.test_clock_id
       LEFT JOIN billing_settings b ON b.organization_id = s.organization_id AND b.mode = s.mode
      WHERE NOT s.billing_finished AND s.start_date <= coalesce(t.frozen_time, $1)
      ORDER BY row_number() OVER (PARTITION BY s.organization_id, s.mode ORDER BY s.created_at, s.id),
               s.organization_id, s.mode`,
    [realNow],
  );
  return rows.map((row) => ({
    tenant: { organizationId: row.organization_id, mode: row.mode },
    subscription: toRecord(row),
    billedThrough: row.billed_through,
    usageBilledThrough: row.usage_billed_through,
    testClockId: row.test_clock_id,
    now: row.clock_time ?? realNow,
    gracePeriodMs: row.grace_period_seconds === null ? defaultGracePeriodMs : row.grace_period_seconds * 1000,
    customerDeletedAt: row.customer_deleted_at,
    fingerprint: row.fingerprint,
  }));
}

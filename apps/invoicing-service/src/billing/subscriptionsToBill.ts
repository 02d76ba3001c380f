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
}

/** Every subscription that has started by `now` and still has something to bill, oldest first. */
export async function subscriptionsToBill(db: Queryable, now: Date): Promise<SubscriptionToBill[]> {
  const { rows } = await db.query<SubscriptionRow & { organization_id: string; mode: Tenant['mode'] }>(
    `SELECT * FROM subscriptions WHERE NOT billing_finished AND start_date <= $1 ORDER BY created_at, id`,
    [now],
  );
  return rows.map((row) => ({
    tenant: { organizationId: row.organization_id, mode: row.mode },
    subscription: toRecord(row),
    billedThrough: row.billed_through,
    usageBilledThrough: row.usage_billed_through,
  }));
}

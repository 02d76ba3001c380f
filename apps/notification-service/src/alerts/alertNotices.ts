import { AlertThresholdReached } from '@afternoon/contracts/alerts';
import type { Projection, Queryable, Tenant } from '@afternoon/service-kit';
import { customerName, type UsageCustomer } from './alertUsage';
import { noticeKey } from './usageTally';

/** `alert_notices`: each (alert, customer, period) an `AlertThresholdReached` told, so it is told once. */
export const alertNoticesProjection: Projection = {
  name: 'alert_notices',
  tables: ['alert_notices'],
  handles: ['AlertThresholdReached'],
  async apply(tx, stored) {
    const { data } = AlertThresholdReached.parse(stored);
    await tx.query(
      `INSERT INTO alert_notices (organization_id, mode, alert_id, customer_id, period_start, usage_id)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        stored.metadata.organization_id,
        stored.metadata.mode,
        data.alert_id,
        data.customer_id,
        data.period_start,
        data.usage_id,
      ],
    );
  },
};

/**
 * The notices already given to the customers by these alerts, per customer (by `customerName`) keyed by
 * `noticeKey`; one statement for the batch, none when no alert watches.
 */
export async function noticesGiven(
  db: Queryable,
  customers: readonly UsageCustomer[],
  alertIds: readonly string[],
): Promise<Map<string, Set<string>>> {
  const given = new Map(customers.map((customer) => [customerName(customer), new Set<string>()]));
  if (alertIds.length === 0) return given;
  const { rows } = await db.query<{
    organization_id: string;
    mode: Tenant['mode'];
    customer_id: string;
    alert_id: string;
    period_start: Date | null;
  }>(
    `SELECT n.organization_id, n.mode, n.customer_id, n.alert_id, n.period_start FROM alert_notices n
       JOIN unnest($1::text[], $2::text[], $3::text[]) AS c (organization_id, mode, customer_id)
         ON n.organization_id = c.organization_id AND n.mode = c.mode AND n.customer_id = c.customer_id
      WHERE n.alert_id = ANY($4::text[])`,
    [
      customers.map((customer) => customer.organizationId),
      customers.map((customer) => customer.mode),
      customers.map((customer) => customer.customerId),
      alertIds,
    ],
  );
  for (const row of rows) {
    const customer = { organizationId: row.organization_id, mode: row.mode, customerId: row.customer_id };
    given.get(customerName(customer))?.add(noticeKey(row.alert_id, { start: row.period_start, end: null }));
  }
  return given;
}

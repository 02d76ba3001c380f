import { AlertThresholdReached } from '@afternoon/contracts/alerts';
import type { Projection, Queryable, Tenant } from '@afternoon/service-kit';
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

/** The notices already given to the customer by these alerts, keyed by `noticeKey`. */
export async function noticesGiven(
  db: Queryable,
  tenant: Tenant,
  customerId: string,
  alertIds: readonly string[],
): Promise<Set<string>> {
  if (alertIds.length === 0) return new Set();
  const { rows } = await db.query<{ alert_id: string; period_start: Date | null }>(
    `SELECT alert_id, period_start FROM alert_notices
      WHERE organization_id = $1 AND mode = $2 AND customer_id = $3 AND alert_id = ANY($4::text[])`,
    [tenant.organizationId, tenant.mode, customerId, alertIds],
  );
  return new Set(rows.map((row) => noticeKey(row.alert_id, { start: row.period_start, end: null })));
}

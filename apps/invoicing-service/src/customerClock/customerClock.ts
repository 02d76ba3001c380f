import type { Queryable, Tenant } from '@afternoon/service-kit';

/**
 * The customer's current time, the one home every slice asks: a customer that lives on a test clock is at the
 * clock's frozen time, every other customer at the real time. Reads the customers and test clocks projections'
 * tables, which no slice but their own writes.
 */

/** "Now" for each of the customers that lives on a test clock: its frozen time. Others are absent. */
export async function customerClockTimes(
  db: Queryable,
  tenant: Tenant,
  customerIds: readonly string[],
): Promise<Map<string, Date>> {
  if (customerIds.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; frozen_time: Date }>(
    `SELECT c.id, t.frozen_time FROM invoice_customers c JOIN test_clocks t ON t.id = c.test_clock_id
      WHERE c.id = ANY($1) AND c.organization_id = $2 AND c.mode = $3`,
    [customerIds, tenant.organizationId, tenant.mode],
  );
  return new Map(rows.map((row) => [row.id, row.frozen_time]));
}

/** The customer's "now": its test clock's time when it lives on one, else `realNow`. */
export async function customerNow(db: Queryable, tenant: Tenant, customerId: string, realNow: Date): Promise<Date> {
  return (await customerClockTimes(db, tenant, [customerId])).get(customerId) ?? realNow;
}

/**
 * The last real instant at which usage arrived while the clock read `clockInstant` or earlier: just before the
 * first advance past it. Null while the clock has not passed it.
 */
export async function receivedByClockInstant(db: Queryable, clockId: string, clockInstant: Date): Promise<Date | null> {
  const { rows } = await db.query<{ advanced_at: Date | null }>(
    'SELECT min(advanced_at) AS advanced_at FROM test_clock_advances WHERE test_clock_id = $1 AND to_time > $2',
    [clockId, clockInstant],
  );
  const advancedAt = rows[0]?.advanced_at;
  return advancedAt ? new Date(advancedAt.getTime() - 1) : null;
}

/** A test clock advanced to `frozenTime` whose customers' due work is not all done yet. */
export interface AdvancingClock {
  id: string;
  tenant: Tenant;
  frozenTime: Date;
}

/** Clocks whose last advance the billing run has not finished yet. */
export async function advancingClocks(db: Queryable): Promise<AdvancingClock[]> {
  const { rows } = await db.query<{ id: string; organization_id: string; mode: Tenant['mode']; frozen_time: Date }>(
    `SELECT id, organization_id, mode, frozen_time FROM test_clocks WHERE status = 'advancing'`,
  );
  return rows.map((row) => ({
    id: row.id,
    tenant: { organizationId: row.organization_id, mode: row.mode },
    frozenTime: row.frozen_time,
  }));
}

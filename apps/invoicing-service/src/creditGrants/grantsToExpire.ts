import type { Queryable, Tenant } from '@afternoon/service-kit';

/** An active grant whose `expires_at` its customer's clock has reached. */
export interface DueGrant {
  grantId: string;
  tenant: Tenant;
  /** The customer's now: its test clock's time, or the real time asked at. */
  now: Date;
}

type Row = { id: string; organization_id: string; mode: Tenant['mode']; now: Date };

/**
 * Active grants due to expire, soonest first, at most `limit`: those of customers on the real clock whose
 * `expires_at` is past `realNow`, and those of customers on a test clock whose `expires_at` the clock has reached
 * (a clock may be behind the real time or years ahead of it).
 */
export async function grantsToExpire(db: Queryable, realNow: Date, limit: number): Promise<DueGrant[]> {
  const { rows } = await db.query<Row>(
    `SELECT id, organization_id, mode, now FROM (
       SELECT g.id, g.organization_id, g.mode, $1::timestamptz AS now, g.expires_at FROM credit_grants g
        WHERE g.status = 'active' AND g.expires_at <= $1
          AND NOT EXISTS (SELECT 1 FROM invoice_customers c WHERE c.id = g.customer_id AND c.test_clock_id IS NOT NULL)
       UNION ALL
       SELECT g.id, g.organization_id, g.mode, t.frozen_time AS now, g.expires_at FROM test_clocks t
         JOIN invoice_customers c ON c.test_clock_id = t.id AND c.organization_id = t.organization_id AND c.mode = t.mode
         JOIN credit_grants g ON g.organization_id = c.organization_id AND g.mode = c.mode AND g.customer_id = c.id
        WHERE g.status = 'active' AND g.expires_at <= t.frozen_time
     ) due ORDER BY expires_at, id LIMIT $2`,
    [realNow, limit],
  );
  return rows.map((row) => ({
    grantId: row.id,
    tenant: { organizationId: row.organization_id, mode: row.mode },
    now: row.now,
  }));
}

/** Test clocks that have reached an active grant's `expires_at`: not ready until the grant has expired. */
export async function clocksWithGrantsDue(db: Queryable): Promise<Set<string>> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT DISTINCT t.id FROM test_clocks t
       JOIN invoice_customers c ON c.test_clock_id = t.id AND c.organization_id = t.organization_id AND c.mode = t.mode
       JOIN credit_grants g ON g.organization_id = c.organization_id AND g.mode = c.mode AND g.customer_id = c.id
      WHERE g.status = 'active' AND g.expires_at <= t.frozen_time`,
  );
  return new Set(rows.map((row) => row.id));
}

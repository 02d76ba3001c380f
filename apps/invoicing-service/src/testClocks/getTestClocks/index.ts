import {
  type ListTestClocksQuery,
  type TestClock,
  TestClockEvent,
  type TestClockList,
} from '@afternoon/contracts/testClocks';
import { keysetPage, newestFirstSql, type Projection, type Queryable, type Tenant } from '@afternoon/service-kit';
import { wakeBillingRun } from '../../billing/billingRunWakeups';

/** `test_clocks` (one row per clock) and `test_clock_advances` (every advance, with its real instant). */
export const testClocksProjection: Projection = {
  name: 'test_clocks',
  tables: ['test_clocks', 'test_clock_advances'],
  handles: ['TestClockCreated', 'TestClockAdvanced', 'TestClockReady'],
  async apply(tx, stored) {
    const event = TestClockEvent.parse(stored);
    switch (event.type) {
      case 'TestClockCreated':
        await tx.query(
          `INSERT INTO test_clocks (id, organization_id, mode, name, frozen_time, status, created_at)
           VALUES ($1, $2, $3, $4, $5, 'ready', $6) ON CONFLICT (id) DO NOTHING`,
          [
            event.data.test_clock_id,
            stored.metadata.organization_id,
            stored.metadata.mode,
            event.data.name,
            event.data.frozen_time,
            event.data.created_at,
          ],
        );
        return;
      case 'TestClockAdvanced':
        await tx.query(`UPDATE test_clocks SET frozen_time = $2, status = 'advancing' WHERE id = $1`, [
          event.data.test_clock_id,
          event.data.frozen_time,
        ]);
        await tx.query(
          `INSERT INTO test_clock_advances (test_clock_id, from_time, to_time, advanced_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT DO NOTHING`,
          [event.data.test_clock_id, event.data.from, event.data.frozen_time, event.data.advanced_at],
        );
        await wakeBillingRun(tx);
        return;
      case 'TestClockReady':
        await tx.query(`UPDATE test_clocks SET status = 'ready' WHERE id = $1 AND frozen_time = $2`, [
          event.data.test_clock_id,
          event.data.frozen_time,
        ]);
        return;
      default: {
        const unknown: never = event;
        return unknown;
      }
    }
  },
};

interface TestClockRow {
  id: string;
  name: string | null;
  frozen_time: Date;
  status: TestClock['status'];
  created_at: Date;
}

export async function getTestClock(db: Queryable, tenant: Tenant, id: string): Promise<TestClock | undefined> {
  const { rows } = await db.query<TestClockRow>(
    'SELECT id, name, frozen_time, status, created_at FROM test_clocks WHERE id = $1 AND organization_id = $2 AND mode = $3',
    [id, tenant.organizationId, tenant.mode],
  );
  return rows[0] && toTestClock(rows[0]);
}

/** Newest first, keyset-paginated on (created_at, id). */
export async function listTestClocks(
  db: Queryable,
  tenant: Tenant,
  query: ListTestClocksQuery,
): Promise<TestClockList> {
  const listing = newestFirstSql({
    select: 'id, name, frozen_time, status, created_at',
    from: 'test_clocks',
    tenant,
    cursor: query.cursor,
    limit: query.limit,
  });
  const { rows } = await db.query<TestClockRow>(listing.text, listing.values);
  const { page, pagination } = keysetPage(rows, query.limit, (last) => [last.created_at.toISOString(), last.id]);
  return { test_clocks: page.map(toTestClock), pagination };
}

function toTestClock(row: TestClockRow): TestClock {
  return {
    id: row.id,
    name: row.name,
    frozen_time: row.frozen_time.toISOString(),
    status: row.status,
    created_at: row.created_at.toISOString(),
  };
}

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

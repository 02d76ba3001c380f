import {
  type ListTestClocksQuery,
  type TestClock,
  TestClockEvent,
  type TestClockList,
} from '@afternoon/contracts/testClocks';
import { keysetPage, newestFirstSql, type Projection, type Queryable, type Tenant } from '@afternoon/service-kit';

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

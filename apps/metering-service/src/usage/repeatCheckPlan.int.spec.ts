import type { UsageRecord } from '@afternoon/contracts/usage';
import { createPool, migrate, type Tenant } from '@afternoon/service-kit';
import { dropSchemas, testInfra, uniqueName } from '@afternoon/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageEventsIndexes } from '../../test/plans';
import { migrationsDir } from '../app';
import type { ParsedUsage } from './meterUsage';
import { storedRowsComparedSql } from './storeUsageEvents';

describe("the lookup of a batch's repeated keys, for a tenant the statistics have not seen", () => {
  const schema = uniqueName('repeat_check_plan');
  const newcomer: Tenant = { organizationId: 'org_newcomer', mode: 'live' };
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = createPool({ url: testInfra().databaseUrl, schema, applicationName: 'repeat-check-plan-test' });
    await migrate(pool, schema, migrationsDir);
  });
  afterAll(async () => {
    await pool.end();
    await dropSchemas(schema);
  });

  const insertEvents = (organizationIds: string, count: number) =>
    pool.query(
      `INSERT INTO usage_events
         (organization_id, mode, idempotency_key, event_name, customer_id, "timestamp", properties, received_at, source)
       SELECT ${organizationIds}, 'live', 'k' || n, 'api.request', 'cus_1', '2026-01-15T00:00:00Z', '{}',
              '2026-01-15T00:00:01Z', 'usage/0/' || n
         FROM generate_series(1, $1::int) n`,
      [count],
    );

  // The newcomer's keys 1..count sent again, from other records.
  const repeated = (count: number): ParsedUsage[] =>
    Array.from({ length: count }, (_, index) => {
      const usage: UsageRecord = {
        organization_id: newcomer.organizationId,
        mode: newcomer.mode,
        event_name: 'api.request',
        idempotency_key: `k${index + 1}`,
        customer_id: 'cus_1',
        timestamp: '2026-01-15T00:00:00.000Z',
        properties: {},
        received_at: '2026-01-16T00:00:00.000Z',
      };
      const record = {
        topic: 'usage',
        partition: 1,
        offset: String(index),
        timestamp: '0',
        key: null,
        value: null,
        headers: {},
      };
      return { usage, receivedAt: usage.received_at, record };
    });

  it('goes through the primary key, not an index that reads all of the tenant’s events for each key', {
    timeout: 60_000,
  }, async () => {
    // Statistics taken while many small tenants filled the table: any (organization_id, mode) is estimated at one
    // row. Then one tenant stores 40,000 events before they are taken again.
    await insertEvents(`'org_small_' || n`, 5_000);
    await pool.query('ANALYZE usage_events');
    await insertEvents(`'${newcomer.organizationId}'`, 40_000);

    const { text, values } = storedRowsComparedSql(repeated(800));
    const { rows } = await pool.query<{ 'QUERY PLAN': [{ Plan: Record<string, unknown> }] }>(
      `EXPLAIN (FORMAT JSON) ${text}`,
      values,
    );
    expect(usageEventsIndexes(rows[0]?.['QUERY PLAN'][0].Plan ?? {})).toEqual(['usage_events_pkey']);

    const compared = await pool.query<{ position: string; same_content: boolean }>(text, values);
    expect(compared.rows).toHaveLength(800);
    expect(compared.rows.every((row) => row.same_content)).toBe(true);
  });
});

import { createPool, maintainTables, migrate, type Tenant } from '@afternoon/service-kit';
import { dropSchemas, eventually, testInfra, uniqueName } from '@afternoon/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageEventsIndexes } from '../../test/plans';
import { activeMeter } from '../../test/storedRows';
import { meteringTableMaintenance, migrationsDir } from '../app';
import { meterBatchAggregateSql } from '../meters/getMeterUsage/meterUsageBatchSql';

const requests = activeMeter({
  code: 'requests',
  name: 'Requests',
  event_name: 'api.request',
  aggregation: 'count',
  property: null,
  filters: {},
  group_by: [],
});

describe('the plan of a customer usage read for a tenant new to a large usage_events', () => {
  const schema = uniqueName('planner_plans');
  const established: Tenant = { organizationId: 'org_established', mode: 'live' };
  const newcomer: Tenant = { organizationId: 'org_newcomer', mode: 'live' };
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = createPool({ url: testInfra().databaseUrl, schema, applicationName: 'planner-plans-test' });
    await migrate(pool, schema, migrationsDir);
  });
  afterAll(async () => {
    await pool.end();
    await dropSchemas(schema);
  });

  const insertEvents = (tenant: Tenant, count: number, customers: number) =>
    pool.query(
      `INSERT INTO usage_events
         (organization_id, mode, idempotency_key, event_name, customer_id, "timestamp", properties, received_at)
       SELECT $1, $2, 'k' || n, 'api.request', 'cus_' || (n % $4), '2026-01-15T00:00:00Z'::timestamptz
              + n * interval '1 second', '{}', '2026-02-01T00:00:00Z'
         FROM generate_series(1, $3::int) n`,
      [tenant.organizationId, tenant.mode, count, customers],
    );

  // What a period end asks metering: each bill's customer over the month, received up to the cutoff.
  const customerReadIndexes = async () => {
    const { text, values } = meterBatchAggregateSql(
      requests,
      newcomer,
      ['cus_7', 'cus_8', 'cus_9'].map((customerId) => ({
        customerId,
        from: new Date('2026-01-01T00:00:00Z'),
        to: new Date('2026-02-01T00:00:00Z'),
        receivedThrough: new Date('2026-02-01T00:05:00Z'),
      })),
      false,
    );
    const { rows } = await pool.query<{ 'QUERY PLAN': [{ Plan: Record<string, unknown> }] }>(
      `EXPLAIN (FORMAT JSON) ${text}`,
      values,
    );
    return usageEventsIndexes(rows[0]?.['QUERY PLAN'][0].Plan ?? {});
  };

  it('analyzes once 10,000 rows changed, below 10% of the table, and then reads the customer by its index', {
    timeout: 120_000,
  }, async () => {
    await insertEvents(established, 120_000, 1_000);
    await eventually(
      async () => expect((await maintainTables(pool, meteringTableMaintenance)).analyzed).toContain('usage_events'),
      {
        timeout: 30_000,
        label: 'the established tenant analyzed',
      },
    );

    // 10,500 rows are under 50 + 10% of 120,000 (12,050): the share rule alone would not analyze again.
    await insertEvents(newcomer, 10_500, 500);
    // The planner has never seen the newcomer: it guesses one row and reads through any index that leads with the
    // tenant, here not the customer's (every question would scan all the newcomer's events).
    expect(await customerReadIndexes()).not.toEqual(['usage_events_by_customer']);

    await eventually(
      async () => expect((await maintainTables(pool, meteringTableMaintenance)).analyzed).toContain('usage_events'),
      {
        timeout: 30_000,
        label: 'the newcomer analyzed',
      },
    );
    expect(await customerReadIndexes()).toEqual(['usage_events_by_customer']);
  });
});

import { createPool, maintainTables, migrate } from '@afternoon/service-kit';
import { dropSchemas, eventually, testInfra, uniqueName } from '@afternoon/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meteringTableMaintenance, migrationsDir } from '../app';

describe("keeping the planner's statistics of metering's tables", () => {
  const schema = uniqueName('planner_statistics');
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = createPool({ url: testInfra().databaseUrl, schema, applicationName: 'planner-statistics-test' });
    await migrate(pool, schema, migrationsDir);
  });
  afterAll(async () => {
    await pool.end();
    await dropSchemas(schema);
  });

  const usageEventsStatistics = async () =>
    (
      await pool.query<{ reltuples: number; analyzed: boolean }>(
        `SELECT c.reltuples::int AS reltuples, s.last_analyze IS NOT NULL AS analyzed
           FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid
          WHERE c.oid = 'usage_events'::regclass`,
      )
    ).rows[0];

  const insertEvents = (from: number, count: number) =>
    pool.query(
      `INSERT INTO usage_events
         (organization_id, mode, idempotency_key, event_name, customer_id, "timestamp", properties, received_at)
       SELECT 'org_s', 'live', 'k' || n, 'api.request', 'cus_1', now(), '{}', now()
         FROM generate_series($1::int, $2::int) n`,
      [from, from + count - 1],
    );

  it('analyzes usage_events once enough rows changed since its last analyze, and not again before', {
    timeout: 60_000,
  }, async () => {
    // Nothing to go on yet: a table never analyzed has reltuples -1 (Postgres 14 and later).
    expect(await usageEventsStatistics()).toEqual({ reltuples: -1, analyzed: false });
    await insertEvents(1, 1_000);
    // The server counts the changes a little after the inserting transaction ends.
    await eventually(
      async () => expect((await maintainTables(pool, meteringTableMaintenance)).analyzed).toContain('usage_events'),
      {
        timeout: 30_000,
        label: 'usage_events analyzed',
      },
    );
    expect(await usageEventsStatistics()).toEqual({ reltuples: 1_000, analyzed: true });
    // No statistics are gathered for `properties`, which no plan reads; the columns plans filter on have theirs.
    const { rows: gathered } = await pool.query<{ attname: string }>(
      `SELECT attname FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'usage_events'
          AND attname IN ('properties', 'customer_id') ORDER BY attname`,
    );
    expect(gathered.map((row) => row.attname)).toEqual(['customer_id']);

    // 50 + 10% of 1,000 = 150 changed rows are needed before the next analyze; 100 are not enough.
    await insertEvents(1_001, 100);
    expect((await maintainTables(pool, meteringTableMaintenance)).analyzed).not.toContain('usage_events');
    await insertEvents(1_101, 100);
    await eventually(
      async () => expect((await maintainTables(pool, meteringTableMaintenance)).analyzed).toContain('usage_events'),
      {
        timeout: 30_000,
        label: 'usage_events analyzed again',
      },
    );
    expect((await usageEventsStatistics())?.reltuples).toBe(1_200);
  });
});

import { eventually, testInfra } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureMigrations, kitDatabase } from '../../test-fixtures/kitDatabase';
import { failureKind } from '../failures';
import { isDatabaseUnavailable } from './database';
import { migrate } from './migrate';
import { createServicePools, endPools, type ServicePools } from './servicePools';

const shortLimits = {
  DB_STATEMENT_TIMEOUT_MS: 100,
  DB_LOCK_TIMEOUT_MS: 50,
  DB_BACKGROUND_STATEMENT_TIMEOUT_MS: 0,
  DB_POOL_INGEST_MAX: 2,
  DB_POOL_QUERIES_MAX: 2,
  DB_POOL_BACKGROUND_MAX: 2,
};

describe('service pools', () => {
  let db: Awaited<ReturnType<typeof kitDatabase>>;
  let pools: ServicePools;

  beforeAll(async () => {
    db = await kitDatabase();
    pools = createServicePools({ DATABASE_URL: testInfra().databaseUrl, DB_SCHEMA: db.schema, ...shortLimits }, 'kit');
  });
  afterAll(async () => {
    await endPools(pools);
    await db?.drop();
  });

  it('cancels a statement past DB_STATEMENT_TIMEOUT_MS, as a failure of the world, and serves the next', async () => {
    const cancelled = await pools.queries.query('SELECT pg_sleep(5)').catch((error: unknown) => error);
    expect(cancelled).toMatchObject({ code: '57014' });
    expect(failureKind(cancelled)).toBe('world');
    expect(isDatabaseUnavailable(cancelled)).toBe(true);
    expect((await pools.queries.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('gives up a lock wait past DB_LOCK_TIMEOUT_MS, as a failure of the world', async () => {
    const holder = await db.pool.connect();
    try {
      await holder.query('SELECT pg_advisory_lock(4242)');
      const refused = await pools.ingest.query('SELECT pg_advisory_lock(4242)').catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: '55P03' });
      expect(failureKind(refused)).toBe('world');
    } finally {
      await holder.query('SELECT pg_advisory_unlock_all()');
      holder.release();
    }
  });

  it('lets background work run past the request timeout, under its own limit', async () => {
    await expect(pools.background.query('SELECT pg_sleep(0.3)')).resolves.toBeDefined();
    const { rows } = await pools.background.query<{ statement_timeout: string; application_name: string }>(
      "SELECT current_setting('statement_timeout') AS statement_timeout, current_setting('application_name') AS application_name",
    );
    expect(rows[0]).toEqual({ statement_timeout: '0', application_name: 'kit:background' });
  });

  it('migrates on a pool with short timeouts, waiting for another instance as long as it takes', async () => {
    const otherInstance = await db.pool.connect();
    try {
      await otherInstance.query('BEGIN');
      await otherInstance.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`migrate:${db.schema}`]);
      const migrating = migrate(pools.queries, db.schema, fixtureMigrations);
      // Waiting past both timeouts is what would cancel it if migrate kept them.
      await eventually(
        async () => {
          const { rows } = await db.pool.query(
            `SELECT 1 FROM pg_stat_activity WHERE application_name = 'kit:queries' AND wait_event_type = 'Lock'
                AND now() - query_start > interval '500 milliseconds'`,
          );
          expect(rows).toHaveLength(1);
        },
        { label: 'migrate waiting on the lock past the timeouts' },
      );
      await otherInstance.query('COMMIT');
      await expect(migrating).resolves.toBeUndefined();
    } finally {
      otherInstance.release();
    }
  });
});

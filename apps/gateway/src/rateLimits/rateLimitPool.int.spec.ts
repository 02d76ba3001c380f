import { testInfra, uniqueName } from '@afternoon/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { rateLimitPool } from './rateLimitPool';

describe('the rate limits’ connections', () => {
  const pool = rateLimitPool({
    DATABASE_URL: testInfra().databaseUrl,
    DB_SCHEMA: uniqueName('gateway_counting'),
    DB_POOL_QUERIES_MAX: 1,
    DB_STATEMENT_TIMEOUT_MS: 15_000,
    DB_LOCK_TIMEOUT_MS: 5_000,
  });
  afterAll(() => pool.end());

  it('commit without waiting for the WAL flush, under a name of their own (ADR 0049)', async () => {
    const { rows } = await pool.query<{ synchronous_commit: string; application_name: string }>(
      "SELECT current_setting('synchronous_commit') AS synchronous_commit, current_setting('application_name') AS application_name",
    );
    expect(rows[0]).toEqual({ synchronous_commit: 'off', application_name: 'gateway:rate-limits' });
  });
});

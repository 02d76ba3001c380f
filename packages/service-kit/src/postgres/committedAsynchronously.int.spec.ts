import { testInfra, uniqueName } from '@afternoon/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { queryCommittedAsynchronously } from './committedAsynchronously';
import { createPool } from './database';

describe('a statement committed asynchronously', () => {
  // One connection: what the statement's transaction set must not stay on it for the next query.
  const pool = createPool({
    url: testInfra().databaseUrl,
    schema: uniqueName('kit_async'),
    max: 1,
    applicationName: 'kit',
  });
  afterAll(() => pool.end());

  const setting = "SELECT current_setting('synchronous_commit') AS setting";

  it('runs with synchronous_commit off, and leaves the connection as it was (ADR 0049)', async () => {
    const { rows } = await queryCommittedAsynchronously<{ setting: string }>(pool, setting);
    expect(rows).toEqual([{ setting: 'off' }]);
    expect((await pool.query<{ setting: string }>(setting)).rows).toEqual([{ setting: 'on' }]);
  });

  it('commits what it writes', async () => {
    await pool.query('CREATE TEMP TABLE kept (id int)');
    const inserted = await queryCommittedAsynchronously(pool, 'INSERT INTO kept VALUES (1), (2)');
    expect(inserted.rowCount).toBe(2);
    expect((await pool.query('SELECT id FROM kept ORDER BY id')).rows).toEqual([{ id: 1 }, { id: 2 }]);
  });
});

import { eventually, type PrivatePostgres, startPrivatePostgres } from '@afternoon/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPool, isDatabaseUnavailable } from './database';

let server: PrivatePostgres;
let pool: pg.Pool;

beforeAll(async () => {
  server = await startPrivatePostgres();
  pool = createPool({ url: server.url, schema: 'public', applicationName: 'pool-test' });
});
afterAll(async () => {
  await pool?.end();
  await server?.destroy();
});

it('loses idle and held connections to a Postgres crash without ending the process, and serves again after', async () => {
  const held = await pool.connect();
  await Promise.all([pool.query('SELECT 1'), pool.query('SELECT 1')]);

  // Without listeners, the 'error' both connections emit here would be uncaught, and vitest fails the run on it.
  await server.stop('immediate');
  const duringOutage = await pool.query('SELECT 1').catch((error: unknown) => error);
  expect(isDatabaseUnavailable(duringOutage)).toBe(true);
  const onHeld = await held.query('SELECT 1').catch((error: unknown) => error);
  expect(isDatabaseUnavailable(onHeld)).toBe(true);
  held.release(onHeld as Error);

  await server.start();
  await eventually(async () => expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]), {
    label: 'a query after the restart',
  });
});

it('tells an unavailable database from a query that is wrong', () => {
  expect(isDatabaseUnavailable(Object.assign(new Error('the database system is starting up'), { code: '57P03' }))).toBe(
    true,
  );
  expect(isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(true);
  expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
  expect(isDatabaseUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
  expect(isDatabaseUnavailable(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe(false);
  expect(isDatabaseUnavailable(new TypeError('x is not a function'))).toBe(false);
});

import { createLogger, createPool } from '@afternoon/service-kit';
import { eventually, type PrivatePostgres, startPrivatePostgres } from '@afternoon/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { onBillingRunWakeups, wakeBillingRun } from './billingRunWakeups';

let server: PrivatePostgres;
let pool: pg.Pool;
let stopWakeups: (() => Promise<void>) | undefined;

beforeAll(async () => {
  server = await startPrivatePostgres();
  pool = createPool({ url: server.url, schema: 'public', applicationName: 'wakeups-test' });
});
afterAll(async () => {
  // The listening connection is held from the pool: pool.end() waits for it, so stop listening first.
  await stopWakeups?.();
  await pool?.end();
  await server?.destroy();
});

it('listens again after Postgres restarts, wakes the run once it does, and hears later wakeups', async () => {
  let wakes = 0;
  stopWakeups = await onBillingRunWakeups({
    pool,
    schema: 'public',
    wake: () => {
      wakes += 1;
    },
    logger: createLogger('wakeups-test', 'silent'),
    retryDelayMs: () => 50,
  });
  await wakeBillingRun(pool);
  await eventually(() => expect(wakes).toBe(1), { label: 'the first wakeup' });

  await server.restart('immediate');
  // Notifications sent while nobody listened are lost, so listening again wakes the run by itself.
  await eventually(() => expect(wakes).toBe(2), { timeout: 30_000, label: 'the wake on listening again' });
  await wakeBillingRun(pool);
  await eventually(() => expect(wakes).toBe(3), { label: 'a wakeup after the restart' });
});

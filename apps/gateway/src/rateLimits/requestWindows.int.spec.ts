import { createPool, migrate } from '@afternoon/service-kit';
import { dropSchemas, testInfra, uniqueName } from '@afternoon/testkit';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { migrationsDir } from '../app';
import { requestWindows } from './requestWindows';

// The store reads the clock through Date.now(), so faking Date alone moves its windows without sleeping.
describe('request windows in Postgres', () => {
  const schema = uniqueName('gateway_windows');
  const t0 = Date.parse('2026-03-01T12:00:00.000Z');
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = createPool({ url: testInfra().databaseUrl, schema, applicationName: 'windows-test' });
    await migrate(pool, schema, migrationsDir);
  });
  afterEach(() => vi.useRealTimers());
  afterAll(async () => {
    await pool.end();
    await dropSchemas(schema);
  });

  it('starts a window with its first request and a new one once it has ended', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(t0);
    const windows = requestWindows(pool, schema);
    expect(await windows.count('org_a:live', 3, 2)).toEqual({
      limit: 3,
      remaining: 1,
      endsAt: t0 + 60_000,
      exceeded: false,
    });

    vi.setSystemTime(t0 + 59_999);
    expect(await windows.count('org_a:live', 3, 1)).toEqual({
      limit: 3,
      remaining: 0,
      endsAt: t0 + 60_000,
      exceeded: false,
    });
    expect(await windows.count('org_a:live', 3, 1)).toMatchObject({ remaining: 0, exceeded: true });

    vi.setSystemTime(t0 + 60_000);
    expect(await windows.count('org_a:live', 3, 1)).toEqual({
      limit: 3,
      remaining: 2,
      endsAt: t0 + 120_000,
      exceeded: false,
    });
  });

  it('shares a window between limiters of different pools (replicas) and limits', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(t0);
    const otherPool = createPool({ url: testInfra().databaseUrl, schema, applicationName: 'windows-test-replica' });
    try {
      const one = requestWindows(pool, schema);
      const other = requestWindows(otherPool, schema);
      await one.count('org_b:test', 10, 4);
      expect(await other.count('org_b:test', 10, 4)).toMatchObject({ remaining: 2, exceeded: false });
      // The organization's limit lowered mid-window: what it consumed still counts.
      expect(await other.count('org_b:test', 5, 1)).toMatchObject({ limit: 5, remaining: 0, exceeded: true });
    } finally {
      await otherPool.end();
    }
  });

  it('counts concurrent requests exactly: no more than the limit get through', async () => {
    const windows = requestWindows(pool, schema);
    const counts = await Promise.all(Array.from({ length: 20 }, () => windows.count('org_e:live', 5, 1)));
    expect(counts.filter((count) => !count.exceeded)).toHaveLength(5);
    expect(counts.map((count) => count.remaining).sort()).toEqual([...Array(16).fill(0), 1, 2, 3, 4]);
  });

  it('forgets windows that ended long enough ago', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(t0);
    const windows = requestWindows(pool, schema);
    await windows.count('org_c:live', 5, 1);
    vi.setSystemTime(t0 + 60_000 + 3_600_001);
    await windows.count('org_d:live', 5, 1);
    await windows.forgetEnded(3_600_000);
    const { rows } = await pool.query<{ key: string }>(
      "SELECT key FROM rate_limits WHERE key LIKE '%org_c%' OR key LIKE '%org_d%'",
    );
    expect(rows.map((row) => row.key)).toEqual(['requests:org_d:live']);
  });
});

import type { AddressInfo } from 'node:net';
import { createLogger, createPool, migrate } from '@afternoon/service-kit';
import { dropSchemas, eventually, testInfra, uniqueName } from '@afternoon/testkit';
import express from 'express';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { migrationsDir } from '../app';
import { errorHandler } from '../http/errorHandler';
import { createOrganization } from '../organizations/organizationStore';
import { authenticate } from './authenticate';
import { apiKeyChangesChannel, type CallerCache, callerCache } from './callerCache';

const logger = createLogger('caller-cache-test', 'silent');
const row = { id: 'k', organization_id: 'o', mode: 'live' as const, revoked_at: null, rate_limit_per_minute: 1 };

// The callers API keys resolve to, held by a gateway: a request through `authenticate` against real Postgres, and
// changes made by another session (as another gateway, the CLI or an operator would).
describe('API key callers held in memory', () => {
  const schema = uniqueName('gateway_callers');
  let pool: pg.Pool;
  let other: pg.Pool;
  let callers: CallerCache;
  let baseUrl: string;
  let close: () => Promise<void>;
  let organizationId: string;
  let liveKey: string;

  beforeAll(async () => {
    pool = createPool({ url: testInfra().databaseUrl, schema, applicationName: 'callers-test' });
    other = createPool({ url: testInfra().databaseUrl, schema, applicationName: 'callers-test-other' });
    await migrate(pool, schema, migrationsDir);
    const created = await createOrganization(other, 'Acme');
    organizationId = created.organization.id;
    liveKey = created.api_keys.live;
    callers = callerCache(pool, schema, logger, { relistenAfterMs: 0 });
    const app = express();
    app.use(authenticate(pool, callers));
    app.get('/whoami', (_request, response) => {
      response.json(response.locals.caller);
    });
    app.use(errorHandler(logger));
    const server = app.listen(0);
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });
  afterAll(async () => {
    await close();
    await callers.stop();
    await pool.end();
    await other.end();
    await dropSchemas(schema);
  });

  const whoami = async (key = liveKey) => {
    const response = await fetch(`${baseUrl}/whoami`, { headers: { authorization: `Bearer ${key}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  /** Asks until the cache listens and holds the key: the first asks look it up. */
  const held = () =>
    eventually(async () => {
      const asked = vi.spyOn(pool, 'query');
      try {
        expect((await whoami()).status).toBe(200);
        expect(asked).not.toHaveBeenCalled();
      } finally {
        asked.mockRestore();
      }
    });
  const listenerPids = async (applicationName: string) => {
    const { rows } = await other.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query = $2`,
      [applicationName, `LISTEN ${apiKeyChangesChannel}`],
    );
    return rows.map((row) => row.pid);
  };

  it('answers a key it holds without asking Postgres, as Postgres answered it', async () => {
    await held();
    expect((await whoami()).body).toMatchObject({ organizationId, mode: 'live', rateLimitPerMinute: null });
  });

  it('refuses a key another session revokes once the change is announced, and holds nothing found before it', async () => {
    const created = await createOrganization(other, 'Revoked Co');
    const key = created.api_keys.test;
    expect((await whoami(key)).status).toBe(200);
    await other.query(`UPDATE api_keys SET revoked_at = now() WHERE organization_id = $1`, [created.organization.id]);
    await eventually(async () =>
      expect((await whoami(key)).body).toMatchObject({ error: { code: 'API_KEY_REVOKED' } }),
    );
    // A lookup begun before a change keeps nothing.
    const begunAt = callers.begin();
    callers.forget();
    callers.keep(
      'some-hash',
      { id: 'k', organization_id: 'o', mode: 'live', revoked_at: null, rate_limit_per_minute: 1 },
      begunAt,
    );
    expect(callers.get('some-hash')).toBeUndefined();
  });

  it("sees an organization's new rate limit once the change is announced", async () => {
    await held();
    await other.query('UPDATE organizations SET rate_limit_per_minute = 77 WHERE id = $1', [organizationId]);
    await eventually(async () => expect((await whoami()).body).toMatchObject({ rateLimitPerMinute: 77 }));
  });

  it('ignores the announcements of another schema', async () => {
    await held();
    await other.query('SELECT pg_notify($1, $2)', [apiKeyChangesChannel, `${schema}_other`]);
    await other.query('SELECT pg_notify($1, $2)', [apiKeyChangesChannel, schema]);
    // Notices arrive in order: once the second has forgotten the key, the first had been heard and ignored.
    await eventually(async () => {
      const asked = vi.spyOn(pool, 'query');
      try {
        await whoami();
        expect(asked).toHaveBeenCalled();
      } finally {
        asked.mockRestore();
      }
    });
  });

  it('holds nothing while it cannot hear changes, and listens again once due', async () => {
    let now = 0;
    const own = createPool({ url: testInfra().databaseUrl, schema, applicationName: 'callers-test-own' });
    const cache = callerCache(own, schema, logger, { relistenAfterMs: 1_000, now: () => now });
    const holds = (hash: string) => {
      cache.keep(hash, row, cache.begin());
      return cache.get(hash) !== undefined;
    };
    try {
      await eventually(() => expect(holds('before')).toBe(true));
      const [pid] = await listenerPids('callers-test-own');
      expect(pid).toBeDefined();
      await other.query('SELECT pg_terminate_backend($1)', [pid]);
      await eventually(() => expect(cache.get('before')).toBeUndefined());
      // Not listening, and not due to try again: nothing is held.
      expect(holds('meanwhile')).toBe(false);
      now = 1_000;
      await eventually(() => expect(holds('after')).toBe(true));
      expect(await listenerPids('callers-test-own')).toHaveLength(1);
    } finally {
      await cache.stop();
      await own.end();
    }
  });
});

describe('API keys held, bounded', () => {
  it('forgets the key held longest past its size, and a key held past its age', async () => {
    let now = 0;
    const pool = createPool({ url: testInfra().databaseUrl, schema: 'public', applicationName: 'callers-bound' });
    const callers = callerCache(pool, 'public', logger, { maxEntries: 2, maxAgeMs: 1_000, now: () => now });
    try {
      await eventually(() => {
        callers.keep('probe', row, callers.begin());
        expect(callers.get('probe')).toEqual(row);
      });
      callers.keep('a', row, callers.begin());
      callers.keep('b', row, callers.begin());
      expect(callers.get('probe')).toBeUndefined();
      expect(callers.get('a')).toEqual(row);
      now = 999;
      expect(callers.get('b')).toEqual(row);
      now = 1_000;
      expect(callers.get('b')).toBeUndefined();
    } finally {
      await callers.stop();
      await pool.end();
    }
  });
});

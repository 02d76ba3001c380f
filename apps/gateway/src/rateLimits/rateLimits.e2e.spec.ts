import type { GatewayClient, GatewayResponse } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../../test/testCluster';

const window = (response: GatewayResponse) => ({
  limit: response.headers.get('x-ratelimit-limit'),
  remaining: response.headers.get('x-ratelimit-remaining'),
});

const resetOf = (response: GatewayResponse) => Number(response.headers.get('x-ratelimit-reset'));

describe('rate limits per organization and mode', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startTestCluster({ rateLimitPerMinute: 5 });
  });
  afterAll(() => cluster.stop());

  const setLimit = (organizationId: string, perMinute: number | null) =>
    cluster.admin.patch(`/v1/admin/organizations/${organizationId}`, { rate_limit_per_minute: perMinute });

  it('answers the window on every response, errors included, and refuses the sixth request with 429', async () => {
    const acme = await cluster.createOrganization('Acme');
    const sentAt = Date.now();
    const first = await acme.live.get('/v1/customers');
    const answeredAt = Date.now();
    const answers = [
      first,
      await acme.live.get('/v1/customers'),
      await acme.live.get('/v1/no_such_route'),
      await acme.live.post('/v1/customers', { name: '' }),
      await acme.live.get('/v1/customers'),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 404, 400, 200]);
    expect(answers.map(window)).toEqual(['4', '3', '2', '1', '0'].map((remaining) => ({ limit: '5', remaining })));
    // The window started when the first request was counted, between sending it and its answer.
    const reset = resetOf(first);
    expect(reset).toBeGreaterThanOrEqual(Math.ceil((sentAt + 60_000) / 1000));
    expect(reset).toBeLessThanOrEqual(Math.ceil((answeredAt + 60_000) / 1000));
    expect(answers.every((answer) => resetOf(answer) === reset)).toBe(true);

    const refused = await acme.live.get('/v1/customers');
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      success: false,
      error: { code: 'RATE_LIMITED', message: expect.stringMatching(/^Rate limit of 5 requests per minute exceeded/) },
      request_id: expect.stringMatching(/^req_/),
    });
    expect(window(refused)).toEqual({ limit: '5', remaining: '0' });
    expect(resetOf(refused)).toBe(reset);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);

    const otherMode = await acme.test.get('/v1/customers');
    const otherOrganization = await (await cluster.createOrganization('Globex')).live.get('/v1/customers');
    expect([otherMode.status, otherOrganization.status]).toEqual([200, 200]);
    expect(window(otherMode)).toEqual({ limit: '5', remaining: '4' });
    expect(window(otherOrganization)).toEqual({ limit: '5', remaining: '4' });
  });

  it('counts nothing before authentication', async () => {
    const unauthenticated = await cluster.anonymous.as('ak_live_not_a_real_key').get('/v1/customers');
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('x-ratelimit-limit')).toBeNull();
  });

  it('gives an organization its own limit through the admin API, 0 for none and null for the default', async () => {
    const initech = await cluster.createOrganization('Initech');
    const updated = await setLimit(initech.id, 2);
    expect(updated.status).toBe(200);
    expect(updated.body.organization).toMatchObject({ id: initech.id, rate_limit_per_minute: 2 });
    const listed = await cluster.admin.get('/v1/admin/organizations');
    expect(listed.body.organizations.find((org: { id: string }) => org.id === initech.id)).toMatchObject({
      rate_limit_per_minute: 2,
    });

    const answers = [await initech.live.get('/v1/customers'), await initech.live.get('/v1/customers')];
    expect(answers.map(window)).toEqual([
      { limit: '2', remaining: '1' },
      { limit: '2', remaining: '0' },
    ]);
    expect((await initech.live.get('/v1/customers')).status).toBe(429);

    await setLimit(initech.id, 0);
    const unlimited = await Promise.all(Array.from({ length: 8 }, () => initech.live.get('/v1/customers')));
    expect(unlimited.map((answer) => answer.status)).toEqual(Array(8).fill(200));
    expect(unlimited.every((answer) => answer.headers.get('x-ratelimit-limit') === null)).toBe(true);

    expect((await setLimit(initech.id, null)).body.organization.rate_limit_per_minute).toBeNull();
    // The window goes on: 3 units taken at the limit of 2 (the refused one counts too), 1 more now, of 5.
    expect(window(await initech.live.get('/v1/customers'))).toEqual({ limit: '5', remaining: '1' });
  });

  it('refuses a bad limit or an unknown organization, changing nothing', async () => {
    const hooli = await cluster.createOrganization('Hooli');
    for (const body of [{ rate_limit_per_minute: -1 }, { rate_limit_per_minute: 1.5 }, {}, { rate_limit: 3 }]) {
      const refused = await cluster.admin.patch(`/v1/admin/organizations/${hooli.id}`, body);
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('VALIDATION_ERROR');
    }
    const unknown = await setLimit('org_does_not_exist', 3);
    expect(unknown.status).toBe(404);
    expect((await hooli.live.get('/v1/customers')).headers.get('x-ratelimit-limit')).toBe('5');
  });

  it('makes usage queries and line-item events cost more than one request', async () => {
    const umbrella = await cluster.createOrganization('Umbrella');
    await setLimit(umbrella.id, 100);
    const remaining = async (client: GatewayClient, path: string) =>
      (await client.get(path)).headers.get('x-ratelimit-remaining');
    expect(await remaining(umbrella.live, '/v1/meters/api_calls/usage')).toBe('90'); // 100 - 10
    expect(await remaining(umbrella.live, '/v1/customers/cus_x/usage')).toBe('80'); // 90 - 10
    expect(await remaining(umbrella.live, '/v1/invoices/inv_x/line_items/li_x/events')).toBe('75'); // 80 - 5
    expect(await remaining(umbrella.live, '/v1/customers')).toBe('74'); // 75 - 1
  });

  it('shares one window between gateway replicas on one schema', async () => {
    const replica = await cluster.startGatewayReplica();
    const wayne = await cluster.createOrganization('Wayne');
    const viaReplica = replica.client.as(wayne.keys.live);
    const answers = [];
    for (const client of [wayne.live, viaReplica, wayne.live, viaReplica, wayne.live]) {
      answers.push(await client.get('/v1/customers'));
    }
    expect(answers.map((answer) => window(answer).remaining)).toEqual(['4', '3', '2', '1', '0']);
    expect((await viaReplica.get('/v1/customers')).status).toBe(429);
  });

  it('lets requests through uncounted, logged and counted in a metric, when its store is unavailable', async () => {
    const stark = await cluster.createOrganization('Stark');
    const pool = cluster.gateway.pool;
    await pool.query('ALTER TABLE rate_limits RENAME TO rate_limits_away');
    try {
      const answer = await stark.live.get('/v1/customers');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-ratelimit-limit')).toBeNull();
    } finally {
      await pool.query('ALTER TABLE rate_limits_away RENAME TO rate_limits');
    }
    const metrics = await (await fetch(`${cluster.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^afternoon_rate_limiter_unavailable_total\{[^}]*\} 1$/m);
    expect(window(await stark.live.get('/v1/customers'))).toEqual({ limit: '5', remaining: '4' });
  });
});

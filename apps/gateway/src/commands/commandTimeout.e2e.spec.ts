import { eventually } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

describe('a command nobody answers in time', () => {
  let cluster: TestCluster;
  let org: TestOrganization;

  beforeAll(async () => {
    cluster = await startTestCluster({ commandTimeoutMs: 1_500, withCustomerService: false });
    org = await cluster.createOrganization('Patient Co');
  });
  afterAll(() => cluster.stop());

  it('answers 409 IDEMPOTENCY_KEY_IN_USE at once while the first request waits, and frees the key when it gives up', async () => {
    // A delete of a customer that does not exist: once the service runs, it refuses it and creates nothing.
    const path = '/v1/customers/cm5x9z8nv0000h85r7l9p2k1m';
    const headers = { 'idempotency-key': 'in-flight' };
    const first = org.live.delete(path, headers);
    await eventually(
      async () => {
        const { rows } = await cluster.gateway.pool.query(
          "SELECT claimed_by FROM idempotency_keys WHERE key = 'in-flight' AND locked_until > now()",
        );
        expect(rows).toHaveLength(1);
      },
      { label: 'the first request holds the key' },
    );

    const second = await org.live.delete(path, headers);
    expect(second.status).toBe(409);
    expect(second.body).toEqual({
      success: false,
      error: { code: 'IDEMPOTENCY_KEY_IN_USE', message: expect.stringMatching(/retry/), param: 'Idempotency-Key' },
      request_id: second.headers.get('x-request-id'),
    });
    expect((await first).status).toBe(504);

    // The first request gave up: a retry takes the key over (and waits for the service in its turn).
    expect((await org.live.delete(path, headers)).status).toBe(504);
  });

  it('answers 504 with its request id, and a retry with the same Idempotency-Key completes it exactly once', async () => {
    const body = { name: 'Eventually Inc.', external_id: 'cust_eventually' };
    const headers = { 'idempotency-key': 'retry-me' };

    const timedOut = await org.live.post('/v1/customers', body, headers);
    expect(timedOut.status).toBe(504);
    expect(timedOut.body).toEqual({
      success: false,
      error: { code: 'TIMEOUT', message: expect.stringContaining('Idempotency-Key') },
      request_id: timedOut.headers.get('x-request-id'),
    });

    // The service comes up and handles the command still waiting on its topic; the retry gets that result.
    const service = await cluster.startCustomerService();
    const retried = await org.live.post('/v1/customers', body, headers);
    expect(retried.status).toBe(201);
    expect(retried.body.customer).toMatchObject({ name: 'Eventually Inc.', external_id: 'cust_eventually' });

    const again = await org.live.post('/v1/customers', body, headers);
    expect(again.body.customer.id).toBe(retried.body.customer.id);

    const { rows } = await service.pool.query('SELECT count(*)::int AS customers FROM customers');
    expect(rows[0].customers).toBe(1);
    const events = await service.pool.query(
      "SELECT count(*)::int AS created FROM events WHERE type = 'CustomerCreated'",
    );
    expect(events.rows[0].created).toBe(1);
  });

  it('answers 503 when the key store cannot be reached', async () => {
    await cluster.gateway.pool.end();
    const response = await org.live.get('/v1/customers');
    expect(response.status).toBe(503);
    expect(response.body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect(response.body.request_id).toMatch(/^req_/);
  });
});

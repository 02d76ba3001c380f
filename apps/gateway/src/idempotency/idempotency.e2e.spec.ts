import type { GatewayResponse } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';
import { claimIdempotencyKey, fingerprint } from './idempotencyStore';

/** Each answer to concurrent requests with one key: the first answer (or its replay), or "in use, retry". */
function expectOneAnswerOrInUse(answers: GatewayResponse[], successStatus: number) {
  const answered = answers.filter((answer) => answer.status === successStatus);
  const inUse = answers.filter((answer) => answer.status === 409);
  expect(answered.length + inUse.length).toBe(answers.length);
  expect(answered.length).toBeGreaterThanOrEqual(1);
  const [first, ...replays] = answered;
  for (const replay of replays) {
    expect(replay.body).toEqual(first?.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  }
  for (const refused of inUse) {
    expect(refused.body).toEqual({
      success: false,
      error: { code: 'IDEMPOTENCY_KEY_IN_USE', message: expect.stringMatching(/retry/), param: 'Idempotency-Key' },
      request_id: refused.headers.get('x-request-id'),
    });
  }
  return first?.body;
}

describe('Idempotency-Key under concurrency', () => {
  let cluster: TestCluster;
  let org: TestOrganization;

  beforeAll(async () => {
    cluster = await startTestCluster();
    org = await cluster.createOrganization('Eager Retrier');
  });
  afterAll(() => cluster.stop());

  it('creates one customer for twenty concurrent requests with one key, each answered at once', async () => {
    const body = { name: 'Stampede Ltd', external_id: 'cust_stampede' };
    const headers = { 'idempotency-key': 'stampede' };
    const answers = await Promise.all(Array.from({ length: 20 }, () => org.live.post('/v1/customers', body, headers)));

    const created = expectOneAnswerOrInUse(answers, 201);
    const retried = await org.live.post('/v1/customers', body, headers);
    expect(retried.status).toBe(201);
    expect(retried.body).toEqual(created);
    const customers = await org.live.get('/v1/customers?external_id=cust_stampede');
    expect(customers.body.customers.map((customer: { id: string }) => customer.id)).toEqual([created.customer.id]);
  });

  it('finalizes a draft once for twenty concurrent requests with one key, each answered at once', async () => {
    const customer = await org.live.post('/v1/customers', { name: 'Finalize Race Co' });
    const draft = await org.live.post('/v1/invoices', {
      customer_id: customer.body.customer.id,
      collection_method: 'send_invoice',
      days_until_due: 30,
      line_items: [{ description: 'Seats', quantity: 2, unit_amount_cents: 1500 }],
    });
    const path = `/v1/invoices/${draft.body.invoice.id}/finalize`;
    const headers = { 'idempotency-key': 'finalize-once' };
    const answers = await Promise.all(Array.from({ length: 20 }, () => org.live.post(path, undefined, headers)));

    const finalized = expectOneAnswerOrInUse(answers, 200);
    expect(finalized.invoice).toMatchObject({ status: 'open', total_cents: 3000 }); // 2 × 1500
    expect((await org.live.post(path, undefined, headers)).body).toEqual(finalized);
  });

  it('refuses a body nested too deeply to fingerprint with 400 before the key is claimed, not 500', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const customer = await org.live.post('/v1/customers', { name: 'Deep Body Co' });
    const path = `/v1/customers/${customer.body.customer.id}`;
    const refused = await org.live.request('DELETE', path, undefined, { 'idempotency-key': 'deep' }, deep);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      success: false,
      error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('deeper than 32 levels') },
    });
    expect((await org.live.get(path)).status).toBe(200);
  });

  describe('on POST /v1/events/ingest', () => {
    const batchFor = (customerId: string, eventKey: string) => ({
      events: [{ event_name: 'api_call', idempotency_key: eventKey, customer_id: customerId }],
    });
    let customerId: string;
    beforeAll(async () => {
      customerId = (await org.live.post('/v1/customers', { name: 'Ingest Retrier' })).body.customer.id;
    });

    it('replays the first answer to the same batch and refuses another batch with the same key', async () => {
      const headers = { 'idempotency-key': 'batch-1' };
      const first = await org.live.post('/v1/events/ingest', batchFor(customerId, 'evt_1'), headers);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ success: true, accepted: 1 });
      expect(first.headers.get('idempotent-replayed')).toBeNull();

      const retried = await org.live.post('/v1/events/ingest', batchFor(customerId, 'evt_1'), headers);
      expect(retried.status).toBe(200);
      expect(retried.body).toEqual(first.body);
      expect(retried.headers.get('idempotent-replayed')).toBe('true');

      const other = await org.live.post('/v1/events/ingest', batchFor(customerId, 'evt_2'), headers);
      expect(other.status).toBe(409);
      expect(other.body).toEqual({
        success: false,
        error: { code: 'IDEMPOTENCY_KEY_REUSED', message: expect.any(String), param: 'Idempotency-Key' },
        request_id: other.headers.get('x-request-id'),
      });
    });

    it('takes a batch once for twenty concurrent requests with one key', async () => {
      const batch = batchFor(customerId, 'evt_concurrent');
      const headers = { 'idempotency-key': 'batch-concurrent' };
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => org.live.post('/v1/events/ingest', batch, headers)),
      );
      expect(expectOneAnswerOrInUse(answers, 200)).toMatchObject({ success: true, accepted: 1 });
    });

    it('answers 409 IDEMPOTENCY_KEY_IN_USE at once while another request works on the key', async () => {
      const batch = batchFor(customerId, 'evt_3');
      // Another gateway replica has claimed the key for this very batch and not answered yet.
      await claimIdempotencyKey(
        cluster.gateway.pool,
        { organizationId: org.id, mode: 'live', apiKeyId: 'other', rateLimitPerMinute: null },
        'batch-2',
        {
          requestHash: fingerprint('POST', '/v1/events/ingest', batch),
          command: null,
          claimant: 'req_other_replica',
          claimMs: 60_000,
        },
      );

      const inUse = await org.live.post('/v1/events/ingest', batch, { 'idempotency-key': 'batch-2' });
      expect(inUse.status).toBe(409);
      expect(inUse.body.error).toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_USE', param: 'Idempotency-Key' });
    });

    it('refuses a bad batch without holding its key', async () => {
      const headers = { 'idempotency-key': 'batch-3' };
      const refused = await org.live.post('/v1/events/ingest', batchFor('cm5x9z8nv0000h85r7l9p2k1m', 'evt_4'), headers);
      expect(refused.status).toBe(400);
      const again = await org.live.post('/v1/events/ingest', batchFor('cm5x9z8nv0000h85r7l9p2k1m', 'evt_4'), headers);
      expect(again.status).toBe(400);
      expect(again.body.error.code).toBe('VALIDATION_ERROR');
    });
  });
});

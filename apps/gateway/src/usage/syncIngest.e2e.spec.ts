import { SyncIngestResponse } from '@afternoon/contracts/syncIngest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

describe('POST /v1/events/ingest with one event: answered with its cost and the balances after it', () => {
  let cluster: TestCluster;
  let org: TestOrganization;
  let customerId: string;

  beforeAll(async () => {
    cluster = await startTestCluster();
    org = await cluster.createOrganization('Sync Co');
    const meter = { code: 'tokens', name: 'Tokens', event_name: 'tokens', aggregation: 'sum', property: 'n' };
    expect((await org.live.post('/v1/meters', meter)).status).toBe(201);
    // 0.4 cents a token: 2.5 tokens cost 1 cent exactly.
    const price = { model: 'per_unit', description: 'Tokens', meter_code: 'tokens', unit_amount: '0.4' };
    const plan = { code: 'tokens', name: 'Tokens', currency: 'usd', interval: 'month', prices: [price] };
    expect((await org.live.post('/v1/plans', plan)).status).toBe(201);
    customerId = (await org.live.post('/v1/customers', { name: 'Sync' })).body.customer.id;
    const start = new Date(Date.now() - 3600_000).toISOString();
    const body = { customer_id: customerId, plan_code: 'tokens', start_date: start, initial_status: 'active' };
    const subscription = (await org.live.post('/v1/subscriptions', body)).body.subscription;
    const grant = { name: 'Trial', amount: 500, currency_code: 'usd', effective_at: start };
    expect((await org.live.post(`/v1/subscriptions/${subscription.id}/credit-grants`, grant)).status).toBe(201);
  });
  afterAll(() => cluster?.stop());

  const sentAt = new Date().toISOString();
  const sendOne = (idempotencyKey: string, tokens: number) =>
    org.live.post('/v1/events/ingest', {
      event_name: 'tokens',
      idempotency_key: idempotencyKey,
      customer_id: customerId,
      timestamp: sentAt,
      properties: { n: tokens },
    });

  it('answers processed with the cost, and balances a later GET agrees with', { timeout: 60_000 }, async () => {
    const first = await sendOne('sync-1', 250);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const answer = SyncIngestResponse.parse(first.body);
    // 250 tokens × 0.4 = 100 cents, drawn from the 500 granted.
    expect(answer).toMatchObject({
      status: 'processed',
      cost: [{ denomination: { type: 'currency', code: 'usd' }, amount: 100 }],
      customer_balances: [{ granted: 500, consumed: 100, available: 400 }],
    });
    const later = await org.live.get(`/v1/customers/${customerId}/balances`);
    const withoutInstant = (balances: { as_of: string }[]) => balances.map(({ as_of: _asOf, ...rest }) => rest);
    expect(withoutInstant(later.body.balances)).toEqual(
      withoutInstant(answer.status === 'rejected' ? [] : answer.customer_balances),
    );

    // The same event again: a duplicate, answered with the first one's id and cost, and nothing drawn twice.
    const again = SyncIngestResponse.parse((await sendOne('sync-1', 250)).body);
    expect(again).toMatchObject({
      status: 'duplicate',
      usage_id: answer.status === 'rejected' ? '' : answer.usage_id,
      cost: [{ amount: 100 }],
      customer_balances: [{ consumed: 100, available: 400 }],
    });
    // The same key with other properties is refused by metering: rejected, with no cost.
    const conflicting = SyncIngestResponse.parse((await sendOne('sync-1', 7)).body);
    expect(conflicting).toMatchObject({ status: 'rejected', error: { code: 'conflicting_duplicate' } });
    expect(conflicting).not.toHaveProperty('cost');
  });

  it('keeps the batch form as it was, and refuses a bad single event naming its field', async () => {
    const batch = await org.live.post('/v1/events/ingest', {
      events: [{ event_name: 'tokens', idempotency_key: 'batch-1', customer_id: customerId, properties: { n: 1 } }],
    });
    expect(batch.body).toMatchObject({ success: true, accepted: 1 });
    const bad = await org.live.post('/v1/events/ingest', { event_name: 'tokens', customer_id: customerId });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((problem: { param: string }) => problem.param)).toEqual([
      'idempotency_key',
      'timestamp',
    ]);
    const stranger = await org.live.post('/v1/events/ingest', {
      event_name: 'tokens',
      idempotency_key: 'nobody-1',
      customer_id: 'cabcdefghijklmnopqrstuvwx',
      timestamp: sentAt,
    });
    expect(stranger.body.error).toMatchObject({ code: 'VALIDATION_ERROR', param: 'customer_id' });
  });

  it('answers 504 when the event is not rated in time, and its cost once sent again', { timeout: 60_000 }, async () => {
    await cluster.stopMeteringService();
    const late = await sendOne('sync-late', 5);
    expect(late.status).toBe(504);
    expect(late.body.error.code).toBe('TIMEOUT');
    await cluster.startMeteringService();
    // 5 tokens × 0.4 = 2 cents.
    const again = SyncIngestResponse.parse((await sendOne('sync-late', 5)).body);
    expect(again).toMatchObject({ status: 'duplicate', cost: [{ amount: 2 }] });
  });
});

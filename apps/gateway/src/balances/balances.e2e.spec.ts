import { Topics } from '@afternoon/contracts/topics';
import { eventually, produce } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

const second = 1_000;

describe('a credit balance burnt down by ten thousand events over HTTP and Kafka, duplicates mixed in', () => {
  let cluster: TestCluster;
  let org: TestOrganization;

  beforeAll(async () => {
    cluster = await startTestCluster();
    org = await cluster.createOrganization('Credits Co');
  });
  afterAll(() => cluster.stop());

  /** A customer on a plan billing 3 cents a call, subscribed from `start`, with a grant of $1,000 effective then. */
  async function customerWithCredits(start: Date) {
    const meter = { code: 'calls', name: 'Calls', event_name: 'api.call', aggregation: 'count' };
    expect((await org.live.post('/v1/meters', meter)).status).toBe(201);
    const price = { model: 'per_unit', description: 'Calls', meter_code: 'calls', unit_amount: '3' };
    const plan = { code: 'metered', name: 'Metered', currency: 'usd', interval: 'month', prices: [price] };
    expect((await org.live.post('/v1/plans', plan)).status).toBe(201);
    const customerId: string = (await org.live.post('/v1/customers', { name: 'Burner' })).body.customer.id;
    const subscription = await org.live.post('/v1/subscriptions', {
      customer_id: customerId,
      plan_code: 'metered',
      start_date: start.toISOString(),
      initial_status: 'active',
    });
    expect(subscription.status).toBe(201);
    const grant = await org.live.post(`/v1/subscriptions/${subscription.body.subscription.id}/credit-grants`, {
      name: 'Prepaid',
      amount: 100_000,
      currency_code: 'usd',
      effective_at: start.toISOString(),
    });
    expect(grant.status, JSON.stringify(grant.body)).toBe(201);
    return { customerId, grantId: grant.body.credit_grant.id as string };
  }

  it('is exact at the end and as of three past instants', { timeout: 300_000 }, async () => {
    const start = new Date(Math.floor(Date.now() / second) * second - 2 * 24 * 3600 * second);
    const { customerId, grantId } = await customerWithCredits(start);
    // Event n happens n + 1 seconds after the start.
    const event = (n: number) => ({
      event_name: 'api.call',
      idempotency_key: `call_${n}`,
      customer_id: customerId,
      timestamp: new Date(start.getTime() + (n + 1) * second).toISOString(),
    });
    // Keys 0..6999 over HTTP in 1,000-event batches, the last one sent twice (a client retry).
    for (let batch = 0; batch < 7; batch++) {
      const events = Array.from({ length: 1000 }, (_, index) => event(batch * 1000 + index));
      expect((await org.live.post('/v1/events/ingest', { events })).status).toBe(200);
    }
    const retry = Array.from({ length: 1000 }, (_, index) => event(6000 + index));
    expect((await org.live.post('/v1/events/ingest', { events: retry })).status).toBe(200);
    // Keys 5000..9999 straight to Kafka: 5000..6999 repeat what came over HTTP.
    const receivedAt = new Date().toISOString();
    const records = Array.from({ length: 5000 }, (_, index) => ({
      key: customerId,
      value: JSON.stringify({ organization_id: org.id, mode: 'live', ...event(5000 + index), received_at: receivedAt }),
    }));
    await produce(cluster.services.metering.kafka.topic(Topics.usageIngest), records);

    const balanceAt = async (asOf?: Date) => {
      const query = asOf ? `?as_of=${asOf.toISOString()}` : '';
      const response = await org.live.get(`/v1/customers/${customerId}/balances${query}`);
      expect(response.status).toBe(200);
      return response.body;
    };
    // 10,000 distinct calls at 3 cents: 30,000 of the 100,000 granted.
    await eventually(async () => expect((await balanceAt()).balances[0]?.consumed).toBe(30_000), {
      timeout: 240_000,
      label: 'every call rated',
    });
    const usd = { type: 'currency', code: 'usd' };
    const amounts = (consumed: number) => ({
      granted: 100_000,
      consumed,
      expired: 0,
      voided: 0,
      available: 100_000 - consumed,
    });
    const balance = (consumed: number) => ({ denomination: usd, ...amounts(consumed) });
    expect((await balanceAt()).balances).toMatchObject([
      { ...balance(30_000), grants: [{ grant_id: grantId, name: 'Prepaid', ...amounts(30_000) }] },
    ]);
    // Calls at 1..1000 s are in by 1000.5 s: 3,000; by 5000 s, 5,000 calls: 15,000; by 9999 s, 9,999: 29,997.
    const at = (seconds: number) => new Date(start.getTime() + seconds * second);
    for (const [seconds, consumed] of [
      [1000.5, 3_000],
      [5000, 15_000],
      [9999, 29_997],
    ] as const) {
      const past = await balanceAt(at(seconds));
      expect(past.as_of).toBe(at(seconds).toISOString());
      expect(past.balances, `as of ${seconds} s`).toMatchObject([balance(consumed)]);
    }
    // Before the grant took effect there was nothing in it.
    expect((await balanceAt(at(-1))).balances).toMatchObject([
      { denomination: usd, granted: 0, consumed: 0, available: 0, grants: [] },
    ]);
  });

  it('answers 404 for a customer the caller does not have', async () => {
    const response = await org.live.get('/v1/customers/cabcdefghijklmnopqrstuvwx/balances');
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('NOT_FOUND');
  });
});

import type { GatewayClient } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceClock } from '../../test/clockedSubscription';
import { startTestCluster, type TestCluster } from '../../test/testCluster';

describe('credit grants expire at expires_at on the customer’s test clock, once', () => {
  let cluster: TestCluster;
  let test: GatewayClient;

  beforeAll(async () => {
    // No pass on a timer within the test: the clock's advance must wake the expiry loop itself.
    cluster = await startTestCluster({ billingRunIntervalMs: 3_600_000 });
    test = (await cluster.createOrganization('Acme Inc.')).test;
    const plan = {
      code: 'starter',
      name: 'Starter',
      interval: 'month',
      prices: [{ model: 'flat', description: 'Platform fee', amount_cents: 2000, timing: 'in_arrears' }],
    };
    expect((await test.post('/v1/plans', plan)).status).toBe(201);
    expect((await test.post('/v1/pricing_units', { code: 'gpu_sec', name: 'GPU second' })).status).toBe(201);
  });
  afterAll(() => cluster?.stop());

  const advance = (clockId: string, frozenTime: string) => advanceClock(test, clockId, frozenTime);

  const expiredEvents = async (grantId: string) =>
    (
      await cluster.services.invoicing.pool.query(
        `SELECT data FROM events WHERE stream_id = $1 AND type = 'CreditGrantExpired'`,
        [`credit_grant-${grantId}`],
      )
    ).rows.map((row) => row.data);

  it('expires the remainder when the clock passes expires_at, and leaves grants not yet due', async () => {
    const clock = await test.post('/v1/test_clocks', { frozen_time: '2027-01-01T00:00:00Z' });
    const clockId = clock.body.test_clock.id;
    const customer = await test.post('/v1/customers', { name: 'Ada', test_clock: clockId });
    const subscribed = await test.post('/v1/subscriptions', {
      customer_id: customer.body.customer.id,
      plan_code: 'starter',
    });
    const grants = `/v1/subscriptions/${subscribed.body.subscription.id}/credit-grants`;
    const soon = await test.post(grants, {
      name: 'January promo',
      amount: 5000,
      currency_code: 'usd',
      expires_at: '2027-01-10T00:00:00Z',
    });
    expect(soon.status).toBe(201);
    // Effective from the clock's now, not the wall's.
    expect(soon.body.credit_grant).toMatchObject({ effective_at: '2027-01-01T00:00:00.000Z', status: 'active' });
    const later = await test.post(grants, {
      name: 'February GPU',
      amount: '2.5',
      pricing_unit_code: 'gpu_sec',
      expires_at: '2027-02-10T00:00:00Z',
    });
    expect(later.status).toBe(201);
    const soonPath = `${grants}/${soon.body.credit_grant.id}`;
    const laterPath = `${grants}/${later.body.credit_grant.id}`;

    await advance(clockId, '2027-01-09T23:59:59Z');
    expect((await test.get(soonPath)).body.credit_grant.status).toBe('active');

    await advance(clockId, '2027-01-15T00:00:00Z');
    // The clock is ready only once what its advance made due is done, the grant's expiry included.
    const expired = (await test.get(soonPath)).body.credit_grant;
    // Nothing was drawn: all 5000 expire, 5000 − 0 − 5000 = 0 remain.
    expect(expired).toMatchObject({ amount: 5000, consumed: 0, expired: 5000, voided: 0, remaining: 0 });
    expect((await test.get(laterPath)).body.credit_grant).toMatchObject({ status: 'active', remaining: '2.5' });
    // Expired at expires_at, not at the clock's time when the loop got to it.
    expect(await expiredEvents(soon.body.credit_grant.id)).toEqual([
      {
        grant_id: soon.body.credit_grant.id,
        customer_id: customer.body.customer.id,
        expired_amount: '5000',
        expired_at: '2027-01-10T00:00:00.000Z',
      },
    ]);

    // An expired grant cannot be voided, and a later advance expires nothing twice.
    expect((await test.post(`${soonPath}/void`)).body.error).toMatchObject({ code: 'INVALID_STATE' });
    await advance(clockId, '2027-02-10T00:00:00Z');
    expect((await test.get(laterPath)).body.credit_grant).toMatchObject({ status: 'expired', expired: '2.5' });
    expect(await expiredEvents(soon.body.credit_grant.id)).toHaveLength(1);
    expect(await expiredEvents(later.body.credit_grant.id)).toHaveLength(1);
  });
});

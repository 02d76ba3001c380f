import { eventually } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

const nextYear = new Date(Date.now() + 365 * 24 * 3600_000).toISOString();
const unknownId = 'cm5x9z8nv0000h85r7l9p2k1m';

describe('credit grants through the gateway', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let globex: TestOrganization;
  let subscriptionId: string;
  let customerId: string;
  const grants = () => `/v1/subscriptions/${subscriptionId}/credit-grants`;
  /** A subscription of a customer of its own (a customer has one live subscription per plan). */
  const newSubscription = async (): Promise<string> => {
    const customer = await acme.live.post('/v1/customers', { name: 'Grace' });
    const body = { customer_id: customer.body.customer.id, plan_code: 'starter' };
    const subscribed = await acme.live.post('/v1/subscriptions', body);
    expect(subscribed.status).toBe(201);
    return subscribed.body.subscription.id;
  };

  beforeAll(async () => {
    cluster = await startTestCluster();
    acme = await cluster.createOrganization('Acme Inc.');
    globex = await cluster.createOrganization('Globex');
    const customer = await acme.live.post('/v1/customers', { name: 'Ada' });
    customerId = customer.body.customer.id;
    const plan = {
      code: 'starter',
      name: 'Starter',
      interval: 'month',
      prices: [{ model: 'flat', description: 'Platform fee', amount_cents: 2000, timing: 'in_arrears' }],
    };
    expect((await acme.live.post('/v1/plans', plan)).status).toBe(201);
    const subscribed = await acme.live.post('/v1/subscriptions', { customer_id: customerId, plan_code: 'starter' });
    expect(subscribed.status).toBe(201);
    subscriptionId = subscribed.body.subscription.id;
    expect((await acme.live.post('/v1/pricing_units', { code: 'gpu_sec', name: 'GPU second' })).status).toBe(201);
  });
  afterAll(() => cluster?.stop());

  it('grants credits in a currency (integer minor units) and reads them back', async () => {
    const before = Date.now();
    const created = await acme.live.post(grants(), {
      name: 'Welcome credits',
      amount: 5000,
      currency_code: 'usd',
      expires_at: nextYear,
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ success: true, credit_grant: expect.any(Object), request_id: expect.any(String) });
    const grant = created.body.credit_grant;
    expect(grant).toMatchObject({
      subscription_id: subscriptionId,
      customer_id: customerId,
      name: 'Welcome credits',
      denomination: { type: 'currency', code: 'usd' },
      currency_code: 'usd',
      pricing_unit_code: null,
      amount: 5000,
      granted: 5000,
      consumed: 0,
      expired: 0,
      voided: 0,
      remaining: 5000,
      status: 'active',
      priority: 0,
      expires_at: nextYear,
      voided_at: null,
      metadata: {},
    });
    // No effective_at given: effective from the customer's now (the real time: no test clock).
    expect(Date.parse(grant.effective_at)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(grant.effective_at)).toBeLessThanOrEqual(Date.now());
    const read = await acme.live.get(`${grants()}/${grant.id}`);
    expect(read.body).toMatchObject({ success: true, credit_grant: grant });
  });

  it('grants credits in a pricing unit (exact decimal strings), from a numeric string', async () => {
    const created = await acme.live.post(grants(), {
      name: 'GPU time',
      amount: '12.50',
      pricing_unit_code: 'gpu_sec',
      expires_at: null,
      priority: 5,
      metadata: { campaign: 'launch' },
    });
    expect(created.status).toBe(201);
    expect(created.body.credit_grant).toMatchObject({
      denomination: { type: 'pricing_unit', code: 'gpu_sec' },
      pricing_unit_code: 'gpu_sec',
      currency_code: null,
      amount: '12.5',
      granted: '12.5',
      consumed: '0',
      remaining: '12.5',
      expires_at: null,
      priority: 5,
      metadata: { campaign: 'launch' },
    });
  });

  it('refuses both denominations or neither, a fractional currency amount and bad fields with 400 naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'Both', amount: 10, currency_code: 'usd', pricing_unit_code: 'gpu_sec' }, 'currency_code'],
      [{ name: 'Neither', amount: 10 }, 'pricing_unit_code'],
      [{ name: 'Fraction', amount: 10.5, currency_code: 'usd' }, 'amount'],
      [{ name: 'Fraction', amount: '10.5', currency_code: 'usd' }, 'amount'],
      [{ name: 'Zero', amount: 0, currency_code: 'usd' }, 'amount'],
      [{ name: 'Negative', amount: '-3', pricing_unit_code: 'gpu_sec' }, 'amount'],
      [{ amount: 10, currency_code: 'usd' }, 'name'],
      [{ name: 'Bad currency', amount: 10, currency_code: 'USD' }, 'currency_code'],
      [{ name: 'Local time', amount: 10, currency_code: 'usd', expires_at: '2030-01-01T00:00:00+02:00' }, 'expires_at'],
      [
        {
          name: 'Backwards',
          amount: 10,
          currency_code: 'usd',
          effective_at: '2030-01-02T00:00:00Z',
          expires_at: '2030-01-01T00:00:00Z',
        },
        'expires_at',
      ],
    ];
    for (const [body, param] of cases) {
      const refused = await acme.live.post(grants(), body);
      expect({ body, status: refused.status, param: refused.body.error?.param }).toEqual({ body, status: 400, param });
    }
    // Expiring before the customer's now, which invoicing fills in as the start.
    const past = await acme.live.post(grants(), {
      name: 'Already over',
      amount: 10,
      currency_code: 'usd',
      expires_at: '2020-01-01T00:00:00Z',
    });
    expect(past.status).toBe(400);
    expect(past.body.error).toMatchObject({ code: 'VALIDATION_ERROR', param: 'expires_at' });
  });

  it('counts a grant retried with the same Idempotency-Key once', async () => {
    const path = `/v1/subscriptions/${await newSubscription()}/credit-grants`;
    const body = { name: 'Top-up', amount: 1000, currency_code: 'usd' };
    const headers = { 'Idempotency-Key': 'top-up-1' };
    const first = await acme.live.post(path, body, headers);
    const retried = await acme.live.post(path, body, headers);
    expect(first.status).toBe(201);
    expect(retried.status).toBe(201);
    expect(retried.body.credit_grant).toEqual(first.body.credit_grant);
    const listed = await acme.live.get(path);
    expect(listed.body.credit_grants.map((grant: { id: string }) => grant.id)).toEqual([first.body.credit_grant.id]);
  });

  it('answers 404 for an unknown subscription or pricing unit, naming it', async () => {
    const body = { name: 'Nowhere', amount: 10, currency_code: 'usd' };
    const noSubscription = await acme.live.post(`/v1/subscriptions/${unknownId}/credit-grants`, body);
    expect(noSubscription.status).toBe(404);
    expect(noSubscription.body.error).toMatchObject({ code: 'NOT_FOUND', param: 'id' });
    expect(noSubscription.body.error.message).toContain(unknownId);
    const noUnit = await acme.live.post(grants(), { name: 'No unit', amount: 10, pricing_unit_code: 'token' });
    expect(noUnit.status).toBe(404);
    expect(noUnit.body.error).toMatchObject({ code: 'NOT_FOUND', param: 'pricing_unit_code' });
    expect((await acme.live.get(`/v1/subscriptions/${unknownId}/credit-grants`)).status).toBe(404);
    expect((await acme.live.get(`${grants()}/${unknownId}`)).body.error).toMatchObject({ param: 'grant_id' });
    // Another organization's subscription is as unknown as none.
    expect((await globex.live.post(grants(), body)).status).toBe(404);
    expect((await globex.live.get(grants())).status).toBe(404);
  });

  it('lists a subscription’s grants newest first, a page at a time', async () => {
    const first = await acme.live.get(`${grants()}?limit=1`);
    expect(first.status).toBe(200);
    expect(first.body.credit_grants.map((grant: { name: string }) => grant.name)).toEqual(['GPU time']);
    expect(first.body.pagination.has_more).toBe(true);
    const rest = await acme.live.get(`${grants()}?limit=10&cursor=${first.body.pagination.next_cursor}`);
    expect(rest.body.credit_grants.map((grant: { name: string }) => grant.name)).toEqual(['Welcome credits']);
  });

  it('voids the remainder the ledger has not drawn, once; a grant of another subscription is not found', async () => {
    const created = await acme.live.post(grants(), { name: 'To void', amount: 5000, currency_code: 'usd' });
    const grantId = created.body.credit_grant.id;
    // Stands in for rating, whose projection keeps `consumed`: 1250 of the 5000 were drawn.
    await cluster.services.invoicing.pool.query('UPDATE credit_grants SET consumed = 1250 WHERE id = $1', [grantId]);

    const elsewhere = await acme.live.post(
      `/v1/subscriptions/${await newSubscription()}/credit-grants/${grantId}/void`,
    );
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.error).toMatchObject({ code: 'NOT_FOUND', param: 'grant_id' });

    const voided = await acme.live.post(`${grants()}/${grantId}/void`);
    expect(voided.status).toBe(200);
    // 5000 granted − 1250 consumed = 3750 voided; nothing remains.
    expect(voided.body).toMatchObject({
      success: true,
      credit_grant: { status: 'voided', amount: 5000, consumed: 1250, voided: 3750, expired: 0, remaining: 0 },
    });
    expect(voided.body.credit_grant.voided_at).toEqual(expect.any(String));
    await eventually(
      async () =>
        expect((await acme.live.get(`${grants()}/${grantId}`)).body.credit_grant).toEqual(voided.body.credit_grant),
      { label: 'the voided grant read back' },
    );

    const again = await acme.live.post(`${grants()}/${grantId}/void`);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'INVALID_STATE' });
    const { rows } = await cluster.services.invoicing.pool.query(
      `SELECT type, data->>'voided_amount' AS voided_amount FROM events WHERE stream_id = $1 ORDER BY version`,
      [`credit_grant-${grantId}`],
    );
    expect(rows).toEqual([
      { type: 'CreditGrantCreated', voided_amount: null },
      { type: 'CreditGrantVoided', voided_amount: '3750' },
    ]);
  });

  it('expires a grant whose expires_at has passed on the real clock, at that instant', async () => {
    const created = await acme.live.post(grants(), {
      name: 'Backdated',
      amount: '3',
      pricing_unit_code: 'gpu_sec',
      effective_at: '2026-01-01T00:00:00Z',
      expires_at: '2026-02-01T00:00:00Z',
    });
    expect(created.status).toBe(201);
    const path = `${grants()}/${created.body.credit_grant.id}`;
    await eventually(
      async () =>
        expect((await acme.live.get(path)).body.credit_grant).toMatchObject({
          status: 'expired',
          expired: '3',
          remaining: '0',
        }),
      { timeout: 30_000, label: 'the backdated grant expired' },
    );
    const { rows } = await cluster.services.invoicing.pool.query(
      `SELECT data->>'expired_at' AS expired_at FROM events WHERE stream_id = $1 AND type = 'CreditGrantExpired'`,
      [`credit_grant-${created.body.credit_grant.id}`],
    );
    expect(rows).toEqual([{ expired_at: '2026-02-01T00:00:00.000Z' }]);
  });

  it('refuses a grant on a canceled subscription as INVALID_STATE', async () => {
    const id = await newSubscription();
    expect((await acme.live.post(`/v1/subscriptions/${id}/cancel`, { cancel_mode: 'now' })).status).toBe(200);
    const refused = await acme.live.post(`/v1/subscriptions/${id}/credit-grants`, {
      name: 'Too late',
      amount: 10,
      currency_code: 'usd',
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('INVALID_STATE');
  });
});

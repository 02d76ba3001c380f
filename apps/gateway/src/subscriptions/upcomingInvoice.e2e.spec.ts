import { eventually } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthsLater } from '../../test/calendar';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

const day = 24 * 60 * 60 * 1000;
const hour = 60 * 60 * 1000;

const usagePlan = {
  code: 'usage_pro',
  name: 'Usage Pro',
  interval: 'month',
  minimum_amount_cents: 7000,
  prices: [
    { model: 'flat', description: 'Platform fee', amount_cents: 4900, timing: 'in_advance' },
    { model: 'flat', description: 'Support', amount_cents: 1500, timing: 'in_arrears' },
    { model: 'per_unit', description: 'API calls', meter_code: 'api_calls', unit_amount: '12.5', free_units: 2 },
    {
      model: 'graduated',
      description: 'Tokens',
      meter_code: 'tokens',
      tiers: [
        { up_to: 100, unit_amount: '2' },
        { up_to: null, unit_amount: '1', flat_amount: '50' },
      ],
    },
  ],
};

describe('the upcoming invoice of a subscription', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let globex: TestOrganization;
  let customerId: string;
  let priceIds: string[];

  beforeAll(async () => {
    cluster = await startTestCluster();
    acme = await cluster.createOrganization('Acme Inc.');
    globex = await cluster.createOrganization('Globex');
    customerId = (await acme.live.post('/v1/customers', { name: 'Ada' })).body.customer.id;
    const meters = [
      { code: 'api_calls', name: 'API calls', event_name: 'api.request', aggregation: 'count' },
      {
        code: 'tokens',
        name: 'Tokens',
        event_name: 'api.request',
        aggregation: 'sum',
        property: 'tokens',
        group_by: ['model'],
      },
    ];
    for (const meter of meters) expect((await acme.live.post('/v1/meters', meter)).status).toBe(201);
    const plan = await acme.live.post('/v1/plans', usagePlan);
    expect(plan.status).toBe(201);
    priceIds = plan.body.plan.prices.map((price: { id: string }) => price.id);
  });
  afterAll(() => cluster?.stop());

  it('bills the period so far: usage since its start, fees in arrears now, fees in advance for the next period', async () => {
    const start = new Date(Math.floor((Date.now() - 3 * day) / 1000) * 1000);
    const created = await acme.live.post('/v1/subscriptions', {
      customer_id: customerId,
      plan_code: 'usage_pro',
      start_date: start.toISOString(),
      initial_status: 'active',
    });
    expect(created.status).toBe(201);
    const subscription = created.body.subscription;
    // Anchored on the start's day: the first period is one whole month from the start, and holds now.
    const periodEnd = monthsLater(start, 1);
    expect(subscription.current_period_start).toBe(start.toISOString());
    expect(subscription.current_period_end).toBe(periodEnd.toISOString());

    const call = (n: number, at: number, model: string, tokens: number) => ({
      event_name: 'api.request',
      idempotency_key: `evt_${n}`,
      customer_id: customerId,
      timestamp: new Date(at).toISOString(),
      properties: { model, tokens },
    });
    const ingest = await acme.live.post('/v1/events/ingest', {
      events: [
        call(1, start.getTime() + hour, 'gpt-4', 80),
        call(2, start.getTime() + 2 * hour, 'gpt-4', 70.5),
        call(3, start.getTime() + day, 'gpt-3.5', 40),
        call(4, start.getTime() + 2 * day, 'gpt-3.5', 30),
        call(5, start.getTime() + 2 * day + hour, 'gpt-4', 10),
        // An hour before the period starts: counted by neither meter.
        call(6, start.getTime() - hour, 'gpt-4', 1000),
      ],
    });
    expect(ingest.body).toMatchObject({ success: true, accepted: 6 });
    const acceptedAt = Date.now();

    const upcoming = await eventually(
      async () => {
        const response = await acme.live.get(`/v1/subscriptions/${subscription.id}/upcoming_invoice`);
        expect(response.status).toBe(200);
        expect(Date.parse(response.body.upcoming_invoice.usage_processed_through)).toBeGreaterThanOrEqual(acceptedAt);
        return response.body;
      },
      { timeout: 60_000, label: 'usage processed through the ingest' },
    );

    const current = { period_start: start.toISOString(), period_end: periodEnd.toISOString() };
    const next = { period_start: periodEnd.toISOString(), period_end: monthsLater(start, 2).toISOString() };
    const [platformFee, support, apiCalls, tokens] = priceIds;
    expect(upcoming).toMatchObject({ success: true, request_id: expect.any(String) });
    expect(upcoming.upcoming_invoice).toEqual({
      subscription_id: subscription.id,
      customer_id: customerId,
      currency: 'usd',
      ...current,
      lines: [
        // In advance: billed now for the period after this one.
        { kind: 'fee', price_id: platformFee, description: 'Platform fee', quantity: '1', amount_cents: 4900, ...next },
        { kind: 'fee', price_id: support, description: 'Support', quantity: '1', amount_cents: 1500, ...current },
        // 5 calls in the period (not the one before it): (5 − 2 free) × 12.5¢ = 37.5¢ → 38¢ (half up)
        {
          kind: 'usage',
          price_id: apiCalls,
          description: 'API calls',
          quantity: '5',
          amount_cents: 38,
          meter_code: 'api_calls',
          ...current,
        },
        // gpt-3.5: 40 + 30 = 70 tokens, all in the first tier: 70 × 2¢ = 140¢
        {
          kind: 'usage',
          price_id: tokens,
          description: 'Tokens (model: gpt-3.5)',
          quantity: '70',
          amount_cents: 140,
          meter_code: 'tokens',
          ...current,
        },
        // gpt-4: 80 + 70.5 + 10 = 160.5 tokens: 100 × 2¢ + 60.5 × 1¢ + 50¢ (second tier entered) = 310.5¢ → 311¢
        {
          kind: 'usage',
          price_id: tokens,
          description: 'Tokens (model: gpt-4)',
          quantity: '160.5',
          amount_cents: 311,
          meter_code: 'tokens',
          ...current,
        },
        // 4900 + 1500 + 38 + 140 + 311 = 6889¢, short of the 7000¢ minimum by 111¢
        {
          kind: 'minimum',
          price_id: null,
          description: 'Minimum commitment',
          quantity: '1',
          amount_cents: 111,
          ...current,
        },
      ],
      subtotal_cents: 7000,
      total_cents: 7000,
      usage_processed_through: expect.any(String),
    });
  });

  it("answers 404 for another organization's subscription, or another mode's", async () => {
    const { subscriptions } = (await acme.live.get('/v1/subscriptions')).body;
    const id = subscriptions[0].id;
    for (const stranger of [globex.live, acme.test]) {
      const response = await stranger.get(`/v1/subscriptions/${id}/upcoming_invoice`);
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('NOT_FOUND');
    }
    expect((await acme.live.get('/v1/subscriptions/not-an-id/upcoming_invoice')).status).toBe(404);
  });

  it('answers 409 for a canceled subscription: nothing is upcoming', async () => {
    const grace = (await acme.live.post('/v1/customers', { name: 'Grace' })).body.customer.id;
    const { id } = (
      await acme.live.post('/v1/subscriptions', {
        customer_id: grace,
        plan_code: 'usage_pro',
        initial_status: 'active',
      })
    ).body.subscription;
    expect((await acme.live.post(`/v1/subscriptions/${id}/cancel`, { cancel_mode: 'now' })).status).toBe(200);
    const response = await acme.live.get(`/v1/subscriptions/${id}/upcoming_invoice`);
    expect(response.status).toBe(409);
    expect(response.body.error).toMatchObject({
      code: 'INVALID_STATE',
      message: expect.stringContaining('nothing upcoming'),
    });
  });
});

import { eventually, type GatewayClient } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceClock, subscribeOnClock } from '../../test/clockedSubscription';
import { createGpuSeconds } from '../../test/gpuSeconds';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

/** 2 gpu_sec a second up to 1000 seconds, then 1.5 gpu_sec a second and 100 gpu_sec on entering. */
const gpuTime = {
  model: 'graduated',
  description: 'GPU time',
  meter_code: 'gpu_seconds',
  pricing_unit_code: 'gpu_sec',
  tiers: [
    { up_to: 1000, unit_amount: '2' },
    { up_to: null, unit_amount: '1.5', flat_amount: '100' },
  ],
};
const platformFee = { model: 'flat', description: 'Platform fee', amount_cents: 4900, timing: 'in_advance' };
const gpuPlan = { code: 'gpu', name: 'GPU', interval: 'month', prices: [platformFee, gpuTime] };

interface Line {
  kind: string;
  description: string;
  quantity: number;
  amount_cents: number;
  pricing_unit?: { code: string; quantity: string; unit_amount: string };
}

describe('usage prices in a pricing unit', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let test: GatewayClient;

  beforeAll(async () => {
    cluster = await startTestCluster({ billingRunIntervalMs: 3_600_000 });
    acme = await cluster.createOrganization('Acme Inc.');
    test = acme.test;
    for (const client of [acme.live, test]) await createGpuSeconds(client);
    expect((await acme.live.post('/v1/pricing_units', { code: 'token', name: 'Token' })).status).toBe(201);
    const euroCredit = {
      code: 'eur_credit',
      name: 'Credit',
      currency_conversion: { currency: 'eur', unit_amount: '1' },
    };
    expect((await acme.live.post('/v1/pricing_units', euroCredit)).status).toBe(201);
  });
  afterAll(() => cluster?.stop());

  it('keeps the conversion with the plan version, and reads it back', async () => {
    const created = await acme.live.post('/v1/plans', gpuPlan);
    expect(created.status, JSON.stringify(created.body.error)).toBe(201);
    const [fee, gpu] = created.body.plan.prices;
    expect(fee).not.toHaveProperty('pricing_unit');
    const { pricing_unit_code: _code, ...asSent } = gpuTime;
    expect(gpu).toEqual({ ...asSent, id: expect.any(String), pricing_unit: { code: 'gpu_sec', unit_amount: '0.25' } });
    expect((await acme.live.get('/v1/plans/gpu')).body.plan).toEqual(created.body.plan);

    // A revision looks the unit up again (it cannot have changed): the new version reads on its own.
    const revised = await acme.live.patch('/v1/plans/gpu', {
      prices: [fee, { ...asSent, id: gpu.id, pricing_unit_code: 'gpu_sec', description: 'GPU' }],
    });
    expect(revised.status, JSON.stringify(revised.body.error)).toBe(200);
    expect(revised.body.plan.prices[1]).toMatchObject({
      id: gpu.id,
      pricing_unit: { code: 'gpu_sec', unit_amount: '0.25' },
    });
  });

  it('refuses a unit the organization does not have, or that does not convert into the plan currency', async () => {
    const refused = async (body: unknown, param: string, message: RegExp) => {
      const response = await acme.live.post('/v1/plans', body);
      expect(response.status, JSON.stringify(response.body)).toBe(400);
      expect(response.body).toMatchObject({ success: false, error: { code: 'VALIDATION_ERROR', param } });
      expect(response.body.error.message).toMatch(message);
    };
    const withUnit = (code: string, pricing_unit_code: string) => ({
      ...gpuPlan,
      code,
      prices: [platformFee, { ...gpuTime, pricing_unit_code }],
    });
    await refused(withUnit('unknown', 'gpu_hour'), 'prices[1].pricing_unit_code', /no such pricing unit: 'gpu_hour'/);
    // Made in test mode only: live mode has no such unit.
    const testOnly = await test.post('/v1/pricing_units', { code: 'test_only', name: 'Test only' });
    expect(testOnly.status).toBe(201);
    await refused(withUnit('other_mode', 'test_only'), 'prices[1].pricing_unit_code', /no such pricing unit/);
    await refused(withUnit('unconverted', 'token'), 'prices[1].pricing_unit_code', /no currency_conversion into usd/);
    await refused(withUnit('euro', 'eur_credit'), 'prices[1].pricing_unit_code', /no currency_conversion into usd/);
    // The same unit is fine for a plan in the unit's currency.
    expect((await acme.live.post('/v1/plans', { ...withUnit('euro', 'eur_credit'), currency: 'eur' })).status).toBe(
      201,
    );
    await refused(
      { ...gpuPlan, code: 'minimum', prices: [{ ...gpuTime, minimum_amount_cents: 500 }] },
      'prices[0].minimum_amount_cents',
      /pricing unit/,
    );
    await refused(
      { ...gpuPlan, code: 'flat', prices: [{ ...platformFee, pricing_unit_code: 'gpu_sec' }] },
      'prices[0].pricing_unit_code',
      /./,
    );
    // A revision is held to the same: the plan's currency is usd.
    const revised = await acme.live.patch('/v1/plans/gpu', { prices: [{ ...gpuTime, pricing_unit_code: 'token' }] });
    expect(revised.status).toBe(400);
    expect(revised.body.error).toMatchObject({ code: 'VALIDATION_ERROR', param: 'prices[0].pricing_unit_code' });
    for (const code of ['unknown', 'other_mode', 'unconverted', 'minimum', 'flat'])
      expect((await acme.live.get(`/v1/plans/${code}`)).status).toBe(404);
  });

  it("bills the period's units converted once on the invoice, and shows them on the upcoming invoice", async () => {
    expect((await test.post('/v1/plans', gpuPlan)).status).toBe(201);
    const { clock, customerId, subscriptionId } = await subscribeOnClock(test, 'gpu');

    const advance = (frozenTime: string) => advanceClock(test, clock, frozenTime);
    await advance('2027-01-20T00:00:00.000Z');
    const ingested = await test.post('/v1/events/ingest', {
      events: [
        ['job-1', '2027-01-05T00:00:00Z', 600.5],
        ['job-2', '2027-01-15T00:00:00Z', 400.8],
      ].map(([key, timestamp, seconds]) => ({
        event_name: 'gpu',
        idempotency_key: key,
        customer_id: customerId,
        timestamp,
        properties: { seconds },
      })),
    });
    expect(ingested.body, JSON.stringify(ingested.body.error)).toMatchObject({ success: true, accepted: 2 });

    // 600.5 + 400.8 = 1001.3 seconds: 1000 × 2 + 1.3 × 1.5 + 100 = 2101.95 gpu_sec; × 0.25¢ = 525.4875¢ → 525¢
    const gpuLine = {
      kind: 'usage',
      description: 'GPU time',
      amount_cents: 525,
      pricing_unit: { code: 'gpu_sec', quantity: '2101.95', unit_amount: '0.25' },
    };
    const upcoming = await eventually(
      async () => {
        const response = await test.get(`/v1/subscriptions/${subscriptionId}/upcoming_invoice`);
        const line = response.body.upcoming_invoice.lines.find((found: Line) => found.kind === 'usage');
        expect(line).toMatchObject({ ...gpuLine, quantity: '1001.3' });
        return response.body.upcoming_invoice;
      },
      { timeout: 30_000, label: 'the upcoming invoice with both jobs' },
    );
    // The platform fee of February in advance, and January's GPU time
    expect(upcoming.subtotal_cents).toBe(4900 + 525);

    await advance('2027-02-01T02:00:00.000Z');
    const invoices = (await test.get(`/v1/invoices?customer_id=${customerId}&limit=100`)).body.invoices;
    const january = invoices.find(
      (invoice: { billing_reason: string }) => invoice.billing_reason === 'subscription_cycle',
    );
    expect(january?.line_items.find((line: Line) => line.kind === 'usage')).toMatchObject({
      ...gpuLine,
      quantity: 1001.3,
    });
    expect(january?.total_cents).toBe(5425);
    // The line reads back the same by id, as the invoice stores it.
    const read = (await test.get(`/v1/invoices/${january?.id}`)).body.invoice;
    expect(read.line_items).toEqual(january?.line_items);
  });
});

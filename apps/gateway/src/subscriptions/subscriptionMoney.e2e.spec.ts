import { internalApiHeaders, TenantHeaders } from '@afternoon/service-kit';
import { eventually, testInternalApiToken } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

const meter = { code: 'units', name: 'Units', event_name: 'work.done', aggregation: 'sum', property: 'n' };

describe('money on plans and subscriptions: bounded where it enters, and where usage multiplies it', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;

  beforeAll(async () => {
    cluster = await startTestCluster({ billingGracePeriodSeconds: 0 });
    acme = await cluster.createOrganization('Acme Inc.');
  });
  afterAll(() => cluster?.stop());

  const plan = (code: string, fields: object) => ({ code, name: code, interval: 'month', ...fields });

  it('refuses a price past 10^12 minor units and an unknown currency, naming the field, and creates no plan', async () => {
    const fee = { model: 'flat', description: 'Fee', amount_cents: 9007199254740991, timing: 'in_advance' };
    const huge = await acme.live.post('/v1/plans', plan('huge_fee', { prices: [fee] }));
    expect(huge.status).toBe(400);
    expect(huge.body.error).toMatchObject({ code: 'VALIDATION_ERROR', param: 'prices[0].amount_cents' });
    const xyz = await acme.live.post(
      '/v1/plans',
      plan('xyz_plan', { currency: 'xyz', prices: [{ ...fee, amount_cents: 1 }] }),
    );
    expect(xyz.status).toBe(400);
    expect(xyz.body.error).toMatchObject({ code: 'VALIDATION_ERROR', param: 'currency' });
    for (const code of ['huge_fee', 'xyz_plan']) expect((await acme.live.get(`/v1/plans/${code}`)).status).toBe(404);
  });

  it('answers 400 for an upcoming invoice whose usage charges past a line, and the billing run issues none', {
    timeout: 150_000,
  }, async () => {
    const test = acme.test;
    expect((await test.post('/v1/meters', meter)).status).toBe(201);
    // 10^12 minor units a unit: 1,001 units are 1.001 × 10^15, past a line's 10^15
    const prices = [{ model: 'per_unit', description: 'Work', meter_code: 'units', unit_amount: '1000000000000' }];
    expect((await test.post('/v1/plans', plan('costly_work', { prices }))).status).toBe(201);
    const clock = (await test.post('/v1/test_clocks', { frozen_time: '2027-01-01T00:00:00.000Z' })).body.test_clock.id;
    const customerId = (await test.post('/v1/customers', { name: 'Ada', test_clock: clock })).body.customer.id;
    const created = await test.post('/v1/subscriptions', { customer_id: customerId, plan_code: 'costly_work' });
    expect(created.status).toBe(201);
    const subscriptionId = created.body.subscription.id;
    await advanceTo(clock, '2027-01-20T00:00:00.000Z');
    const ingest = await test.post('/v1/events/ingest', {
      events: [
        {
          event_name: 'work.done',
          idempotency_key: 'work_1',
          customer_id: customerId,
          timestamp: '2027-01-10T00:00:00Z',
          properties: { n: 1001 },
        },
      ],
    });
    expect(ingest.body).toMatchObject({ accepted: 1 });

    const upcoming = await eventually(
      async () => {
        const response = await test.get(`/v1/subscriptions/${subscriptionId}/upcoming_invoice`);
        expect(response.status).toBe(400);
        return response.body;
      },
      { timeout: 60_000, label: 'the usage counted in the upcoming invoice' },
    );
    expect(upcoming).toMatchObject({ success: false, error: { code: 'VALIDATION_ERROR' } });
    expect(upcoming.error.message).toContain('1001000000000000');

    // Past the period's end (no grace period here): its invoice cannot be issued, and the run says so.
    const advanced = await test.post(`/v1/test_clocks/${clock}/advance`, { frozen_time: '2027-02-01T00:10:00.000Z' });
    expect(advanced.status).toBe(200);
    const stuck = await eventually(
      async () => {
        const boundary = (await stuckBoundaries()).find((entry) => entry.subscription_id === subscriptionId);
        expect(boundary).toBeDefined();
        return boundary;
      },
      { timeout: 60_000, label: 'the refused boundary listed as stuck' },
    );
    expect(stuck).toMatchObject({
      boundary: '2027-02-01T00:00:00.000Z',
      last_error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('1001000000000000') },
    });
    const invoices = (await test.get(`/v1/invoices?subscription_id=${subscriptionId}`)).body.invoices;
    expect(invoices.map((invoice: { billing_reason: string }) => invoice.billing_reason)).toEqual([]);
    // The clock stays advancing while a boundary it made due cannot be billed.
    expect((await test.get(`/v1/test_clocks/${clock}`)).body.test_clock.status).toBe('advancing');
  });

  async function advanceTo(clock: string, frozenTime: string) {
    expect((await acme.test.post(`/v1/test_clocks/${clock}/advance`, { frozen_time: frozenTime })).status).toBe(200);
    await eventually(
      async () => expect((await acme.test.get(`/v1/test_clocks/${clock}`)).body.test_clock.status).toBe('ready'),
      { timeout: 30_000, label: `clock ready at ${frozenTime}` },
    );
  }

  async function stuckBoundaries(): Promise<{ subscription_id: string }[]> {
    const response = await fetch(`http://127.0.0.1:${cluster.services.invoicing.port}/billing-run/stuck-boundaries`, {
      headers: {
        ...internalApiHeaders(testInternalApiToken),
        [TenantHeaders.organizationId]: acme.id,
        [TenantHeaders.mode]: 'test',
      },
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { stuck_boundaries: { subscription_id: string }[] }).stuck_boundaries;
  }
});

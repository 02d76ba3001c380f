import { eventually, type GatewayClient } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../../test/testCluster';

interface Invoice {
  subscription_id: string;
  invoice_number: string;
  billing_reason: string;
  total_cents: number;
  line_items: { period_start: string }[];
}

const maxCommandsPerPass = 2;
const subscribers = 5;
const weeks = 8;

describe('test clocks: an advance that makes more due than one billing pass may send', () => {
  let cluster: TestCluster;
  let test: GatewayClient;

  beforeAll(async () => {
    // No pass on a timer: a pass that stops at its bound must start the next itself.
    cluster = await startTestCluster({
      billingRunIntervalMs: 3_600_000,
      billingRunMaxCommandsPerPass: maxCommandsPerPass,
    });
    test = (await cluster.createOrganization('Bounded Inc.')).test;
    const plan = {
      code: 'weekly',
      name: 'Weekly',
      interval: 'week',
      prices: [{ model: 'flat', description: 'Seat', amount_cents: 700, timing: 'in_advance' }],
    };
    expect((await test.post('/v1/plans', plan)).status).toBe(201);
  });
  afterAll(() => cluster?.stop());

  it('refuses start dates and clock times outside 2000..2100, and an advance of more than two years, naming the field', async () => {
    const clock = (await test.post('/v1/test_clocks', { frozen_time: '2027-01-01T00:00:00Z' })).body.test_clock.id;
    const customer = (await test.post('/v1/customers', { name: 'Bounds', test_clock: clock })).body.customer;
    const refused = async (path: string, body: object, param: string) => {
      const response = await test.post(path, body);
      expect(response.status, JSON.stringify(response.body)).toBe(400);
      expect(response.body.error).toMatchObject({ code: 'VALIDATION_ERROR', param });
    };
    const subscribe = (start_date: string) => ({ customer_id: customer.id, plan_code: 'weekly', start_date });
    await refused('/v1/subscriptions', subscribe('1999-12-31T23:59:59Z'), 'start_date');
    await refused('/v1/subscriptions', subscribe('2100-01-01T00:00:00Z'), 'start_date');
    await refused('/v1/test_clocks', { frozen_time: '1970-01-01T00:00:00Z' }, 'frozen_time');
    await refused(`/v1/test_clocks/${clock}/advance`, { frozen_time: '2100-01-01T00:00:00Z' }, 'frozen_time');
    await refused(`/v1/test_clocks/${clock}/advance`, { frozen_time: '2029-01-01T00:00:01Z' }, 'frozen_time');
    await refused(`/v1/test_clocks/${clock}/advance`, { frozen_time: '2026-12-31T00:00:00Z' }, 'frozen_time');
  });

  it('bills every boundary exactly once over several passes, numbered without gaps, and only then is ready', {
    timeout: 180_000,
  }, async () => {
    const start = '2027-03-01T00:00:00.000Z';
    const clock = (await test.post('/v1/test_clocks', { frozen_time: start })).body.test_clock.id;
    const subscriptions: string[] = [];
    for (let index = 0; index < subscribers; index++) {
      const customer = (await test.post('/v1/customers', { name: `Bounded ${index}`, test_clock: clock })).body
        .customer;
      const subscribed = await test.post('/v1/subscriptions', { customer_id: customer.id, plan_code: 'weekly' });
      expect(subscribed.status).toBe(201);
      subscriptions.push(subscribed.body.subscription.id);
    }
    const invoices = async (): Promise<Invoice[]> =>
      (await test.get('/v1/invoices?limit=100')).body.invoices.filter((invoice: Invoice) =>
        subscriptions.includes(invoice.subscription_id),
      );
    await eventually(async () => expect(await invoices()).toHaveLength(subscribers), {
      timeout: 30_000,
      label: 'the opening invoices',
    });
    await eventually(
      async () => expect((await test.get(`/v1/test_clocks/${clock}`)).body.test_clock.status).toBe('ready'),
      {
        timeout: 30_000,
        label: 'the clock ready after the starts',
      },
    );

    // Past the last boundary by more than the hour of grace it waits for late usage.
    const end = new Date(Date.parse(start) + weeks * 7 * 24 * 3600_000 + 2 * 3600_000).toISOString();
    expect((await test.post(`/v1/test_clocks/${clock}/advance`, { frozen_time: end })).status).toBe(200);
    // 5 subscriptions with 8 boundaries each now due: a pass sends at most 2 and leaves the rest for the next.
    const billingRun = cluster.services.invoicing.billingRun;
    if (!billingRun) throw new Error('the test cluster runs billing');
    let deferredSeen = 0;
    const billed = await eventually(
      async () => {
        const pass = await billingRun.runOnce();
        expect(pass.commandsSent).toBeLessThanOrEqual(maxCommandsPerPass);
        deferredSeen = Math.max(deferredSeen, pass.subscriptionsDeferred);
        const clockNow = (await test.get(`/v1/test_clocks/${clock}`)).body.test_clock;
        const found = await invoices();
        // Ready only once everything due is billed.
        if (clockNow.status === 'ready') expect(found).toHaveLength(subscribers * (weeks + 1));
        expect(clockNow.status).toBe('ready');
        return found;
      },
      { timeout: 150_000, label: 'every boundary billed and the clock ready' },
    );
    expect(deferredSeen, 'some pass stopped at its bound').toBeGreaterThan(0);
    for (const id of subscriptions) {
      const periods = billed
        .filter((invoice) => invoice.subscription_id === id)
        .map((i) => i.line_items[0]?.period_start);
      expect(new Set(periods).size, 'one invoice per boundary').toBe(weeks + 1);
    }
    // 5 × (1 start + 8 renewals) = 45 invoices of 700 each, INV-0001 to INV-0045 in test mode.
    expect(billed.every((invoice) => invoice.total_cents === 700)).toBe(true);
    expect(billed.map((invoice) => invoice.invoice_number).sort()).toEqual(
      Array.from({ length: subscribers * (weeks + 1) }, (_, index) => `INV-${String(index + 1).padStart(4, '0')}`),
    );
  });
});

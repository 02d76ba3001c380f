import { eventually, type GatewayClient } from '@afternoon/testkit';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceClock, subscribeOnClock } from '../../test/clockedSubscription';
import { createGpuSeconds } from '../../test/gpuSeconds';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

interface Line {
  kind: string;
  description: string;
  quantity: number | string;
  amount_cents: number;
  pricing_unit?: { code: string; quantity: string; unit_amount: string; covered?: string; billed?: string };
  credit_grants?: { grant_id: string; name: string; amount_cents: number }[];
}

interface Invoice {
  id: string;
  billing_reason: string;
  period_end?: string;
  line_items: Line[];
  total_cents: number;
  amount_due_cents: number;
  public_invoice_url: string;
}

interface Balance {
  denomination: { type: string; code: string };
  granted: number | string;
  consumed: number | string;
  available: number | string;
}

/** 3¢ a call, in the plan's currency. */
const calls = { model: 'per_unit', description: 'API calls', meter_code: 'api_calls', unit_amount: '3' };
/** 2 gpu_sec a GPU second, a gpu_sec worth a quarter of a cent. */
const gpuTime = {
  model: 'per_unit',
  description: 'GPU time',
  meter_code: 'gpu_seconds',
  pricing_unit_code: 'gpu_sec',
  unit_amount: '2',
};
const platformFee = { model: 'flat', description: 'Platform fee', amount_cents: 2000, timing: 'in_arrears' };

describe('invoices apply credits', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let test: GatewayClient;

  beforeAll(async () => {
    cluster = await startTestCluster({ billingRunIntervalMs: 3_600_000 });
    acme = await cluster.createOrganization('Acme Inc.');
    test = acme.test;
    const apiCalls = { code: 'api_calls', name: 'API calls', event_name: 'api.call', aggregation: 'count' };
    expect((await test.post('/v1/meters', apiCalls)).status).toBe(201);
    await createGpuSeconds(test);
    const plan = { code: 'compute', name: 'Compute', interval: 'month', prices: [platformFee, calls, gpuTime] };
    const created = await test.post('/v1/plans', plan);
    expect(created.status, JSON.stringify(created.body.error)).toBe(201);
  });
  afterAll(() => cluster?.stop());

  it('shows the credits the ledger drew on the invoice, its upcoming preview and its hosted page', {
    timeout: 180_000,
  }, async () => {
    const { clock, customerId, subscriptionId } = await subscribeOnClock(test, 'compute');
    const grant = async (body: Record<string, unknown>) => {
      const response = await test.post(`/v1/subscriptions/${subscriptionId}/credit-grants`, {
        effective_at: '2027-01-01T00:00:00.000Z',
        expires_at: null,
        ...body,
      });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      return response.body.credit_grant.id as string;
    };
    const promo = await grant({ name: 'Promo', amount: 2000, currency_code: 'usd' });
    await grant({ name: 'GPU bundle', amount: '1500', pricing_unit_code: 'gpu_sec' });

    const advance = (frozenTime: string) => advanceClock(test, clock, frozenTime, 60_000);
    await advance('2027-01-20T00:00:00.000Z');
    const event = (idempotency_key: string, event_name: string, timestamp: string, properties = {}) => ({
      event_name,
      idempotency_key,
      customer_id: customerId,
      timestamp,
      properties,
    });
    const callEvents = Array.from({ length: 500 }, (_, n) =>
      event(`call-${n}`, 'api.call', new Date(Date.parse('2027-01-02T00:00:00Z') + n * 60_000).toISOString()),
    );
    const gpuEvents = [
      event('job-1', 'gpu', '2027-01-05T00:00:00Z', { seconds: 600.5 }),
      event('job-2', 'gpu', '2027-01-15T00:00:00Z', { seconds: 400 }),
    ];
    for (const events of [callEvents, gpuEvents]) {
      const ingested = await test.post('/v1/events/ingest', { events });
      expect(ingested.body, JSON.stringify(ingested.body.error)).toMatchObject({ success: true });
    }

    const balances = async () => (await test.get(`/v1/customers/${customerId}/balances`)).body.balances as Balance[];
    const balanceIn = (all: Balance[], code: string) => all.find((balance) => balance.denomination.code === code);
    // Every event rated: 500 calls × 3¢ = 1500¢ drawn of Promo's 2000¢; 600.5 s × 2 = 1201 gpu_sec then 400 s × 2 =
    // 800 gpu_sec, of which the bundle's last 299 (1201 + 299 = 1500): the bundle reads 1500 consumed only once both
    // GPU jobs are rated, and Promo 1500 only once every call is.
    const rated = await eventually(
      async () => {
        const all = await balances();
        expect(balanceIn(all, 'usd')).toMatchObject({ granted: 2000, consumed: 1500, available: 500 });
        expect(balanceIn(all, 'gpu_sec')).toMatchObject({ granted: '1500', consumed: '1500', available: '0' });
        return all;
      },
      { timeout: 60_000, label: 'every event rated' },
    );
    const drawnCents = balanceIn(rated, 'usd')?.consumed;

    // GPU: 1000.5 s × 2 = 2001 gpu_sec, 1500 covered by the bundle, 501 billed × 0.25¢ = 125.25¢ → 125¢.
    const gpuLine = {
      kind: 'usage',
      description: 'GPU time',
      amount_cents: 125,
      pricing_unit: { code: 'gpu_sec', quantity: '2001', unit_amount: '0.25', covered: '1500', billed: '501' },
    };
    // Promo's drawn 1500¢, all of it applied (the invoice is well above it).
    const creditLine = {
      kind: 'credit_applied',
      description: 'Credits applied',
      amount_cents: -1500,
      credit_grants: [{ grant_id: promo, name: 'Promo', amount_cents: -1500 }],
    };
    const upcoming = (await test.get(`/v1/subscriptions/${subscriptionId}/upcoming_invoice`)).body.upcoming_invoice;
    expect(upcoming.lines.find((line: Line) => line.kind === 'usage' && line.description === 'GPU time')).toMatchObject(
      { ...gpuLine, quantity: '1000.5' },
    );
    expect(upcoming.lines.at(-1)).toMatchObject(creditLine);
    // Platform fee 2000¢ + calls 500 × 3 = 1500¢ + GPU 125¢ − credits 1500¢ = 2125¢.
    expect(upcoming.total_cents).toBe(2000 + 1500 + 125 - 1500);

    await advance('2027-02-01T02:00:00.000Z');
    const invoicesOf = async () =>
      (await test.get(`/v1/invoices?subscription_id=${subscriptionId}&limit=100`)).body.invoices as Invoice[];
    const january = (await invoicesOf()).find((invoice) => invoice.billing_reason === 'subscription_cycle');
    expect(january?.line_items.map(({ kind, description, amount_cents }) => [kind, description, amount_cents])).toEqual(
      [
        ['fee', 'Platform fee', 2000],
        ['usage', 'API calls', 1500],
        ['usage', 'GPU time', 125],
        ['credit_applied', 'Credits applied', -1500],
      ],
    );
    expect(january?.line_items[2]).toMatchObject({ ...gpuLine, quantity: 1000.5 });
    expect(january?.line_items[3]).toMatchObject({ ...creditLine, amount_cents: -Number(drawnCents) });
    // 2000 + 1500 + 125 − 1500 = 2125¢ due: Promo's 500¢ left do not pay the platform fee.
    expect(january?.total_cents).toBe(2125);
    expect(january?.amount_due_cents).toBe(2125);

    // The hosted page and its PDF name the grant and show the units covered.
    const path = new URL(january?.public_invoice_url ?? '').pathname;
    const page = await (await fetch(`${cluster.baseUrl}${path}`)).text();
    for (const shown of ['Credits applied', 'Promo: -$15.00', '2001 gpu_sec: 1500 covered by credits, 501 billed'])
      expect(page).toContain(shown);
    const pdf = new Uint8Array(await (await fetch(`${cluster.baseUrl}${path}.pdf`)).arrayBuffer());
    const { text } = await extractText(await getDocumentProxy(pdf), { mergePages: true });
    for (const shown of ['Credits applied', 'Promo: -$15.00', '2001 gpu_sec: 1500 covered by credits, 501 billed'])
      expect(text).toContain(shown);

    // February has no usage yet: nothing applied twice.
    const february = (await test.get(`/v1/subscriptions/${subscriptionId}/upcoming_invoice`)).body.upcoming_invoice;
    expect(february.lines.map((line: Line) => line.kind)).not.toContain('credit_applied');

    // A January call arrives late: rated in January's period, it draws 3¢ more from Promo (1503¢ drawn), and March's
    // invoice bills it as late usage and applies the 1503 − 1500 = 3¢ January's invoice had not.
    const late = await test.post('/v1/events/ingest', {
      events: [event('call-late', 'api.call', '2027-01-31T12:00:00Z')],
    });
    expect(late.body).toMatchObject({ success: true });
    await eventually(async () => expect(balanceIn(await balances(), 'usd')).toMatchObject({ consumed: 1503 }), {
      timeout: 60_000,
      label: 'the late call rated',
    });
    await advance('2027-03-01T02:00:00.000Z');
    const february2 = (await invoicesOf()).find(
      (invoice) => invoice.billing_reason === 'subscription_cycle' && invoice.id !== january?.id,
    );
    expect(february2?.line_items.map(({ kind, amount_cents }) => [kind, amount_cents])).toEqual([
      ['fee', 2000],
      ['usage', 0],
      ['late_usage', 3],
      ['usage', 0],
      ['credit_applied', -3],
    ]);
    // 2000 + 0 + 3 + 0 − 3 = 2000¢.
    expect(february2?.total_cents).toBe(2000);
    expect(balanceIn(await balances(), 'usd')).toMatchObject({ consumed: 1503, available: 497 });
  });
});

import { eventually } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthsLater } from '../../test/calendar';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

const day = 24 * 60 * 60 * 1000;

const wholeSecond = (at: number) => new Date(Math.floor(at / 1000) * 1000);

/** An invoice's lines as [kind, description, amount, period start, period end]. */
const shown = (invoice: { line_items: InvoiceLine[] } | undefined) =>
  invoice?.line_items.map((line) => [
    line.kind,
    line.description,
    line.amount_cents,
    line.period_start,
    line.period_end,
  ]);

interface InvoiceLine {
  kind: string;
  description: string;
  amount_cents: number;
  period_start: string | null;
  period_end: string | null;
}

describe('invoices that subscriptions make by themselves', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;

  beforeAll(async () => {
    // One second of grace: periods that ended a second ago are billed.
    cluster = await startTestCluster({ billingGracePeriodSeconds: 1 });
    acme = await cluster.createOrganization('Acme Inc.');
    const plan = {
      code: 'team',
      name: 'Team',
      interval: 'month',
      prices: [
        { model: 'flat', description: 'Seats', amount_cents: 4900, timing: 'in_advance' },
        { model: 'flat', description: 'Support', amount_cents: 1500, timing: 'in_arrears' },
      ],
    };
    expect((await acme.live.post('/v1/plans', plan)).status).toBe(201);
  });
  afterAll(() => cluster?.stop());

  const invoicesOf = async (customerId: string) =>
    (await acme.live.get(`/v1/invoices?customer_id=${customerId}&limit=100`)).body.invoices as {
      id: string;
      status: string;
      invoice_number: string;
      billing_reason: string;
      subscription_id: string;
      total_cents: number;
      public_invoice_url: string;
      line_items: InvoiceLine[];
    }[];

  /** Subscribes the customer to 'team' from `start`, active, and waits for the invoice of its start. */
  async function subscribeAndAwaitStartInvoice(customerId: string, start: Date): Promise<string> {
    const created = await acme.live.post('/v1/subscriptions', {
      customer_id: customerId,
      plan_code: 'team',
      start_date: start.toISOString(),
      initial_status: 'active',
    });
    await eventually(async () => expect(await invoicesOf(customerId)).toHaveLength(1), {
      timeout: 30_000,
      label: 'the start invoice',
    });
    return created.body.subscription.id;
  }

  const finalInvoiceOf = (customerId: string) =>
    eventually(
      async () => {
        const found = (await invoicesOf(customerId)).find((invoice) => invoice.billing_reason === 'subscription_end');
        expect(found).toBeDefined();
        return found;
      },
      { timeout: 30_000, label: 'the final invoice' },
    );

  it('bills every boundary that has passed, once each, finalized with a number and a hosted page', async () => {
    const customerId = (await acme.live.post('/v1/customers', { name: 'Ada' })).body.customer.id;
    const start = wholeSecond(monthsLater(new Date(), -2).getTime() - day);
    const created = await acme.live.post('/v1/subscriptions', {
      customer_id: customerId,
      plan_code: 'team',
      start_date: start.toISOString(),
    });
    expect(created.status).toBe(201);
    const subscriptionId = created.body.subscription.id;
    const boundary = (months: number) => monthsLater(start, months).toISOString();
    const [b0, b1, b2, b3] = [boundary(0), boundary(1), boundary(2), boundary(3)] as const;

    const invoices = await eventually(
      async () => {
        const found = await invoicesOf(customerId);
        expect(found).toHaveLength(3);
        return found.sort((a, b) => a.billing_reason.localeCompare(b.billing_reason));
      },
      { timeout: 30_000, label: 'three invoices' },
    );
    const byBoundary: Record<string, (typeof invoices)[number]> = Object.fromEntries(
      invoices.map((invoice) => [
        invoice.line_items.find((line) => line.description === 'Seats')?.period_start,
        invoice,
      ]),
    );
    for (const invoice of invoices) {
      expect(invoice).toMatchObject({ status: 'open', subscription_id: subscriptionId });
      expect(invoice.invoice_number).toMatch(/^INV-000[1-3]$/);
    }
    expect(new Set(invoices.map((invoice) => invoice.invoice_number)).size).toBe(3);
    // At the start: the first month's seats in advance.
    expect(byBoundary[b0]?.billing_reason).toBe('subscription_start');
    expect(shown(byBoundary[b0])).toEqual([['fee', 'Seats', 4900, b0, b1]]);
    // At each period end: that period's support in arrears, the next period's seats in advance.
    for (const [ended, starting, next] of [
      [b0, b1, b2],
      [b1, b2, b3],
    ] as const) {
      const invoice = byBoundary[starting];
      expect(invoice?.billing_reason).toBe('subscription_cycle');
      expect(shown(invoice)).toEqual([
        ['fee', 'Seats', 4900, starting, next],
        ['fee', 'Support', 1500, ended, starting],
      ]);
      expect(invoice?.total_cents).toBe(6400);
    }
    const page = await fetch(
      `${cluster.baseUrl}${new URL(byBoundary[b1]?.public_invoice_url ?? 'http://x/').pathname}`,
    );
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Support');

    // Listed by subscription too, and only its own.
    const listed = (await acme.live.get(`/v1/invoices?subscription_id=${subscriptionId}`)).body.invoices;
    expect(listed.map((invoice: { id: string }) => invoice.id).sort()).toEqual(invoices.map(({ id }) => id).sort());
    expect((await acme.live.get(`/v1/invoices?subscription_id=${customerId}`)).body.invoices).toEqual([]);

    // The subscription's billing has moved past the last boundary: further runs add nothing.
    const billingRun = cluster.services.invoicing.billingRun;
    if (!billingRun) throw new Error('the test cluster runs billing');
    await billingRun.runOnce();
    await billingRun.runOnce();
    expect(await invoicesOf(customerId)).toHaveLength(3);
  });

  it('ends a subscription canceled now with an invoice that credits the unused part of its seats', async () => {
    const customerId = (await acme.live.post('/v1/customers', { name: 'Grace' })).body.customer.id;
    const start = wholeSecond(Date.now() - 10 * day);
    const id = await subscribeAndAwaitStartInvoice(customerId, start);
    const canceled = await acme.live.post(`/v1/subscriptions/${id}/cancel`, {
      cancel_mode: 'now',
      cancel_now_prepaid_refund_policy: 'refund_prorated',
    });
    expect(canceled.status).toBe(200);
    const canceledAt = new Date(canceled.body.subscription.canceled_at);

    const final = await finalInvoiceOf(customerId);
    const periodEnd = monthsLater(start, 1);
    const seconds = (from: Date, to: Date) =>
      BigInt(Math.floor(to.getTime() / 1000) - Math.floor(from.getTime() / 1000));
    const prorate = (cents: number, used: bigint, whole: bigint) =>
      Number((BigInt(cents) * used * 2n + whole) / (2n * whole));
    const whole = seconds(start, periodEnd);
    const used = seconds(start, canceledAt);
    // Seats: 4900¢ paid for the whole month; the used part earns 4900 × used / whole (half-up); the rest comes back.
    const credit = prorate(4900, used, whole) - 4900;
    // Support in arrears for the used part of the month: 1500 × used / whole (half-up).
    const support = prorate(1500, used, whole);
    expect(shown(final)).toEqual([
      ['credit', 'Unused Seats', credit, canceledAt.toISOString(), periodEnd.toISOString()],
      ['fee', 'Support (prorated)', support, start.toISOString(), canceledAt.toISOString()],
    ]);
    expect(final?.total_cents).toBe(credit + support);
  });

  it("ends a deleted customer's subscription when they were deleted, and bills its last stretch", async () => {
    const customerId = (await acme.live.post('/v1/customers', { name: 'Hedy' })).body.customer.id;
    const start = wholeSecond(Date.now() - 5 * day);
    const id = await subscribeAndAwaitStartInvoice(customerId, start);
    const before = Date.now();
    expect((await acme.live.delete(`/v1/customers/${customerId}`)).status).toBe(200);
    const after = Date.now();

    const subscription = await eventually(
      async () => {
        const found = (await acme.live.get(`/v1/subscriptions/${id}`)).body.subscription;
        expect(found.status).toBe('canceled');
        return found;
      },
      { timeout: 30_000, label: 'the subscription ended' },
    );
    const canceledAt = Date.parse(subscription.canceled_at);
    expect(canceledAt).toBeGreaterThanOrEqual(before - 1000);
    expect(canceledAt).toBeLessThanOrEqual(after + 1000);
    const final = await finalInvoiceOf(customerId);
    // No refund on a deletion: the support used so far, in arrears, prorated.
    expect(shown(final)).toEqual([
      ['fee', 'Support (prorated)', expect.any(Number), start.toISOString(), subscription.canceled_at],
    ]);
    expect(final?.status).toBe('open');
  });
});

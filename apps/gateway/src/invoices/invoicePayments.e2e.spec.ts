import { eventually, type GatewayClient } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refused } from '../../test/refused';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';
import { startWebhookReceiver } from '../../test/webhookReceiver';

const idFormat = /^[a-z][a-z0-9]{24}$/;

describe('payments recorded on an invoice, partial payments and refunds', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let globex: TestOrganization;

  beforeAll(async () => {
    cluster = await startTestCluster({ withNotificationService: true });
    acme = await cluster.createOrganization('Acme Inc.');
    globex = await cluster.createOrganization('Globex');
  });
  afterAll(() => cluster?.stop());

  /** A finalized invoice of 2 × €50.00 = 10,000 cents. */
  async function openInvoice(client: GatewayClient): Promise<{ id: string; public_invoice_url: string }> {
    const customer = await client.post('/v1/customers', { name: 'Ada' });
    const created = await client.post('/v1/invoices', {
      customer_id: customer.body.customer.id,
      collection_method: 'send_invoice',
      days_until_due: 30,
      currency: 'eur',
      line_items: [{ description: 'Seats', quantity: 2, unit_amount_cents: 5000 }],
    });
    expect(created.status).toBe(201);
    const finalized = await client.post(`/v1/invoices/${created.body.invoice.id}/finalize`);
    expect(finalized.status).toBe(200);
    return finalized.body.invoice;
  }

  it('takes two partial payments, the second leaving nothing due pays it; the page shows what is due', async () => {
    const invoice = await openInvoice(acme.live);
    const first = await acme.live.post(`/v1/invoices/${invoice.id}/payments`, {
      amount_cents: 4000,
      method: 'bank_transfer',
      reference: 'SEPA-2026-001',
      paid_at: '2026-01-05T09:30:00Z',
    });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      success: true,
      payment: {
        id: expect.stringMatching(idFormat),
        invoice_id: invoice.id,
        kind: 'payment',
        amount_cents: 4000,
        currency: 'eur',
        method: 'bank_transfer',
        reference: 'SEPA-2026-001',
        status: 'succeeded',
        failure_reason: null,
        paid_at: '2026-01-05T09:30:00.000Z',
        refunded_cents: 0,
        created_at: expect.any(String),
      },
      invoice: expect.objectContaining({ status: 'open', amount_paid_cents: 4000, amount_due_cents: 6000 }),
      request_id: expect.stringMatching(/^req_/),
    });

    // 10,000 − 4,000 = 6,000 (€60.00) still due on the hosted page.
    const page = await fetch(`${cluster.baseUrl}${new URL(invoice.public_invoice_url).pathname}`);
    const html = (await page.text()).replace(/\u00a0|&nbsp;|&#160;/g, ' ');
    expect(html).toMatch(/Amount paid<\/td><td class="num">€40\.00/);
    expect(html).toMatch(/Amount due<\/strong><\/td><td class="num"><strong>€60\.00/);

    const second = await acme.live.post(`/v1/invoices/${invoice.id}/payments`, { amount_cents: 6000, method: 'check' });
    expect(second.status).toBe(201);
    expect(second.body.invoice).toMatchObject({ status: 'paid', amount_paid_cents: 10_000, amount_due_cents: 0 });
    expect(second.body.invoice.status_transitions.paid_at).toEqual(expect.any(String));

    const listed = await acme.live.get(`/v1/invoices/${invoice.id}/payments`);
    expect(listed.status).toBe(200);
    expect(listed.body.payments.map((entry: { amount_cents: number; method: string }) => entry.method)).toEqual([
      'bank_transfer',
      'check',
    ]);
    expect(listed.body.payments[0]).toEqual(first.body.payment);
    expect(listed.body.payments[1]).toEqual(second.body.payment);

    const more = await acme.live.post(`/v1/invoices/${invoice.id}/payments`, { amount_cents: 1, method: 'cash' });
    refused(more, 409, 'INVALID_STATE');
  });

  it('tells invoice.paid once, when the last of two partial payments leaves nothing due', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const endpoint = await acme.test.post('/v1/webhook_endpoints', {
        url: receiver.url,
        enabled_events: ['invoice.paid'],
      });
      expect(endpoint.status).toBe(201);
      const invoice = await openInvoice(acme.test);
      const path = `/v1/invoices/${invoice.id}/payments`;
      expect((await acme.test.post(path, { amount_cents: 2500, method: 'cash' })).status).toBe(201);
      expect((await acme.test.post(path, { amount_cents: 7500, method: 'cash' })).status).toBe(201);
      const told = await eventually(
        () => {
          const paid = receiver.received.map(({ body }) => JSON.parse(body));
          expect(paid).toHaveLength(1);
          return paid[0];
        },
        { timeout: 20_000, label: 'invoice.paid received' },
      );
      expect(told).toMatchObject({
        type: 'invoice.paid',
        data: { id: invoice.id, status: 'paid', amount_paid_cents: 10_000, amount_due_cents: 0 },
      });
    } finally {
      await receiver.close();
    }
  });

  it('refunds part of a payment, then the rest by default; a paid invoice stays paid', async () => {
    const invoice = await openInvoice(acme.live);
    const paid = await acme.live.post(`/v1/invoices/${invoice.id}/payments`, { amount_cents: 10_000, method: 'cash' });
    expect(paid.body.invoice.status).toBe('paid');
    const paymentId = paid.body.payment.id;
    const refundPath = `/v1/invoices/${invoice.id}/payments/${paymentId}/refund`;

    const part = await acme.live.post(refundPath, { amount_cents: 2500 });
    expect(part.status).toBe(201);
    expect(part.body.refund).toMatchObject({ kind: 'refund', amount_cents: -2500, refund_of: paymentId });
    // 10,000 paid − 2,500 refunded = 7,500; nothing due, still paid.
    expect(part.body.invoice).toMatchObject({
      status: 'paid',
      amount_paid_cents: 7500,
      amount_refunded_cents: 2500,
      amount_due_cents: 0,
    });

    refused(await acme.live.post(refundPath, { amount_cents: 7501 }), 400, 'VALIDATION_ERROR');
    const rest = await acme.live.post(refundPath, {});
    expect(rest.status).toBe(201);
    expect(rest.body.refund.amount_cents).toBe(-7500);
    expect(rest.body.invoice).toMatchObject({ status: 'paid', amount_paid_cents: 0, amount_refunded_cents: 10_000 });
    refused(await acme.live.post(refundPath), 409, 'INVALID_STATE');
    const page = await fetch(`${cluster.baseUrl}${new URL(invoice.public_invoice_url).pathname}`);
    const html = (await page.text()).replace(/\u00a0|&nbsp;|&#160;/g, ' ');
    expect(html).toMatch(/Amount paid<\/td><td class="num">€0\.00/);
    expect(html).toMatch(/Amount refunded<\/td><td class="num">€100\.00/);

    const listed = await acme.live.get(`/v1/invoices/${invoice.id}/payments`);
    expect(
      listed.body.payments.map((entry: { kind: string; amount_cents: number; refunded_cents?: number }) => [
        entry.kind,
        entry.amount_cents,
        entry.refunded_cents ?? null,
      ]),
    ).toEqual([
      ['payment', 10_000, 10_000],
      ['refund', -2500, null],
      ['refund', -7500, null],
    ]);
    const unknown = await acme.live.post(`/v1/invoices/${invoice.id}/payments/cpayment000000000000000999/refund`);
    refused(unknown, 404, 'NOT_FOUND');
    expect(unknown.body.error.param).toBe('payment_id');
  });

  it('counts a payment retried with the same Idempotency-Key once', async () => {
    const invoice = await openInvoice(acme.live);
    const headers = { 'Idempotency-Key': `pay-${invoice.id}` };
    const body = { amount_cents: 3000, method: 'other' };
    const first = await acme.live.post(`/v1/invoices/${invoice.id}/payments`, body, headers);
    const retry = await acme.live.post(`/v1/invoices/${invoice.id}/payments`, body, headers);
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body.payment.id).toBe(first.body.payment.id);
    const listed = await acme.live.get(`/v1/invoices/${invoice.id}/payments`);
    expect(listed.body.payments).toHaveLength(1);
    expect((await acme.live.get(`/v1/invoices/${invoice.id}`)).body.invoice.amount_due_cents).toBe(7000);
  });

  it('marking paid records what is still due as a payment of method other', async () => {
    const invoice = await openInvoice(acme.live);
    await acme.live.post(`/v1/invoices/${invoice.id}/payments`, { amount_cents: 1234, method: 'cash' });
    const paid = await acme.live.post(`/v1/invoices/${invoice.id}/pay`);
    expect(paid.status).toBe(200);
    expect(paid.body.invoice).toMatchObject({ status: 'paid', amount_paid_cents: 10_000, amount_due_cents: 0 });
    const listed = await acme.live.get(`/v1/invoices/${invoice.id}/payments`);
    expect(listed.body.payments.map((entry: { amount_cents: number; method: string }) => entry)).toMatchObject([
      { amount_cents: 1234, method: 'cash' },
      { amount_cents: 8766, method: 'other', reference: null }, // 10,000 − 1,234
    ]);
  });

  it("answers 404 for another tenant's invoice, and for the other mode's", async () => {
    const invoice = await openInvoice(acme.live);
    const path = `/v1/invoices/${invoice.id}/payments`;
    refused(await globex.live.post(path, { amount_cents: 100, method: 'cash' }), 404, 'NOT_FOUND');
    refused(await acme.test.post(path, { amount_cents: 100, method: 'cash' }), 404, 'NOT_FOUND');
    refused(await globex.live.get(path), 404, 'NOT_FOUND');
    const paid = await acme.live.post(path, { amount_cents: 100, method: 'cash' });
    refused(await globex.live.post(`${path}/${paid.body.payment.id}/refund`), 404, 'NOT_FOUND');
    expect((await acme.live.get(`/v1/invoices/${invoice.id}`)).body.invoice.amount_paid_cents).toBe(100);
  });

  it('refuses bad payments with 400 naming the field', async () => {
    const invoice = await openInvoice(acme.live);
    const path = `/v1/invoices/${invoice.id}/payments`;
    const cases: [object, string][] = [
      [{ amount_cents: 0, method: 'cash' }, 'amount_cents'],
      [{ amount_cents: 12.5, method: 'cash' }, 'amount_cents'],
      [{ amount_cents: 100, method: 'card' }, 'method'],
      [{ amount_cents: 100, method: 'bank_transfer' }, 'reference'],
      [{ amount_cents: 100, method: 'cash', paid_at: 'yesterday' }, 'paid_at'],
      [{ amount_cents: 100, method: 'cash', paid_at: '2999-01-01T00:00:00Z' }, 'paid_at'],
      // Overpayment: 10,001 > the 10,000 due (it is not turned into credit yet).
      [{ amount_cents: 10_001, method: 'cash' }, 'amount_cents'],
      [{ amount_cents: 100, method: 'cash', tip: 1 }, 'tip'],
    ];
    for (const [body, param] of cases) {
      const response = await acme.live.post(path, body);
      refused(response, 400, 'VALIDATION_ERROR');
      expect(response.body.error.param, JSON.stringify(body)).toBe(param);
    }
    expect((await acme.live.get(path)).body.payments).toEqual([]);
  });

  it('refuses a payment on a draft', async () => {
    const customer = await acme.live.post('/v1/customers', { name: 'Bo' });
    const draft = await acme.live.post('/v1/invoices', {
      customer_id: customer.body.customer.id,
      collection_method: 'charge_automatically',
      line_items: [{ description: 'Work', quantity: 1, unit_amount_cents: 100 }],
    });
    const response = await acme.live.post(`/v1/invoices/${draft.body.invoice.id}/payments`, {
      amount_cents: 100,
      method: 'cash',
    });
    refused(response, 409, 'INVALID_STATE');
    expect((await acme.live.get(`/v1/invoices/${draft.body.invoice.id}/payments`)).body.payments).toEqual([]);
  });
});

import { Topics } from '@afternoon/contracts/topics';
import {
  chargeRefunded,
  checkoutSessionCompleted,
  newPaymentIntentId,
  paymentIntentFailed,
  paymentIntentSucceeded,
  type StripeTestEvent,
  type StripeTestPayment,
  signStripeDelivery,
} from '@afternoon/invoicing-service/stripeTestEvents';
import { type CollectedMessage, collectTopic, eventually, type GatewayClient } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/webhookReceiver';

// Stripe cannot be reached from these machines: the events are built in Stripe's documented shapes and signed by the
// `stripe` package's own test-header helper, exactly as Stripe signs a delivery.

const webhookSecret = 'whsec_StRiPeWeBhOoKsEcReT0000000000';
const stripe = {
  secret_key: 'sk_test_51StRiPeWeBhOoKs000000424242',
  webhook_secret: webhookSecret,
  publishable_key: 'pk_test_51StRiPeWeBhOoKs00000000',
};

interface Delivered {
  status: number;
  body: Record<string, unknown>;
}

describe("Stripe's signed events through POST /webhooks/stripe/{organization_id}", () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let receiver: WebhookReceiver;
  let invoiceEvents: { messages: CollectedMessage[]; stop(): Promise<void> };

  beforeAll(async () => {
    cluster = await startTestCluster({ withNotificationService: true });
    acme = await cluster.createOrganization('Acme Inc.');
    invoiceEvents = await collectTopic(`${cluster.topicPrefix}${Topics.invoiceEvents.name}`);
    expect((await acme.test.patch('/v1/payment_settings', { providers: { stripe } })).status).toBe(200);
    receiver = await startWebhookReceiver();
    const endpoint = await acme.test.post('/v1/webhook_endpoints', {
      url: receiver.url,
      enabled_events: ['invoice.paid'],
    });
    expect(endpoint.status).toBe(201);
  });
  afterAll(async () => {
    await receiver?.close();
    await invoiceEvents?.stop();
    await cluster?.stop();
  });

  /** A finalized invoice of 2 × $50.00 = 10,000 cents. */
  async function openInvoice(client: GatewayClient = acme.test): Promise<{ id: string }> {
    const customer = await client.post('/v1/customers', { name: 'Ada' });
    const created = await client.post('/v1/invoices', {
      customer_id: customer.body.customer.id,
      collection_method: 'send_invoice',
      days_until_due: 30,
      currency: 'usd',
      line_items: [{ description: 'Seats', quantity: 2, unit_amount_cents: 5000 }],
    });
    expect(created.status).toBe(201);
    const finalized = await client.post(`/v1/invoices/${created.body.invoice.id}/finalize`);
    expect(finalized.status).toBe(200);
    return finalized.body.invoice;
  }

  /** POSTs the event's exact bytes with a signature, as Stripe delivers it. */
  async function deliver(
    event: StripeTestEvent,
    options: { secret?: string; timestamp?: number; organizationId?: string; payload?: string } = {},
  ): Promise<Delivered> {
    const payload = options.payload ?? JSON.stringify(event, null, 2);
    const signature = signStripeDelivery(payload, options.secret ?? webhookSecret, options.timestamp);
    return post(`/webhooks/stripe/${options.organizationId ?? acme.id}`, payload, signature);
  }

  async function post(path: string, payload: string, signature?: string): Promise<Delivered> {
    const response = await fetch(`${cluster.baseUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        ...(signature === undefined ? {} : { 'stripe-signature': signature }),
      },
      body: payload,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const paymentOf = (invoiceId: string, amountCents = 10_000): StripeTestPayment => ({
    invoiceId,
    organizationId: acme.id,
    paymentIntentId: newPaymentIntentId(),
    amountCents,
  });
  const invoiceOf = async (id: string) => (await acme.test.get(`/v1/invoices/${id}`)).body.invoice;
  const paymentsOf = async (id: string) => (await acme.test.get(`/v1/invoices/${id}/payments`)).body.payments;
  const refusedWith = (delivered: Delivered, status: number, code: string) => {
    expect(delivered.status).toBe(status);
    expect(delivered.body).toMatchObject({
      success: false,
      error: { code, message: expect.any(String) },
      request_id: expect.stringMatching(/^req_/),
    });
  };

  it('a signed checkout.session.completed pays the invoice, which emits invoice.paid on the topic and the webhook', async () => {
    const invoice = await openInvoice();
    const payment = paymentOf(invoice.id);
    const delivered = await deliver(checkoutSessionCompleted(payment));
    expect(delivered).toMatchObject({ status: 200, body: { success: true, received: true, ignored: false } });
    expect(await invoiceOf(invoice.id)).toMatchObject({
      status: 'paid',
      amount_paid_cents: 10_000,
      amount_due_cents: 0,
    });
    expect(await paymentsOf(invoice.id)).toEqual([
      expect.objectContaining({
        kind: 'payment',
        amount_cents: 10_000,
        method: 'card',
        provider: 'stripe',
        reference: payment.paymentIntentId,
        status: 'succeeded',
      }),
    ]);
    await eventually(
      () => {
        const told = receiver.received.map(({ body }) => JSON.parse(body));
        expect(told).toContainEqual(
          expect.objectContaining({ type: 'invoice.paid', data: expect.objectContaining({ id: invoice.id }) }),
        );
      },
      { timeout: 20_000, label: 'invoice.paid webhook' },
    );
    await eventually(
      () => {
        const paid = invoiceEvents.messages.filter(
          ({ value }) =>
            (value ?? '').includes(invoice.id) && (value ?? '').includes('"afternoon.invoicing.v1.invoice_paid"'),
        );
        expect(paid).toHaveLength(1);
      },
      { timeout: 10_000, label: 'invoice_paid on invoice.events' },
    );
  });

  it('refuses a wrong signature, a replay outside the 300 s tolerance, a missing header and an unknown organization (400)', async () => {
    const invoice = await openInvoice();
    const event = checkoutSessionCompleted(paymentOf(invoice.id));
    refusedWith(await deliver(event, { secret: 'whsec_NoTtHeSeCrEt' }), 400, 'VALIDATION_ERROR');
    const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;
    refusedWith(await deliver(event, { timestamp: tenMinutesAgo }), 400, 'VALIDATION_ERROR');
    // The signature covers the exact bytes: the same event re-serialized does not verify.
    const signed = signStripeDelivery(JSON.stringify(event, null, 2), webhookSecret);
    refusedWith(await post(`/webhooks/stripe/${acme.id}`, JSON.stringify(event), signed), 400, 'VALIDATION_ERROR');
    refusedWith(await post(`/webhooks/stripe/${acme.id}`, JSON.stringify(event)), 400, 'VALIDATION_ERROR');
    const stranger = await cluster.createOrganization('No Stripe Ltd');
    refusedWith(await deliver(event, { organizationId: stranger.id }), 400, 'VALIDATION_ERROR');
    refusedWith(await deliver(event, { organizationId: 'not-an-org' }), 400, 'VALIDATION_ERROR');
    expect(await invoiceOf(invoice.id)).toMatchObject({ status: 'open', amount_paid_cents: 0 });
  });

  it('applies duplicate deliveries once, and payment_intent.succeeded before checkout.session.completed is one payment', async () => {
    const invoice = await openInvoice();
    const payment = paymentOf(invoice.id, 4000);
    const succeeded = paymentIntentSucceeded(payment);
    for (const event of [succeeded, succeeded, checkoutSessionCompleted(payment), succeeded])
      expect((await deliver(event)).status).toBe(200);
    const payments = await paymentsOf(invoice.id);
    expect(payments).toHaveLength(1);
    // 10,000 − 4,000 = 6,000 still due.
    expect(await invoiceOf(invoice.id)).toMatchObject({
      status: 'open',
      amount_paid_cents: 4000,
      amount_due_cents: 6000,
    });
  });

  it('lists a failed attempt with its reason, changing no amount, then the success pays', async () => {
    const invoice = await openInvoice();
    const payment = paymentOf(invoice.id);
    const failed = paymentIntentFailed(payment, 'Your card has insufficient funds.');
    expect((await deliver(failed)).status).toBe(200);
    expect((await deliver(failed)).status).toBe(200);
    expect(await invoiceOf(invoice.id)).toMatchObject({
      status: 'open',
      amount_paid_cents: 0,
      amount_due_cents: 10_000,
    });
    expect((await deliver(paymentIntentSucceeded(payment))).status).toBe(200);
    const payments = await paymentsOf(invoice.id);
    expect(payments.map((entry: { status: string; failure_reason: string | null }) => entry)).toEqual([
      expect.objectContaining({
        status: 'failed',
        failure_reason: 'Your card has insufficient funds.',
        provider: 'stripe',
      }),
      expect.objectContaining({ status: 'succeeded', amount_cents: 10_000, failure_reason: null }),
    ]);
    expect(await invoiceOf(invoice.id)).toMatchObject({ status: 'paid', amount_paid_cents: 10_000 });
  });

  it('refunds what charge.refunded adds to the running total, once, in any order; a refund before its payment waits', async () => {
    const invoice = await openInvoice();
    const payment = paymentOf(invoice.id);
    // Before the payment is known the refund is refused (404) so Stripe delivers it again later.
    const early = chargeRefunded(payment, 3000);
    refusedWith(await deliver(early), 404, 'NOT_FOUND');
    expect((await deliver(checkoutSessionCompleted(payment))).status).toBe(200);
    expect((await deliver(early)).status).toBe(200);
    const later = chargeRefunded(payment, 10_000);
    expect((await deliver(later)).status).toBe(200);
    expect((await deliver(early)).status).toBe(200);
    expect((await deliver(later)).status).toBe(200);
    // 3,000 then 10,000 − 3,000 = 7,000: all 10,000 refunded once.
    const refunds = (await paymentsOf(invoice.id)).filter((entry: { kind: string }) => entry.kind === 'refund');
    expect(refunds.map((entry: { amount_cents: number }) => entry.amount_cents)).toEqual([-3000, -7000]);
    expect(await invoiceOf(invoice.id)).toMatchObject({
      status: 'paid',
      amount_paid_cents: 0,
      amount_refunded_cents: 10_000,
    });
  });

  it('refuses a payment for an invoice still a draft (409) so Stripe delivers it again, and applies it once finalized', async () => {
    const customer = await acme.test.post('/v1/customers', { name: 'Early Bird' });
    const draft = await acme.test.post('/v1/invoices', {
      customer_id: customer.body.customer.id,
      collection_method: 'send_invoice',
      days_until_due: 30,
      currency: 'usd',
      line_items: [{ description: 'Seats', quantity: 2, unit_amount_cents: 5000 }],
    });
    const event = checkoutSessionCompleted(paymentOf(draft.body.invoice.id));
    refusedWith(await deliver(event), 409, 'INVALID_STATE');
    expect((await acme.test.post(`/v1/invoices/${draft.body.invoice.id}/finalize`)).status).toBe(200);
    expect((await deliver(event)).status).toBe(200);
    expect(await invoiceOf(draft.body.invoice.id)).toMatchObject({ status: 'paid', amount_paid_cents: 10_000 });
  });

  it('records a payment above what is due in full, the excess noted as unapplied, so no money is lost', async () => {
    const invoice = await openInvoice();
    expect((await deliver(checkoutSessionCompleted(paymentOf(invoice.id, 12_000)))).status).toBe(200);
    const [payment] = await paymentsOf(invoice.id);
    // 12,000 received − 10,000 due = 2,000 unapplied.
    expect(payment).toMatchObject({ amount_cents: 12_000, unapplied_cents: 2000 });
    expect(await invoiceOf(invoice.id)).toMatchObject({ status: 'paid', amount_due_cents: 0 });
  });

  it("lists a payment in another currency than the invoice's as a failed attempt with the reason, moving no amount", async () => {
    const invoice = await openInvoice();
    // ¥10,000 is not $100.00: the same number in another currency is not the invoice's money.
    const inYen = { ...paymentOf(invoice.id), currency: 'jpy' };
    expect((await deliver(checkoutSessionCompleted(inYen))).status).toBe(200);
    expect((await deliver(paymentIntentSucceeded(inYen))).status).toBe(200);
    expect(await paymentsOf(invoice.id)).toEqual([
      expect.objectContaining({
        status: 'failed',
        amount_cents: 10_000,
        currency: 'jpy',
        reference: inYen.paymentIntentId,
        failure_reason: expect.stringMatching(/^currency_mismatch: .*JPY.*USD/),
      }),
    ]);
    expect(await invoiceOf(invoice.id)).toMatchObject({
      status: 'open',
      amount_paid_cents: 0,
      amount_due_cents: 10_000,
    });
    // Refunding it in Stripe takes nothing from the invoice.
    expect((await deliver(chargeRefunded(inYen, 10_000))).status).toBe(200);
    expect(await invoiceOf(invoice.id)).toMatchObject({ amount_paid_cents: 0, amount_refunded_cents: 0 });
  });

  it('answers 200 and changes nothing for an event type Afternoon does not act on', async () => {
    const invoice = await openInvoice();
    const event = { ...checkoutSessionCompleted(paymentOf(invoice.id)), type: 'customer.created' };
    expect(await deliver(event)).toMatchObject({ status: 200, body: { success: true, ignored: true } });
    expect(await paymentsOf(invoice.id)).toEqual([]);
  });
});

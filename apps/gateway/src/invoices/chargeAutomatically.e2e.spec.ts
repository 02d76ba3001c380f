import {
  checkoutSetupCompleted,
  paymentIntentSucceeded,
  type StripeTestEvent,
  signStripeDelivery,
} from '@afternoon/invoicing-service/stripeTestEvents';
import { eventually, type FakeStripe, type GatewayClient, startFakeStripe } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

// Stripe cannot be reached from these machines: invoicing's Stripe client (the official package) is pointed at a
// local stand-in (STRIPE_API_BASE) that stands for Stripe at its protocol: it answers PaymentIntents in Stripe's
// documented shapes, declines Stripe's test card `pm_card_chargeDeclined` with a 402 card_error, replays idempotency
// keys as Stripe does, and records every request.
const webhookSecret = 'whsec_AuToChArGe0000000000000000';
const stripeKeys = {
  secret_key: 'sk_test_51AuToChArGeKeY000000424242',
  webhook_secret: webhookSecret,
  publishable_key: 'pk_test_51AuToChArGePuBlIsHaBlE0',
};
const day = 86_400_000;

describe('charge_automatically invoices charge the linked Stripe customer off-session, retried on its clock', () => {
  let stripe: FakeStripe;
  let cluster: TestCluster;
  let acme: TestOrganization;
  let client: GatewayClient;

  beforeAll(async () => {
    stripe = await startFakeStripe();
    // No billing pass on a timer: finalizing, linking and advancing a clock must wake the run themselves.
    cluster = await startTestCluster({ stripeApiBase: stripe.url, billingRunIntervalMs: 3_600_000 });
    acme = await cluster.createOrganization('Acme Inc.');
    client = acme.test;
    const settings = await client.patch('/v1/payment_settings', {
      providers: { stripe: stripeKeys },
      after_final_failure: 'mark_uncollectible',
    });
    expect(settings.status).toBe(200);
  });
  afterAll(async () => {
    await cluster?.stop();
    await stripe?.close();
  });

  async function linkedCustomer(paymentMethod: string, testClock?: string) {
    const created = await client.post('/v1/customers', {
      name: 'Ada',
      ...(testClock ? { test_clock: testClock } : {}),
    });
    expect(created.status).toBe(201);
    const id = created.body.customer.id as string;
    const link = { stripe_customer_id: `cus_${id}`, default_payment_method_id: paymentMethod };
    expect((await client.patch(`/v1/customers/${id}`, { payment_provider: link })).status).toBe(200);
    return id;
  }

  /** A charge_automatically invoice of 2 × $25.00 = 5,000 cents, finalized with `Idempotency-Key` `key`. */
  async function finalizedInvoice(customerId: string, key: string) {
    const created = await client.post('/v1/invoices', {
      customer_id: customerId,
      collection_method: 'charge_automatically',
      currency: 'usd',
      line_items: [{ description: 'Seats', quantity: 2, unit_amount_cents: 2500 }],
    });
    expect(created.status).toBe(201);
    const id = created.body.invoice.id as string;
    const finalized = await client.post(`/v1/invoices/${id}/finalize`, undefined, { 'Idempotency-Key': key });
    expect(finalized.status).toBe(200);
    return id;
  }

  const invoiceOf = async (id: string) => (await client.get(`/v1/invoices/${id}`)).body.invoice;
  const paymentsOf = async (id: string) => (await client.get(`/v1/invoices/${id}/payments`)).body.payments;
  const intentsOf = (invoiceId: string) =>
    [...stripe.paymentIntents.values()].filter(
      (intent) => (intent.metadata as Record<string, string>).invoice_id === invoiceId,
    );
  const intentRequestsOf = (invoiceId: string) =>
    stripe.requests.filter(
      (request) => request.path === '/v1/payment_intents' && request.form['metadata[invoice_id]'] === invoiceId,
    );

  async function deliver(event: StripeTestEvent) {
    const payload = JSON.stringify(event, null, 2);
    return fetch(`${cluster.baseUrl}/webhooks/stripe/${acme.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signStripeDelivery(payload, webhookSecret) },
      body: payload,
    });
  }

  it('finalizing charges the saved card once: paid by the PaymentIntent, its webhook applying nothing more', async () => {
    const customer = await linkedCustomer('pm_card_visa');
    const id = await finalizedInvoice(customer, `finalize-${customer}`);
    const paid = await eventually(
      async () => {
        const invoice = await invoiceOf(id);
        expect(invoice.status).toBe('paid');
        return invoice;
      },
      { label: 'invoice paid by the off-session charge', timeout: 30_000 },
    );
    expect(paid).toMatchObject({ amount_paid_cents: 5000, amount_due_cents: 0, attempt_count: 1 });
    expect(paid.next_payment_attempt).toBeNull();

    const [intent] = intentsOf(id);
    expect(intentsOf(id)).toHaveLength(1);
    const [sent] = intentRequestsOf(id);
    expect(sent?.headers['idempotency-key']).toBe(`afternoon-charge-${id}-1`);
    expect(sent?.form).toMatchObject({
      amount: '5000',
      currency: 'usd',
      customer: `cus_${customer}`,
      payment_method: 'pm_card_visa',
      confirm: 'true',
      off_session: 'true',
      'metadata[organization_id]': acme.id,
      'metadata[mode]': 'test',
    });
    const payments = await paymentsOf(id);
    expect(payments).toEqual([
      expect.objectContaining({ amount_cents: 5000, method: 'card', provider: 'stripe', reference: intent?.id }),
    ]);

    // Stripe's own event about the same PaymentIntent arrives too: it names the same payment, recorded once.
    const event = paymentIntentSucceeded({
      invoiceId: id,
      organizationId: acme.id,
      paymentIntentId: String(intent?.id),
      amountCents: 5000,
    });
    expect((await deliver(event)).status).toBe(200);
    expect(await paymentsOf(id)).toEqual(payments);
    expect(await invoiceOf(id)).toMatchObject({ status: 'paid', amount_paid_cents: 5000 });

    // A retried finalize (same Idempotency-Key) gets the first answer and makes no second PaymentIntent.
    const retried = await client.post(`/v1/invoices/${id}/finalize`, undefined, {
      'Idempotency-Key': `finalize-${customer}`,
    });
    expect(retried.status).toBe(200);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(intentsOf(id)).toHaveLength(1);
  });

  it('retries a declined card on days 1, 3 and 7 of its test clock, then marks the invoice uncollectible', async () => {
    const start = '2027-03-01T09:00:00.000Z';
    const clock = await client.post('/v1/test_clocks', { frozen_time: start, name: 'Dunning' });
    expect(clock.status).toBe(201);
    const clockId = clock.body.test_clock.id as string;
    const customer = await linkedCustomer('pm_card_chargeDeclined', clockId);
    const id = await finalizedInvoice(customer, `finalize-${customer}`);
    const at = (days: number) => new Date(Date.parse(start) + days * day).toISOString();

    const attempted = (count: number) =>
      eventually(
        async () => {
          const invoice = await invoiceOf(id);
          expect(invoice.attempt_count).toBe(count);
          return invoice;
        },
        { label: `attempt ${count} recorded`, timeout: 30_000 },
      );
    async function advance(days: number) {
      const advanced = await client.post(`/v1/test_clocks/${clockId}/advance`, { frozen_time: at(days) });
      expect(advanced.status).toBe(200);
      await eventually(
        async () => expect((await client.get(`/v1/test_clocks/${clockId}`)).body.test_clock.status).toBe('ready'),
        { label: `clock ready at day ${days}`, timeout: 30_000 },
      );
    }

    // The first charge at finalization is declined: the first retry is due a day later on the clock.
    expect(await attempted(1)).toMatchObject({ status: 'open', next_payment_attempt: at(1) });
    // Half a day on, nothing is due yet.
    await advance(0.5);
    expect(await invoiceOf(id)).toMatchObject({ attempt_count: 1, next_payment_attempt: at(1) });
    await advance(1);
    expect(await attempted(2)).toMatchObject({ status: 'open', next_payment_attempt: at(3) });
    await advance(3);
    expect(await attempted(3)).toMatchObject({ status: 'open', next_payment_attempt: at(7) });
    await advance(7);
    expect(await attempted(4)).toMatchObject({ status: 'uncollectible', next_payment_attempt: null });

    const failures = (await paymentsOf(id)) as { status: string; failure_reason: string }[];
    expect(failures.map((entry) => `${entry.status}: ${entry.failure_reason}`)).toEqual(
      Array(4).fill('failed: Your card was declined.'),
    );
    // One PaymentIntent per attempt, each under its own key, however often the run asked.
    const keys = new Set(intentRequestsOf(id).map((request) => request.headers['idempotency-key']));
    expect([...keys].sort()).toEqual([1, 2, 3, 4].map((n) => `afternoon-charge-${id}-${n}`));
    expect(intentsOf(id)).toHaveLength(4);

    // Nothing more is tried after the last retry, however far the clock goes.
    await advance(30);
    expect(intentsOf(id)).toHaveLength(4);
  });

  it('stops retrying once the invoice is paid by other means', async () => {
    const clock = await client.post('/v1/test_clocks', { frozen_time: '2027-05-01T00:00:00.000Z' });
    const clockId = clock.body.test_clock.id as string;
    const customer = await linkedCustomer('pm_card_chargeDeclined', clockId);
    const id = await finalizedInvoice(customer, `finalize-${customer}`);
    await eventually(async () => expect((await invoiceOf(id)).attempt_count).toBe(1), { timeout: 30_000 });
    const paid = await client.post(`/v1/invoices/${id}/pay`);
    expect(paid.status).toBe(200);
    await client.post(`/v1/test_clocks/${clockId}/advance`, { frozen_time: '2027-05-09T00:00:00.000Z' });
    await eventually(
      async () => expect((await client.get(`/v1/test_clocks/${clockId}`)).body.test_clock.status).toBe('ready'),
      { timeout: 30_000 },
    );
    expect(intentsOf(id)).toHaveLength(1);
    expect(await invoiceOf(id)).toMatchObject({ status: 'paid', next_payment_attempt: null });
  });
  it('an unlinked customer saves a card on the hosted page: the completed setup links them once, and the invoice is charged', async () => {
    const created = await client.post('/v1/customers', { name: 'Grace' });
    const customer = created.body.customer.id as string;
    const id = await finalizedInvoice(customer, `finalize-setup-${customer}`);
    const page = new URL((await invoiceOf(id)).public_invoice_url).pathname;
    const html = await fetch(`${cluster.baseUrl}${page}`).then((response) => response.text());
    expect(html).toContain(`<form method="post" action="${page.slice('/inv/'.length)}/setup">`);
    expect(html).toContain('Save a card for automatic payments');

    const setup = () => fetch(`${cluster.baseUrl}${page}/setup`, { method: 'POST', redirect: 'manual' });
    const first = await setup();
    expect(first.status).toBe(303);
    const location = first.headers.get('location') ?? '';
    expect(location).toMatch(new RegExp(`^${stripe.url}/c/pay/cs_test_`));
    // A second click gets the same session back (Stripe replays the idempotency key).
    expect((await setup()).headers.get('location')).toBe(location);
    const sessionId = location.split('/').at(-1) ?? '';
    const [sent] = stripe.requests.filter(
      (request) => request.path === '/v1/checkout/sessions' && request.form['metadata[customer_id]'] === customer,
    );
    expect(sent?.headers['idempotency-key']).toBe(`afternoon-setup-${acme.id}-test-${customer}-${id}`);
    expect(sent?.form).toMatchObject({
      mode: 'setup',
      currency: 'usd',
      customer_creation: 'always',
      'metadata[organization_id]': acme.id,
      'metadata[invoice_id]': id,
      'setup_intent_data[metadata][customer_id]': customer,
    });

    const completed = stripe.completeSetup(sessionId, 'pm_card_visa');
    const event = checkoutSetupCompleted(completed);
    expect((await deliver(event)).status).toBe(200);
    const linked = (await client.get(`/v1/customers/${customer}`)).body.customer.payment_provider;
    expect(linked).toMatchObject({
      stripe_customer_id: completed.customer,
      default_payment_method_id: 'pm_card_visa',
      source: 'checkout_setup',
    });
    // Stripe delivering the event again links nothing more.
    expect((await deliver(event)).status).toBe(200);
    expect((await client.get(`/v1/customers/${customer}`)).body.customer.payment_provider).toEqual(linked);

    await eventually(async () => expect((await invoiceOf(id)).status).toBe('paid'), {
      label: 'invoice paid by the off-session charge after the setup',
      timeout: 30_000,
    });
    expect(intentRequestsOf(id)[0]?.form).toMatchObject({
      customer: completed.customer,
      payment_method: 'pm_card_visa',
    });
  });
});

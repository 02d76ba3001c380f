import { CheckoutSessionAnswer } from '@afternoon/contracts/invoices';
import { askService } from '@afternoon/service-kit';
import { type FakeStripe, startFakeStripe, testInternalApiToken } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';
import { finalizedTestInvoice } from './finalizedTestInvoice';

// Stripe cannot be reached from these machines: invoicing's Stripe client (the official package) is pointed at a
// local stand-in (STRIPE_API_BASE) that answers in Stripe's documented shapes and records what it was sent.
const stripeKeys = {
  secret_key: 'sk_test_51PaYmEnTsEcReTkEy0000424242',
  webhook_secret: 'whsec_WeBhOoKsEcReT000000000000',
  publishable_key: 'pk_test_51PaYmEnTpUbLiShAbLe00',
};
const bank = {
  instructions: 'Pay by bank transfer within 14 days, quoting the reference.',
  account_holder: 'Initech LLC',
  iban: 'DE89370400440532013000',
  bic: 'COBADEFFXXX',
  reference_prefix: 'INI-',
};

describe('the hosted page Pay button starts one Stripe Checkout payment per invoice and amount due', () => {
  let stripe: FakeStripe;
  let cluster: TestCluster;
  let acme: TestOrganization;

  beforeAll(async () => {
    stripe = await startFakeStripe();
    cluster = await startTestCluster({ stripeApiBase: stripe.url });
    acme = await cluster.createOrganization('Acme Inc.');
    const configured = await acme.test.patch('/v1/payment_settings', { providers: { stripe: stripeKeys } });
    expect(configured.status).toBe(200);
  });
  afterAll(async () => {
    await cluster?.stop();
    await stripe?.close();
  });

  const page = (path: string) => fetch(`${cluster.baseUrl}${path}`).then((response) => response.text());
  const pay = (path: string) => fetch(`${cluster.baseUrl}${path}/pay`, { method: 'POST', redirect: 'manual' });
  const checkoutRequests = (invoiceId: string) =>
    stripe.requests.filter(
      (request) => request.path === '/v1/checkout/sessions' && request.form.client_reference_id === invoiceId,
    );

  it('shows a Pay button; two clicks and a retried internal call make one session, with one idempotency key', async () => {
    const { id, number, path } = await finalizedTestInvoice(acme.test);
    const html = await page(path);
    expect(html).toContain(`<form method="post" action="${path.slice('/inv/'.length)}/pay">`);
    expect(html).toContain('<button type="submit">Pay $50.00</button>');

    const first = await pay(path);
    expect(first.status).toBe(303);
    const location = first.headers.get('location') ?? '';
    expect(location).toMatch(new RegExp(`^${stripe.url}/c/pay/cs_test_`));
    const second = await pay(path);
    expect({ status: second.status, location: second.headers.get('location') }).toEqual({ status: 303, location });
    const token = path.slice('/inv/'.length);
    const retried = await askService(
      { url: `http://127.0.0.1:${cluster.services.invoicing.port}`, token: testInternalApiToken },
      { path: `/public-invoices/${token}/checkout-session`, body: {}, answer: CheckoutSessionAnswer },
    );
    expect(retried.checkout_session).toMatchObject({ url: location, amount_cents: 5000, currency: 'usd' });

    const sent = checkoutRequests(id);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.headers.authorization).toBe(`Bearer ${stripeKeys.secret_key}`);
    expect(sent[0]?.headers['idempotency-key']).toBe(`afternoon-checkout-${id}-5000-0`);
    expect(sent[0]?.form).toMatchObject({
      mode: 'payment',
      'line_items[0][price_data][currency]': 'usd',
      'line_items[0][price_data][unit_amount]': '5000', // 1 × $30.00 + 2 × $10.00
      'line_items[0][price_data][product_data][name]': `Invoice ${number}`,
      client_reference_id: id,
      'metadata[invoice_id]': id,
      'metadata[organization_id]': acme.id,
      'metadata[mode]': 'test',
      success_url: `http://localhost:3000${path}?payment=succeeded`,
      cancel_url: `http://localhost:3000${path}?payment=canceled`,
    });
    const { rows } = await cluster.gateway.pool.query(
      `SELECT type, data FROM ${cluster.schemas.invoicing}.events WHERE stream_id = $1 ORDER BY version`,
      [`invoice_checkout-${id}`],
    );
    expect(rows).toEqual([
      {
        type: 'InvoiceCheckoutSessionCreated',
        data: expect.objectContaining({ invoice_id: id, amount_cents: 5000, url: location }),
      },
    ]);
  });

  it('clicks racing each other still make one session (Stripe replays the idempotency key)', async () => {
    const { id, path } = await finalizedTestInvoice(acme.test);
    const answers = await Promise.all([pay(path), pay(path), pay(path)]);
    const locations = new Set(answers.map((answer) => `${answer.status} ${answer.headers.get('location')}`));
    expect(locations.size).toBe(1);
    const keys = new Set(checkoutRequests(id).map((request) => request.headers['idempotency-key']));
    expect([...keys]).toEqual([`afternoon-checkout-${id}-5000-0`]);
    expect([...stripe.sessions.values()].filter((session) => session.client_reference_id === id)).toHaveLength(1);
  });

  it('opens a new session for a new amount due, and none once nothing is due', async () => {
    const { id, path } = await finalizedTestInvoice(acme.test);
    const before = (await pay(path)).headers.get('location');
    const partial = await acme.test.post(`/v1/invoices/${id}/payments`, {
      amount_cents: 2000,
      method: 'bank_transfer',
      reference: 'TRX-1',
    });
    expect(partial.status).toBe(201);
    const after = (await pay(path)).headers.get('location');
    expect(after).not.toBe(before);
    expect(checkoutRequests(id).at(-1)?.headers['idempotency-key']).toBe(`afternoon-checkout-${id}-3000-1`);
    expect(checkoutRequests(id).at(-1)?.form['line_items[0][price_data][unit_amount]']).toBe('3000'); // 5000 − 2000
    expect(await page(path)).toContain('Pay $30.00');

    const rest = await acme.test.post(`/v1/invoices/${id}/payments`, {
      amount_cents: 3000,
      method: 'bank_transfer',
      reference: 'TRX-2',
    });
    expect(rest.status).toBe(201);
    const paid = await pay(path);
    expect({ status: paid.status, location: paid.headers.get('location') }).toEqual({
      status: 303,
      location: `../${path.slice('/inv/'.length)}`,
    });
    expect(await page(path)).not.toContain('<form method="post"');
  });

  it('without Stripe shows the bank transfer details and reference, and no Pay button', async () => {
    const initech = await cluster.createOrganization('Initech LLC');
    const configured = await initech.live.patch('/v1/payment_settings', { providers: { bank_transfer: bank } });
    expect(configured.status).toBe(200);
    const { number, path } = await finalizedTestInvoice(initech.live);
    const html = await page(path);
    expect(html).not.toContain('<form method="post"');
    expect(html).toContain('Pay by bank transfer');
    expect(html).toContain(bank.instructions);
    expect(html).toContain('<dt>IBAN</dt><dd>DE89370400440532013000</dd>');
    expect(html).toContain(`<dt>Reference</dt><dd>INI-${number}</dd>`);
    const refused = await pay(path);
    expect(refused.status).toBe(303);
    // Stripe set up in test mode only: a live invoice of Acme offers no card payment.
    const { path: testModePath } = await finalizedTestInvoice(acme.live);
    expect(await page(testModePath)).not.toContain('<form method="post"');
  });

  it('says card payment is unavailable (503, bank details kept) when Stripe refuses, and redirects again once it takes it', async () => {
    const globex = await cluster.createOrganization('Globex Inc.');
    const configured = await globex.test.patch('/v1/payment_settings', {
      providers: { stripe: stripeKeys, bank_transfer: bank },
    });
    expect(configured.status).toBe(200);
    const { number, path } = await finalizedTestInvoice(globex.test);
    stripe.failCheckoutWith({
      status: 401,
      type: 'invalid_request_error',
      message: 'Invalid API Key provided: sk_test_****4242',
    });
    try {
      const refused = await pay(path);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('location')).toBeNull();
      const html = await refused.text();
      expect(html).toContain('Card payment is unavailable right now; nothing was charged.');
      expect(html).toContain(bank.instructions);
      expect(html).toContain(`<dt>Reference</dt><dd>INI-${number}</dd>`);
      expect(html).not.toContain('<button type="submit">');
    } finally {
      stripe.failCheckoutWith(null);
    }
    const accepted = await pay(path);
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get('location')).toMatch(new RegExp(`^${stripe.url}/c/pay/cs_test_`));
  });

  it('answers an unknown token with the 404 page', async () => {
    const unknown = await pay('/inv/inv_unknown0000000000000000000000');
    expect(unknown.status).toBe(404);
  });
});

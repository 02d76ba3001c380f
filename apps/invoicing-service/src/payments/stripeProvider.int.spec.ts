import { type FakeStripe, startFakeStripe } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripeClientOptions, stripeProvider } from './stripeProvider';

// Stripe cannot be reached from these machines: the official client is pointed at a local stand-in that answers in
// Stripe's documented shapes and records what it was sent.
describe('the Stripe payment provider', () => {
  let stripe: FakeStripe;
  beforeAll(async () => {
    stripe = await startFakeStripe();
  });
  afterAll(() => stripe.close());

  const request = {
    invoiceId: 'inv_123',
    invoiceNumber: 'INV-0042',
    organizationId: 'org_1',
    mode: 'test',
    amountCents: 12_345,
    currency: 'EUR',
    successUrl: 'http://localhost:3000/inv/tok?payment=succeeded',
    cancelUrl: 'http://localhost:3000/inv/tok?payment=canceled',
    idempotencyKey: 'afternoon-checkout-inv_123-12345-0',
  };

  it('creates a one-line payment Checkout Session with the key, the idempotency key and the invoice tags', async () => {
    const session = await stripeProvider('sk_test_abcdefgh12345678', stripe.url).createCheckoutSession(request);

    expect(session.url).toBe(`${stripe.url}/c/pay/${session.id}`);
    expect(Date.parse(session.expiresAt)).toBeGreaterThan(Date.now());
    const sent = stripe.requests.at(-1);
    expect(sent).toMatchObject({ method: 'POST', path: '/v1/checkout/sessions' });
    expect(sent?.headers.authorization).toBe('Bearer sk_test_abcdefgh12345678');
    expect(sent?.headers['idempotency-key']).toBe('afternoon-checkout-inv_123-12345-0');
    expect(sent?.form).toEqual({
      mode: 'payment',
      'line_items[0][quantity]': '1',
      'line_items[0][price_data][currency]': 'eur',
      'line_items[0][price_data][unit_amount]': '12345',
      'line_items[0][price_data][product_data][name]': 'Invoice INV-0042',
      client_reference_id: 'inv_123',
      'metadata[invoice_id]': 'inv_123',
      'metadata[organization_id]': 'org_1',
      'metadata[mode]': 'test',
      'payment_intent_data[metadata][invoice_id]': 'inv_123',
      'payment_intent_data[metadata][organization_id]': 'org_1',
      'payment_intent_data[metadata][mode]': 'test',
      success_url: request.successUrl,
      cancel_url: request.cancelUrl,
    });
  });

  it("asks Stripe for the amount due in Stripe's minor units: JPY as is, ISK times 100", async () => {
    const provider = stripeProvider('sk_test_abcdefgh12345678', stripe.url);
    const sent = async (currency: string, amountCents: number) => {
      const session = await provider.createCheckoutSession({
        ...request,
        currency,
        amountCents,
        idempotencyKey: `key-${currency}`,
      });
      return stripe.sessions.get(session.id);
    };
    // ¥1,500 is 1,500 in both; ISK 5,000 (ISO: no decimals) is 500,000 in Stripe's two-decimal ISK.
    expect(await sent('jpy', 1500)).toMatchObject({ currency: 'jpy', amount_total: 1500 });
    expect(await sent('isk', 5000)).toMatchObject({ currency: 'isk', amount_total: 500_000 });
  });

  it('gets the same session back when the request is retried with its idempotency key', async () => {
    const provider = stripeProvider('sk_test_abcdefgh12345678', stripe.url);
    const first = await provider.createCheckoutSession({ ...request, idempotencyKey: 'retried-key' });
    const again = await provider.createCheckoutSession({ ...request, idempotencyKey: 'retried-key' });
    expect(again.id).toBe(first.id);
  });

  it('refuses (not a retry) when Stripe refuses the key', async () => {
    const provider = stripeProvider('sk_test_abcdefgh12345678', `${stripe.url}`);
    const refused = stripeProvider('pk_test_notasecretkey', stripe.url);
    await expect(refused.createCheckoutSession(request)).rejects.toMatchObject({
      name: 'PaymentProviderUnavailableError',
      code: 'INVALID_STATE',
      param: 'payment_provider',
    });
    await expect(provider.createCheckoutSession(request)).resolves.toBeDefined();
  });

  it('turns STRIPE_API_BASE into the client host, port and protocol', () => {
    expect(stripeClientOptions('http://127.0.0.1:12111')).toMatchObject({
      host: '127.0.0.1',
      port: '12111',
      protocol: 'http',
    });
    expect(stripeClientOptions('https://stripe.example')).toMatchObject({ host: 'stripe.example', port: 443 });
    expect(stripeClientOptions(undefined)).not.toHaveProperty('host');
  });
});

import { type FakeStripe, startFakeStripe } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OffSessionChargeRequest } from './paymentProvider';
import { stripeProvider } from './stripeProvider';

// The fake stands for Stripe at its protocol: the official client talks HTTP to a local server answering in Stripe's
// documented PaymentIntent and error shapes, replaying idempotency keys as Stripe does, and recording what it was sent.
describe('off-session charges through the Stripe adapter', () => {
  let stripe: FakeStripe;
  beforeAll(async () => {
    stripe = await startFakeStripe();
  });
  afterAll(() => stripe.close());

  const request: OffSessionChargeRequest = {
    invoiceId: 'inv_123',
    organizationId: 'org_1',
    mode: 'test',
    amountCents: 4_900,
    currency: 'EUR',
    customer: 'cus_Abc123',
    paymentMethod: 'pm_card_visa',
    idempotencyKey: 'afternoon-charge-inv_123-1',
  };
  const provider = () => stripeProvider('sk_test_abcdefgh12345678', stripe.url);
  const intentRequests = () => stripe.requests.filter((sent) => sent.path === '/v1/payment_intents');

  it('confirms one PaymentIntent off-session with the idempotency key and the invoice tags', async () => {
    const charge = await provider().chargeOffSession(request);

    expect(charge).toEqual({ status: 'succeeded', paymentIntentId: expect.stringMatching(/^pi_/), amountCents: 4_900 });
    const sent = intentRequests().at(-1);
    expect(sent?.method).toBe('POST');
    expect(sent?.headers.authorization).toBe('Bearer sk_test_abcdefgh12345678');
    expect(sent?.headers['idempotency-key']).toBe('afternoon-charge-inv_123-1');
    expect(sent?.form).toEqual({
      amount: '4900',
      currency: 'eur',
      customer: 'cus_Abc123',
      payment_method: 'pm_card_visa',
      confirm: 'true',
      off_session: 'true',
      'metadata[invoice_id]': 'inv_123',
      'metadata[organization_id]': 'org_1',
      'metadata[mode]': 'test',
      'metadata[afternoon_charge]': 'afternoon-charge-inv_123-1',
    });
  });

  it('makes one PaymentIntent however often the same attempt is retried', async () => {
    const again = { ...request, idempotencyKey: 'afternoon-charge-inv_retried-1' };
    const first = await provider().chargeOffSession(again);
    const second = await provider().chargeOffSession(again);
    expect(second).toEqual(first);
    const made = [...stripe.paymentIntents.values()].filter(
      (intent) => intent.id === (first as { paymentIntentId: string }).paymentIntentId,
    );
    expect(made).toHaveLength(1);
    expect(intentRequests().filter((sent) => sent.headers['idempotency-key'] === again.idempotencyKey)).toHaveLength(2);
  });

  it('answers a declined card (HTTP 402 card_error) as a failed charge naming its PaymentIntent', async () => {
    const declined = {
      ...request,
      paymentMethod: 'pm_card_chargeDeclined',
      idempotencyKey: 'afternoon-charge-inv_d-1',
    };
    const charge = await provider().chargeOffSession(declined);
    expect(charge).toEqual({
      status: 'failed',
      paymentIntentId: expect.stringMatching(/^pi_/),
      failureReason: 'Your card was declined.',
    });
    const replayed = await provider().chargeOffSession(declined);
    expect(replayed).toEqual(charge);
  });

  it("charges the Stripe customer's own default payment method when none is stored, and fails without one", async () => {
    stripe.setDefaultPaymentMethod('cus_WithDefault', 'pm_card_mastercard');
    const charged = await provider().chargeOffSession({
      ...request,
      customer: 'cus_WithDefault',
      paymentMethod: null,
      idempotencyKey: 'afternoon-charge-inv_default-1',
    });
    expect(charged.status).toBe('succeeded');
    expect(intentRequests().at(-1)?.form.payment_method).toBe('pm_card_mastercard');

    const none = await provider().chargeOffSession({
      ...request,
      customer: 'cus_NoDefault',
      paymentMethod: null,
      idempotencyKey: 'afternoon-charge-inv_none-1',
    });
    expect(none).toEqual({
      status: 'failed',
      paymentIntentId: null,
      failureReason: 'the customer has no default payment method',
    });
  });

  it('throws, to be retried, when Stripe cannot be reached', async () => {
    const unreachable = stripeProvider('sk_test_abcdefgh12345678', 'http://127.0.0.1:9');
    await expect(unreachable.chargeOffSession(request)).rejects.toMatchObject({ name: 'NotYetError' });
  });
});

import {
  chargeRefunded,
  checkoutSessionCompleted,
  newPaymentIntentId,
  type StripeTestEvent,
  type StripeTestPayment,
  signStripeDelivery,
} from '@afternoon/invoicing-service/stripeTestEvents';
import { eventually, type GatewayClient } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceClock, subscribeOnClock } from '../../test/clockedSubscription';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

const webhookSecret = 'whsec_OvErPaYmEnTsEcReT000000000000';
const stripe = {
  secret_key: 'sk_test_51OvErPaYmEnT0000000000424242',
  webhook_secret: webhookSecret,
  publishable_key: 'pk_test_51OvErPaYmEnT00000000000',
};
/** 3¢ a call. */
const calls = { model: 'per_unit', description: 'API calls', meter_code: 'api_calls', unit_amount: '3' };

interface Balance {
  denomination: { type: string; code: string };
  granted: number;
  consumed: number;
  voided: number;
  available: number;
  grants: { grant_id: string; name: string; available: number }[];
}

describe('an overpayment by card becomes the customer credit the next invoice draws down', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let test: GatewayClient;

  beforeAll(async () => {
    cluster = await startTestCluster({ billingRunIntervalMs: 3_600_000 });
    acme = await cluster.createOrganization('Acme Inc.');
    test = acme.test;
    expect((await test.patch('/v1/payment_settings', { providers: { stripe } })).status).toBe(200);
    const apiCalls = { code: 'api_calls', name: 'API calls', event_name: 'api.call', aggregation: 'count' };
    expect((await test.post('/v1/meters', apiCalls)).status).toBe(201);
    const plan = { code: 'calls', name: 'Calls', interval: 'month', prices: [calls] };
    expect((await test.post('/v1/plans', plan)).status).toBe(201);
  });
  afterAll(() => cluster?.stop());

  async function deliver(event: StripeTestEvent): Promise<number> {
    const payload = JSON.stringify(event, null, 2);
    const response = await fetch(`${cluster.baseUrl}/webhooks/stripe/${acme.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signStripeDelivery(payload, webhookSecret) },
      body: payload,
    });
    return response.status;
  }

  it('credits the excess once, in exact cents; usage draws it and the next invoice applies it; a refund takes the unused rest first', {
    timeout: 180_000,
  }, async () => {
    const { clock, customerId, subscriptionId } = await subscribeOnClock(test, 'calls');
    // A one-off invoice of 2 × $50.00 = 10,000¢ for the same customer.
    const created = await test.post('/v1/invoices', {
      customer_id: customerId,
      collection_method: 'send_invoice',
      days_until_due: 30,
      currency: 'usd',
      line_items: [{ description: 'Onboarding', quantity: 2, unit_amount_cents: 5000 }],
    });
    expect(created.status).toBe(201);
    const invoice = (await test.post(`/v1/invoices/${created.body.invoice.id}/finalize`)).body.invoice;
    const payment: StripeTestPayment = {
      invoiceId: invoice.id,
      organizationId: acme.id,
      paymentIntentId: newPaymentIntentId(),
      amountCents: 12_345,
    };
    const paid = checkoutSessionCompleted(payment);
    expect(await deliver(paid)).toBe(200);
    expect((await test.get(`/v1/invoices/${invoice.id}`)).body.invoice).toMatchObject({ status: 'paid' });

    const usd = async () =>
      ((await test.get(`/v1/customers/${customerId}/balances`)).body.balances as Balance[]).find(
        (balance) => balance.denomination.code === 'usd',
      );
    // 12,345¢ paid − 10,000¢ due = 2,345¢ of credit, named after the invoice.
    const credited = await eventually(
      async () => {
        const balance = await usd();
        expect(balance).toMatchObject({ granted: 2345, available: 2345 });
        return balance;
      },
      { timeout: 30_000, label: 'overpayment credited' },
    );
    expect(credited?.grants).toEqual([
      expect.objectContaining({ name: `Overpayment on ${invoice.invoice_number}`, available: 2345 }),
    ]);
    const grants = (await test.get(`/v1/subscriptions/${subscriptionId}/credit-grants`)).body.credit_grants;
    expect(grants).toEqual([
      expect.objectContaining({ currency_code: 'usd', granted: 2345, expires_at: null, status: 'active' }),
    ]);

    // Stripe delivering the payment again, as checkout and as a redelivery, credits nothing more.
    expect(await deliver(paid)).toBe(200);
    expect(await deliver(checkoutSessionCompleted(payment))).toBe(200);

    // 100 calls in January × 3¢ = 300¢ (sent once the clock is past them), drawn from the credit as they are rated.
    await advanceClock(test, clock, '2027-01-20T00:00:00.000Z', 60_000);
    const events = Array.from({ length: 100 }, (_, n) => ({
      event_name: 'api.call',
      idempotency_key: `call-${n}`,
      customer_id: customerId,
      timestamp: new Date(Date.parse('2027-01-02T00:00:00Z') + n * 60_000).toISOString(),
      properties: {},
    }));
    expect((await test.post('/v1/events/ingest', { events })).body).toMatchObject({ success: true });
    await eventually(async () => expect(await usd()).toMatchObject({ granted: 2345, consumed: 300, available: 2045 }), {
      timeout: 60_000,
      label: 'calls rated against the credit',
    });

    await advanceClock(test, clock, '2027-02-01T02:00:00.000Z', 60_000);
    const cycle = (await test.get(`/v1/invoices?subscription_id=${subscriptionId}&limit=100`)).body.invoices.find(
      (each: { billing_reason: string }) => each.billing_reason === 'subscription_cycle',
    );
    // 300¢ of calls − 300¢ of credit applied = 0¢.
    expect(
      cycle?.line_items.map(({ kind, amount_cents }: { kind: string; amount_cents: number }) => [kind, amount_cents]),
    ).toEqual([
      ['usage', 300],
      ['credit_applied', -300],
    ]);
    expect(cycle?.total_cents).toBe(0);
    expect((await usd())?.grants).toHaveLength(1);

    // Stripe refunds 1,000¢ of the payment: taken from the 2,045¢ unused, the credit is voided and 1,045¢ granted again.
    expect(await deliver(chargeRefunded(payment, 1000))).toBe(200);
    await eventually(
      async () => {
        const balance = await usd();
        expect(balance).toMatchObject({ available: 1045, voided: 2045 });
        expect(balance?.grants.filter((grant) => grant.available > 0)).toEqual([
          expect.objectContaining({ name: `Overpayment on ${invoice.invoice_number}, less a refund`, available: 1045 }),
        ]);
      },
      { timeout: 30_000, label: 'refund taken from the credit' },
    );
  });
});

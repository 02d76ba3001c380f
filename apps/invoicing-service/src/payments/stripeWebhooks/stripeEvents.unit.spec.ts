import { ResourceId } from '@afternoon/contracts/common';
import { NotFoundError, ValidationError } from '@afternoon/service-kit';
import { describe, expect, it } from 'vitest';
import { paymentIdOf, toInvoiceCommands } from './stripeEvents';
import {
  chargeRefunded,
  checkoutSessionCompleted,
  paymentIntentFailed,
  paymentIntentSucceeded,
  type StripeTestEvent,
} from './stripeTestEvents';

const organizationId = `c${'org1'.padEnd(24, '0')}`;
const invoiceId = `c${'invoice1'.padEnd(24, '0')}`;
const payment = { invoiceId, organizationId, paymentIntentId: 'pi_3PaYmEnT', amountCents: 10_000 };
const nowhere = async (_paymentId: string): Promise<string | undefined> => undefined;
const noSetup = async (_setupIntentId: string): Promise<string | null> => null;
const commandsOf = (event: StripeTestEvent, invoiceOfPayment = nowhere) =>
  toInvoiceCommands(event, organizationId, invoiceOfPayment, noSetup);

describe("Stripe's events as invoice commands", () => {
  it('maps checkout.session.completed and payment_intent.succeeded to one payment id, the PaymentIntent its reference', async () => {
    const [fromSession] = await commandsOf(checkoutSessionCompleted(payment));
    const [fromIntent] = await commandsOf(paymentIntentSucceeded(payment));
    expect(fromSession).toEqual({
      type: 'RecordInvoicePayment',
      data: {
        invoice_id: invoiceId,
        payment_id: paymentIdOf('pi_3PaYmEnT'),
        amount_cents: 10_000,
        method: 'card',
        reference: 'pi_3PaYmEnT',
        paid_at: expect.any(String),
        provider: 'stripe',
        currency: 'usd',
      },
    });
    expect(fromIntent).toEqual(fromSession);
    expect(ResourceId.safeParse(paymentIdOf('pi_3PaYmEnT')).success).toBe(true);
    expect(paymentIdOf('pi_other')).not.toBe(paymentIdOf('pi_3PaYmEnT'));
  });

  it('finds the invoice by client_reference_id when the session has no metadata', async () => {
    const event = checkoutSessionCompleted(payment);
    event.data.object.metadata = {};
    expect(await commandsOf(event)).toEqual([expect.objectContaining({ type: 'RecordInvoicePayment' })]);
  });

  it("ignores an unpaid session, another organization's, an intent naming no invoice, and other types", async () => {
    const unpaid = checkoutSessionCompleted(payment);
    unpaid.data.object.payment_status = 'unpaid';
    const elsewhere = paymentIntentSucceeded({ ...payment, organizationId: `c${'org2'.padEnd(24, '0')}` });
    const noInvoice = paymentIntentSucceeded(payment);
    noInvoice.data.object.metadata = {};
    const other = { ...paymentIntentSucceeded(payment), type: 'customer.created' };
    for (const event of [unpaid, elsewhere, noInvoice, other]) expect(await commandsOf(event)).toEqual([]);
  });

  it('maps payment_intent.payment_failed to an attempt with the error message, one id per event', async () => {
    const event = paymentIntentFailed(payment, 'Your card was declined.');
    const [attempt] = await commandsOf(event);
    expect(attempt).toMatchObject({
      type: 'RecordInvoicePaymentFailure',
      data: {
        invoice_id: invoiceId,
        amount_cents: 10_000,
        failure_reason: 'Your card was declined.',
        provider: 'stripe',
      },
    });
    expect(await commandsOf(event)).toEqual([attempt]);
    expect((await commandsOf(paymentIntentFailed(payment)))[0]).not.toEqual(attempt);
  });

  it("leaves an off-session charge's failure to the billing run that made it and records it with its retry", async () => {
    const event = paymentIntentFailed(payment);
    const object = event.data.object as { metadata: Record<string, string> };
    object.metadata = { ...object.metadata, afternoon_charge: `afternoon-charge-${invoiceId}-1` };
    expect(await commandsOf(event)).toEqual([]);
  });

  it("maps charge.refunded to the running total of the payment's refunds, found by its PaymentIntent", async () => {
    const found = async (paymentId: string) => (paymentId === paymentIdOf('pi_3PaYmEnT') ? invoiceId : undefined);
    const [refund] = await commandsOf(chargeRefunded(payment, 2500), found);
    expect(refund).toMatchObject({
      type: 'RefundInvoicePayment',
      data: {
        invoice_id: invoiceId,
        payment_id: paymentIdOf('pi_3PaYmEnT'),
        amount_cents: null,
        refunded_total_cents: 2500,
      },
    });
    // Refused while the payment is not recorded: Stripe delivers it again.
    await expect(commandsOf(chargeRefunded(payment, 2500))).rejects.toThrow(NotFoundError);
  });

  it("reads Stripe's amount in ISO minor units of the event's currency, which the payment carries", async () => {
    // ISK is two-decimal in Stripe's API: 500 000 is 5 000 krónur, 5 000 ISO minor units (ISO: 0 decimals).
    const isk = { ...payment, currency: 'isk', amountCents: 500_000 };
    const [fromSession] = await commandsOf(checkoutSessionCompleted(isk));
    expect(fromSession?.data).toMatchObject({ amount_cents: 5000, currency: 'isk' });
    const [fromIntent] = await commandsOf(paymentIntentSucceeded({ ...payment, currency: 'jpy', amountCents: 1200 }));
    expect(fromIntent?.data).toMatchObject({ amount_cents: 1200, currency: 'jpy' });
    const found = async () => invoiceId;
    const [refund] = await commandsOf(chargeRefunded(isk, 100_000), found);
    expect(refund?.data).toMatchObject({ refunded_total_cents: 1000 });
    // 550 would be 5.5 krónur: not a whole ISO minor unit, refused rather than rounded.
    await expect(commandsOf(checkoutSessionCompleted({ ...isk, amountCents: 550 }))).rejects.toThrow(ValidationError);
  });
});

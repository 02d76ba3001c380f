import { NotYetError } from '@afternoon/service-kit';
import Stripe from 'stripe';
import type { OffSessionCharge, OffSessionChargeRequest } from './paymentProvider';
import { fromStripeAmount, toStripeChargeAmount } from './stripeAmounts';

/*
 * An off-session charge through Stripe: one PaymentIntent confirmed at once (https://docs.stripe.com/payments/
 * save-and-reuse#charge-saved-payment-method), tagged like the Checkout's so Stripe's own events about it name the
 * invoice. A decline is HTTP 402 with a `card_error` (https://docs.stripe.com/error-handling): a result about the
 * payment, not a failure of the call.
 */

/** The PaymentIntent's parameters: confirmed now, the customer absent, on the given or default payment method. */
export function offSessionPaymentIntentParams(
  request: OffSessionChargeRequest,
  paymentMethod: string,
): Stripe.PaymentIntentCreateParams {
  return {
    amount: toStripeChargeAmount(request.amountCents, request.currency),
    currency: request.currency.toLowerCase(),
    customer: request.customer,
    payment_method: paymentMethod,
    confirm: true,
    off_session: true,
    metadata: {
      invoice_id: request.invoiceId,
      organization_id: request.organizationId,
      mode: request.mode,
      // Marks the intent as the billing run's: its failure is recorded by the run, not again from Stripe's event.
      afternoon_charge: request.idempotencyKey,
    },
  };
}

/** Charges `request` once per idempotency key; a decline or missing payment method is a `failed` charge. */
export async function chargeOffSession(stripe: Stripe, request: OffSessionChargeRequest): Promise<OffSessionCharge> {
  try {
    const paymentMethod = request.paymentMethod ?? (await defaultPaymentMethod(stripe, request.customer));
    if (!paymentMethod)
      return { status: 'failed', paymentIntentId: null, failureReason: 'the customer has no default payment method' };
    const intent = await stripe.paymentIntents.create(offSessionPaymentIntentParams(request, paymentMethod), {
      idempotencyKey: request.idempotencyKey,
    });
    return outcomeOf(intent);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeCardError)
      return { status: 'failed', paymentIntentId: error.payment_intent?.id ?? null, failureReason: declineOf(error) };
    throw error;
  }
}

// The client prefixes its message with the request's id: the reason recorded is Stripe's own message.
function declineOf(error: Stripe.errors.StripeCardError): string {
  const raw = error.raw as { message?: unknown } | undefined;
  return typeof raw?.message === 'string' ? raw.message : error.message;
}

function outcomeOf(intent: Stripe.PaymentIntent): OffSessionCharge {
  switch (intent.status) {
    case 'succeeded':
      return { status: 'succeeded', paymentIntentId: intent.id, amountCents: receivedMinorUnits(intent) };
    case 'requires_action':
      return { status: 'failed', paymentIntentId: intent.id, failureReason: 'the customer must authenticate' };
    case 'requires_payment_method':
      return {
        status: 'failed',
        paymentIntentId: intent.id,
        failureReason: intent.last_payment_error?.message ?? 'payment failed',
      };
    default:
      // Processing (a debit still on its way): Stripe's webhook records the money once it arrives.
      throw new NotYetError(`PaymentIntent ${intent.id} is ${intent.status}`);
  }
}

/** The payment method Stripe's customer has set for invoices (`invoice_settings.default_payment_method`). */
async function defaultPaymentMethod(stripe: Stripe, customerId: string): Promise<string | null> {
  const customer = await stripe.customers.retrieve(customerId);
  if (customer.deleted) return null;
  const method = customer.invoice_settings?.default_payment_method;
  if (!method) return null;
  return typeof method === 'string' ? method : method.id;
}

/** What the intent received in the currency's ISO minor units (Stripe counts some currencies differently). */
function receivedMinorUnits(intent: Stripe.PaymentIntent): number {
  const received = fromStripeAmount(intent.amount_received || intent.amount, intent.currency);
  if (received === undefined)
    throw new Error(`PaymentIntent ${intent.id} received ${intent.amount} ${intent.currency}, not whole minor units`);
  return received;
}

import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';

/*
 * Stripe cannot be reached from the machines that run the tests: these are events in the shapes Stripe documents
 * (https://docs.stripe.com/api/events/object), trimmed to the fields that matter, and signed by the `stripe`
 * package exactly as Stripe signs a delivery.
 */

export interface StripeTestEvent {
  id: string;
  object: 'event';
  type: string;
  livemode: boolean;
  created: number;
  api_version: string;
  data: { object: Record<string, unknown> };
}

/** What a test names about the payment: the invoice, whose it is, and Stripe's PaymentIntent. */
export interface StripeTestPayment {
  invoiceId: string;
  organizationId: string;
  paymentIntentId: string;
  /** Stripe's `amount`, in Stripe's minor units of `currency`. */
  amountCents: number;
  livemode?: boolean;
  /** Lowercase; `usd` when absent. */
  currency?: string;
}

/** Signs the payload as Stripe does (`t=<timestamp>,v1=<hmac>`), at `timestamp` (seconds; default now). */
export function signStripeDelivery(payload: string, secret: string, timestamp?: number): string {
  return Stripe.webhooks.generateTestHeaderString({
    payload,
    secret,
    ...(timestamp === undefined ? {} : { timestamp }),
  });
}

export function checkoutSessionCompleted(payment: StripeTestPayment): StripeTestEvent {
  return stripeEvent('checkout.session.completed', payment, {
    id: `cs_test_${randomBytes(8).toString('hex')}`,
    object: 'checkout.session',
    mode: 'payment',
    status: 'complete',
    payment_status: 'paid',
    payment_intent: payment.paymentIntentId,
    amount_total: payment.amountCents,
    currency: payment.currency ?? 'usd',
    client_reference_id: payment.invoiceId,
    metadata: metadataOf(payment),
  });
}

/** A setup-mode session the customer completed, as the fake Stripe's `completeSetup` answers it. */
export function checkoutSetupCompleted(session: Record<string, unknown>, livemode = false): StripeTestEvent {
  return {
    ...stripeEvent('checkout.session.completed', { livemode } as StripeTestPayment, {}),
    data: { object: session },
  };
}

export function paymentIntentSucceeded(payment: StripeTestPayment): StripeTestEvent {
  return stripeEvent('payment_intent.succeeded', payment, {
    ...intentOf(payment),
    status: 'succeeded',
    amount_received: payment.amountCents,
    last_payment_error: null,
  });
}

export function paymentIntentFailed(payment: StripeTestPayment, message = 'Your card was declined.'): StripeTestEvent {
  return stripeEvent('payment_intent.payment_failed', payment, {
    ...intentOf(payment),
    status: 'requires_payment_method',
    amount_received: 0,
    last_payment_error: { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message },
  });
}

/** `amountRefundedCents` is the charge's running total, as Stripe sends it. */
export function chargeRefunded(payment: StripeTestPayment, amountRefundedCents: number): StripeTestEvent {
  return stripeEvent('charge.refunded', payment, {
    id: `ch_${payment.paymentIntentId.slice(3)}`,
    object: 'charge',
    amount: payment.amountCents,
    amount_captured: payment.amountCents,
    amount_refunded: amountRefundedCents,
    refunded: amountRefundedCents === payment.amountCents,
    currency: payment.currency ?? 'usd',
    payment_intent: payment.paymentIntentId,
    metadata: {},
  });
}

export function newPaymentIntentId(): string {
  return `pi_${randomBytes(12).toString('hex')}`;
}

function intentOf(payment: StripeTestPayment): Record<string, unknown> {
  return {
    id: payment.paymentIntentId,
    object: 'payment_intent',
    amount: payment.amountCents,
    currency: payment.currency ?? 'usd',
    metadata: metadataOf(payment),
  };
}

function metadataOf(payment: StripeTestPayment): Record<string, string> {
  const mode = payment.livemode ? 'live' : 'test';
  return { invoice_id: payment.invoiceId, organization_id: payment.organizationId, mode };
}

function stripeEvent(type: string, payment: StripeTestPayment, object: Record<string, unknown>): StripeTestEvent {
  return {
    id: `evt_${randomBytes(12).toString('hex')}`,
    object: 'event',
    type,
    livemode: payment.livemode ?? false,
    created: Math.floor(Date.now() / 1000),
    api_version: '2025-09-30.clover',
    data: { object },
  };
}

import { createHash } from 'node:crypto';
import { ResourceId } from '@afternoon/contracts/common';
import type { StripeWebhookCommand } from '@afternoon/contracts/invoices';
import { NotFoundError, ValidationError } from '@afternoon/service-kit';
import { z } from 'zod';
import { fromStripeAmount } from '../stripeAmounts';
import { type PaymentMethodOfSetup, setupLinkCommands } from './stripeSetupEvents';

/*
 * What Afternoon reads of Stripe's events (https://docs.stripe.com/api/events/types), and the invoice commands each
 * stands for. Every id is derived from Stripe's, so however often and in whatever order Stripe delivers them, the
 * invoice's decider sees the same payment, refund or attempt and records it once.
 */

const Metadata = z.record(z.string(), z.string()).nullish();
const Expandable = z.union([z.string(), z.object({ id: z.string() })]).nullish();

const CheckoutSession = z.object({
  payment_status: z.string(),
  payment_intent: Expandable,
  amount_total: z.number().int().nullish(),
  currency: z.string().nullish(),
  metadata: Metadata,
  client_reference_id: z.string().nullish(),
});
const PaymentIntent = z.object({
  id: z.string(),
  amount: z.number().int(),
  amount_received: z.number().int().nullish(),
  currency: z.string().nullish(),
  metadata: Metadata,
  last_payment_error: z.object({ message: z.string().nullish(), code: z.string().nullish() }).nullish(),
});
const Charge = z.object({
  id: z.string(),
  payment_intent: Expandable,
  amount_refunded: z.number().int(),
  currency: z.string().nullish(),
  metadata: Metadata,
});

/** The part of a verified event every mapping reads. */
export interface VerifiedStripeEvent {
  id: string;
  type: string;
  created: number;
  data: { object: unknown };
}

/** Where a charge's payment was recorded, for a refund whose charge does not name the invoice. */
export type InvoiceOfPayment = (paymentId: string) => Promise<string | undefined>;

/**
 * The commands an event stands for: none for a type Afternoon ignores, or an object that names no Afternoon invoice
 * of this organization (a payment made in Stripe for something else).
 */
export async function toInvoiceCommands(
  event: VerifiedStripeEvent,
  organizationId: string,
  invoiceOfPayment: InvoiceOfPayment,
  paymentMethodOfSetup: PaymentMethodOfSetup,
): Promise<StripeWebhookCommand[]> {
  const paidAt = new Date(event.created * 1000).toISOString();
  switch (event.type) {
    case 'checkout.session.completed':
      if ((event.data.object as { mode?: unknown } | null)?.mode === 'setup')
        return setupLinkCommands(event.data.object, organizationId, paymentMethodOfSetup);
      return checkoutPayment(event, organizationId, paidAt);
    case 'checkout.session.async_payment_succeeded':
      return checkoutPayment(event, organizationId, paidAt);

    case 'payment_intent.succeeded': {
      const intent = PaymentIntent.safeParse(event.data.object);
      if (!intent.success) return [];
      const invoiceId = invoiceOf(intent.data.metadata, organizationId);
      const received = intent.data.amount_received ?? intent.data.amount;
      if (!invoiceId || received <= 0) return [];
      return [paymentOf(invoiceId, intent.data.id, money(received, intent.data.currency), paidAt)];
    }
    case 'payment_intent.payment_failed': {
      const intent = PaymentIntent.safeParse(event.data.object);
      if (!intent.success) return [];
      const invoiceId = invoiceOf(intent.data.metadata, organizationId);
      // An off-session charge's failure is recorded by the billing run that made it, with its retry (ADR 0021).
      if (!invoiceId || intent.data.amount <= 0 || intent.data.metadata?.afternoon_charge) return [];
      const error = intent.data.last_payment_error;
      return [
        {
          type: 'RecordInvoicePaymentFailure',
          // Each failed attempt is its own event; a redelivered one keeps its id.
          data: {
            invoice_id: invoiceId,
            attempt_id: derivedId('attempt', event.id),
            amount_cents: money(intent.data.amount, intent.data.currency).amountCents,
            method: 'card',
            provider: 'stripe',
            reference: intent.data.id,
            failure_reason: error?.message ?? error?.code ?? 'payment failed',
          },
        },
      ];
    }
    case 'charge.refunded': {
      const charge = Charge.safeParse(event.data.object);
      if (!charge.success) return [];
      const intentId = idOf(charge.data.payment_intent);
      if (!intentId || charge.data.amount_refunded <= 0) return [];
      const paymentId = paymentIdOf(intentId);
      const invoiceId = invoiceOf(charge.data.metadata, organizationId) ?? (await invoiceOfPayment(paymentId));
      // Refused, not ignored: the payment may simply not be recorded yet, and Stripe delivers a refused event again.
      if (!invoiceId)
        throw new NotFoundError(`No payment of PaymentIntent '${intentId}' is recorded (yet)`, 'payment_intent');
      // The charge carries the running total refunded (its refunds are not listed since Stripe API 2022-11-15):
      // the decider refunds what the total adds, so a late or repeated delivery adds nothing.
      const total = money(charge.data.amount_refunded, charge.data.currency).amountCents;
      return [
        {
          type: 'RefundInvoicePayment',
          data: {
            invoice_id: invoiceId,
            payment_id: paymentId,
            refund_id: derivedId('refund', `${charge.data.id}:${total}`),
            amount_cents: null,
            refunded_total_cents: total,
          },
        },
      ];
    }
    default:
      return [];
  }
}

function checkoutPayment(event: VerifiedStripeEvent, organizationId: string, paidAt: string): StripeWebhookCommand[] {
  const session = CheckoutSession.safeParse(event.data.object);
  if (!session.success || session.data.payment_status !== 'paid') return [];
  const { metadata, client_reference_id, amount_total } = session.data;
  const invoiceId = invoiceOf(metadata, organizationId) ?? afternoonId(client_reference_id);
  const intentId = idOf(session.data.payment_intent);
  if (!invoiceId || !intentId || !amount_total) return [];
  return [paymentOf(invoiceId, intentId, money(amount_total, session.data.currency), paidAt)];
}

/** The payment a PaymentIntent's money is recorded as: one id for every event about it. */
export function paymentIdOf(paymentIntentId: string): string {
  return derivedId('payment', paymentIntentId);
}

/** Stripe's amount in ISO minor units of its currency (an event without one is taken as the invoice's). */
interface StripeMoney {
  amountCents: number;
  currency?: string;
}

function money(stripeAmount: number, currency: string | null | undefined): StripeMoney {
  if (!currency) return { amountCents: stripeAmount };
  const amountCents = fromStripeAmount(stripeAmount, currency);
  // Stripe charges whole ISO minor units only; anything else is not an amount Afternoon can record exactly.
  if (amountCents === undefined)
    throw new ValidationError(`Stripe amount ${stripeAmount} ${currency} is not a whole ISO 4217 minor unit`, 'amount');
  return { amountCents, currency: currency.toLowerCase() };
}

function paymentOf(invoiceId: string, intentId: string, paid: StripeMoney, paidAt: string): StripeWebhookCommand {
  return {
    type: 'RecordInvoicePayment',
    data: {
      invoice_id: invoiceId,
      payment_id: paymentIdOf(intentId),
      amount_cents: paid.amountCents,
      ...(paid.currency ? { currency: paid.currency } : {}),
      method: 'card',
      reference: intentId,
      paid_at: paidAt,
      provider: 'stripe',
    },
  };
}

/** The invoice the checkout put in the metadata, unless the metadata says it is another organization's. */
function invoiceOf(metadata: z.infer<typeof Metadata>, organizationId: string): string | undefined {
  if (!metadata) return undefined;
  if (metadata.organization_id !== undefined && metadata.organization_id !== organizationId) return undefined;
  return afternoonId(metadata.invoice_id);
}

function afternoonId(value: string | null | undefined): string | undefined {
  return ResourceId.safeParse(value).success ? (value as string) : undefined;
}

function idOf(value: z.infer<typeof Expandable>): string | undefined {
  if (!value) return undefined;
  return typeof value === 'string' ? value : value.id;
}

/** An Afternoon id (a letter and 24 base-36 digits) that is the same for the same Stripe object. */
function derivedId(kind: 'payment' | 'refund' | 'attempt', stripeId: string): string {
  const digest = createHash('sha256').update(`stripe:${kind}:${stripeId}`).digest('hex');
  return `${kind[0]}${(BigInt(`0x${digest}`) % 36n ** 24n).toString(36).padStart(24, '0')}`;
}

import type {
  InvoicePayment,
  InvoicePaymentFailed,
  InvoicePaymentRecorded,
  InvoicePaymentRefunded,
} from '@afternoon/contracts/invoices';
import { maxPaymentsPerInvoice } from '@afternoon/contracts/invoices';
import { IllegalStateError } from '@afternoon/service-kit';
import type { ChargeAttempts } from './chargeAttempts';
import type { InvoiceState, IssuedInvoice } from './invoice';

/** Only an issued invoice (open, uncollectible, paid or void) takes payments or has any to refund. */
export function isIssued(state: InvoiceState): state is IssuedInvoice {
  return (
    state.status === 'open' || state.status === 'uncollectible' || state.status === 'paid' || state.status === 'void'
  );
}

// States folded before payments were recorded lack these fields: an invoice paid then has only `amountPaidCents`.
export const paymentsOf = (state: IssuedInvoice): InvoicePayment[] => state.payments ?? [];
export const amountPaidCents = (state: IssuedInvoice): number => state.amountPaidCents ?? 0;
export const amountRefundedCents = (state: IssuedInvoice): number => state.amountRefundedCents ?? 0;

/** The payment joins the list (nothing of it refunded yet) and the amount paid. */
export function paymentRecorded(state: IssuedInvoice, event: InvoicePaymentRecorded): IssuedInvoice {
  const { data } = event;
  const payment: InvoicePayment = {
    id: data.payment_id,
    invoice_id: data.invoice_id,
    kind: 'payment',
    amount_cents: data.amount_cents,
    currency: data.currency,
    method: data.method,
    reference: data.reference,
    status: 'succeeded',
    failure_reason: null,
    paid_at: data.paid_at,
    refunded_cents: 0,
    ...(data.provider ? { provider: data.provider } : {}),
    ...(data.unapplied_cents ? { unapplied_cents: data.unapplied_cents } : {}),
    created_at: data.occurred_at,
  };
  return {
    ...state,
    payments: [...paymentsOf(state), payment],
    amountPaidCents: amountPaidCents(state) + data.amount_cents,
    ...chargeAttempted(state, data.attempt_count, null, null),
    updatedAt: data.occurred_at,
  };
}

/**
 * A negative entry naming the payment joins the list; the payment counts what of it was refunded. The amount paid
 * goes down and the amount refunded up; the status stays (a paid invoice was paid, its payment refunded).
 */
export function paymentRefunded(state: IssuedInvoice, event: InvoicePaymentRefunded): IssuedInvoice {
  const { data } = event;
  const payments = paymentsOf(state);
  const payment = payments.find((entry) => entry.kind === 'payment' && entry.id === data.payment_id);
  if (!payment) return state;
  const refund: InvoicePayment = {
    id: data.refund_id,
    invoice_id: data.invoice_id,
    kind: 'refund',
    amount_cents: -data.amount_cents,
    currency: data.currency,
    method: payment.method,
    reference: payment.reference,
    status: 'succeeded',
    failure_reason: null,
    paid_at: data.occurred_at,
    refund_of: payment.id,
    ...(payment.provider ? { provider: payment.provider } : {}),
    created_at: data.occurred_at,
  };
  const withRefund = (entry: InvoicePayment): InvoicePayment =>
    entry === payment ? { ...entry, refunded_cents: (entry.refunded_cents ?? 0) + data.amount_cents } : entry;
  return {
    ...state,
    payments: [...payments.map(withRefund), refund],
    amountPaidCents: amountPaidCents(state) - data.amount_cents,
    amountRefundedCents: amountRefundedCents(state) + data.amount_cents,
    updatedAt: data.occurred_at,
  };
}

/** A provider's failed attempt joins the list as a `failed` payment; no amount changes. */
export function paymentFailed(state: IssuedInvoice, event: InvoicePaymentFailed): IssuedInvoice {
  const { data } = event;
  const attempt: InvoicePayment = {
    id: data.attempt_id,
    invoice_id: data.invoice_id,
    kind: 'payment',
    amount_cents: data.amount_cents,
    currency: data.currency,
    method: data.method,
    reference: data.reference,
    status: 'failed',
    failure_reason: data.failure_reason,
    paid_at: data.occurred_at,
    refunded_cents: 0,
    provider: data.provider,
    created_at: data.occurred_at,
  };
  return {
    ...state,
    payments: [...paymentsOf(state), attempt],
    ...chargeAttempted(state, data.attempt_count, data.next_payment_attempt ?? null, data.occurred_at),
    updatedAt: data.occurred_at,
  };
}

/** The charge attempts after an off-session charge's outcome (`count` set), else nothing to change. */
function chargeAttempted(
  state: IssuedInvoice,
  count: number | undefined,
  nextAttemptAt: string | null,
  failedAt: string | null,
): { chargeAttempts?: ChargeAttempts } {
  if (count === undefined) return {};
  const firstFailedAt = state.chargeAttempts?.firstFailedAt ?? failedAt;
  return { chargeAttempts: { count, firstFailedAt, nextAttemptAt } };
}

/** A retried payment or refund whose id is already recorded changes nothing (its first answer is repeated). */
export function hasEntry(invoice: IssuedInvoice, id: string): boolean {
  return paymentsOf(invoice).some((entry) => entry.id === id);
}

export function checkRoomForEntry(invoice: IssuedInvoice): void {
  if (paymentsOf(invoice).length >= maxPaymentsPerInvoice)
    throw new IllegalStateError(
      `Invoice '${invoice.id}' already has ${maxPaymentsPerInvoice} payments and refunds, the most one records`,
    );
}

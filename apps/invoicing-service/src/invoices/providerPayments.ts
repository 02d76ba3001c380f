import type {
  InvoiceStreamEvent,
  RecordInvoicePayment,
  RecordInvoicePaymentFailure,
} from '@afternoon/contracts/invoices';
import { amountDueCents, type IssuedInvoice } from './invoice';
import { amountPaidCents, checkRoomForEntry, hasEntry, paymentsOf } from './payments';

type Base = { invoice_id: string; occurred_at: string };

/** Failed provider attempts an invoice lists; later ones are left out (they change nothing). */
export const maxFailedAttemptsKept = 10;

/**
 * Money a provider took is recorded whatever the invoice says: refusing it would lose track of money that moved. It
 * counts in full in the amount paid; what exceeds the amount due (all of it on a paid or void invoice) is noted as
 * `unapplied_cents` until overpayments become credit. It pays an open or uncollectible invoice it leaves nothing due.
 */
export function recordProviderPayment(
  invoice: IssuedInvoice,
  base: Base,
  data: RecordInvoicePayment['data'],
): InvoiceStreamEvent[] {
  const { payment_id, amount_cents, method, reference, provider } = data;
  if (hasEntry(invoice, payment_id)) return [];
  if (data.currency !== undefined && data.currency.toLowerCase() !== invoice.currency.toLowerCase())
    return foreignCurrencyPayment(invoice, base, data);
  checkRoomForEntry(invoice);
  const due = amountDueCents(invoice);
  const amount_paid_cents = amountPaidCents(invoice) + amount_cents;
  const paid_at = data.paid_at === null ? base.occurred_at : new Date(data.paid_at).toISOString();
  const unapplied_cents = Math.max(0, amount_cents - due);
  const recorded: InvoiceStreamEvent = {
    type: 'InvoicePaymentRecorded',
    data: {
      ...base,
      payment_id,
      amount_cents,
      currency: invoice.currency,
      method,
      reference,
      paid_at,
      amount_paid_cents,
      amount_due_cents: Math.max(0, due - amount_cents),
      provider,
      ...(unapplied_cents > 0 ? { unapplied_cents } : {}),
    },
  };
  const pays = (invoice.status === 'open' || invoice.status === 'uncollectible') && amount_cents >= due;
  return pays ? [recorded, { type: 'InvoicePaid', data: { ...base, amount_paid_cents } }] : [recorded];
}

/** A provider's failed attempt, listed once; it moves no money. */
export function recordPaymentFailure(
  invoice: IssuedInvoice,
  base: Base,
  command: RecordInvoicePaymentFailure['data'],
): InvoiceStreamEvent[] {
  const { attempt_id, amount_cents, method, provider, reference, failure_reason } = command;
  if (hasEntry(invoice, attempt_id)) return [];
  // Failed attempts inform and move no money: past a few they are not kept, so they never crowd out payments.
  const failed = paymentsOf(invoice).filter((entry) => entry.status === 'failed').length;
  if (failed >= maxFailedAttemptsKept) return [];
  const data = { ...base, attempt_id, amount_cents, currency: invoice.currency, method, provider, reference };
  return [{ type: 'InvoicePaymentFailed', data: { ...data, failure_reason } }];
}

/**
 * Money taken in another currency than the invoice's is not an amount of the invoice's currency: it is listed, under
 * the payment's own id (so redeliveries and its other events stay one entry), as a failed attempt with the reason
 * and its own currency, and moves no amount; the merchant refunds it or settles it by hand.
 */
function foreignCurrencyPayment(
  invoice: IssuedInvoice,
  base: Base,
  data: RecordInvoicePayment['data'],
): InvoiceStreamEvent[] {
  const currency = (data.currency ?? '').toLowerCase();
  const failure_reason =
    `currency_mismatch: ${data.provider ?? 'the provider'} took ${data.amount_cents} minor units of ` +
    `${currency.toUpperCase()} for an invoice in ${invoice.currency.toUpperCase()}; not applied, refund it or ` +
    'record the payment by hand';
  const failed: InvoiceStreamEvent = {
    type: 'InvoicePaymentFailed',
    data: {
      ...base,
      attempt_id: data.payment_id,
      amount_cents: data.amount_cents,
      currency,
      method: data.method,
      provider: data.provider ?? 'stripe',
      reference: data.reference,
      failure_reason,
    },
  };
  return [failed];
}

/** A payment listed as failed for its currency: it moved no amount of the invoice's, so a refund of it takes none back. */
export function isForeignCurrencyPayment(invoice: IssuedInvoice, paymentId: string): boolean {
  return paymentsOf(invoice).some(
    (entry) => entry.id === paymentId && entry.status === 'failed' && entry.currency !== invoice.currency,
  );
}

import type { InvoiceStreamEvent, RecordInvoiceChargeAttempt } from '@afternoon/contracts/invoices';
import type { RetrySchedule } from '@afternoon/contracts/paymentSettings';
import type { IssuedInvoice } from './invoice';
import { checkRoomForEntry, hasEntry } from './payments';
import { recordProviderPayment } from './providerPayments';

/**
 * The off-session charges of a `charge_automatically` invoice: how many were made, when the first failed (what the
 * retry schedule counts from), and when the next is due on the customer's clock (null: none will be made).
 */
export interface ChargeAttempts {
  count: number;
  firstFailedAt: string | null;
  nextAttemptAt: string | null;
}

const dayMs = 86_400_000;

/**
 * When the attempt after `failedAttempts` failures is due: `days_after_failure[failedAttempts - 1]` days after the
 * FIRST failure (Stripe's "custom retry schedule": [1, 3, 7] retries on days 1, 3 and 7), null once the schedule is
 * spent. Counting from the first failure keeps the whole schedule within its last day, however late a retry ran.
 */
export function nextChargeAttemptAt(
  firstFailedAt: string,
  failedAttempts: number,
  schedule: RetrySchedule,
): string | null {
  const days = schedule.days_after_failure[failedAttempts - 1];
  return days === undefined ? null : new Date(Date.parse(firstFailedAt) + days * dayMs).toISOString();
}

/**
 * Records the outcome of an off-session charge once: a success is the provider's payment (the same id Stripe's
 * webhook gives it, so whichever comes second adds nothing); a failure is listed with when the next attempt is due,
 * and the last one, where the organization says so, marks the open invoice uncollectible.
 */
export function recordChargeAttempt(
  invoice: IssuedInvoice,
  base: { invoice_id: string; occurred_at: string },
  data: RecordInvoiceChargeAttempt['data'],
): InvoiceStreamEvent[] {
  const { attempt, entry_id, amount_cents, provider, reference } = data;
  if (attempt <= (invoice.chargeAttempts?.count ?? 0) || hasEntry(invoice, entry_id)) return [];
  if (data.status === 'succeeded') {
    const payment = {
      ...base,
      payment_id: entry_id,
      amount_cents,
      method: 'card' as const,
      reference,
      paid_at: null,
      provider,
    };
    return recordProviderPayment(invoice, base, payment).map((event) =>
      event.type === 'InvoicePaymentRecorded' ? { ...event, data: { ...event.data, attempt_count: attempt } } : event,
    );
  }
  checkRoomForEntry(invoice);
  const firstFailedAt = invoice.chargeAttempts?.firstFailedAt ?? base.occurred_at;
  const open = invoice.status === 'open';
  const next = open ? nextChargeAttemptAt(firstFailedAt, attempt, data.retry_schedule) : null;
  const failed: InvoiceStreamEvent = {
    type: 'InvoicePaymentFailed',
    data: {
      ...base,
      attempt_id: entry_id,
      amount_cents,
      currency: invoice.currency,
      method: 'card',
      provider,
      reference,
      failure_reason: data.failure_reason ?? 'payment failed',
      attempt_count: attempt,
      next_payment_attempt: next,
    },
  };
  const giveUp = open && next === null && data.after_final_failure === 'mark_uncollectible';
  return giveUp ? [failed, { type: 'InvoiceMarkedUncollectible', data: base }] : [failed];
}

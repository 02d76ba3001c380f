import type { InvoiceStreamEvent } from '@afternoon/contracts/invoices';
import { deciderSpec } from '@afternoon/testkit/decider';
import { describe, expect, it } from 'vitest';
import { type InvoiceCommand, invoiceDecider } from './businessLogic';
import { nextChargeAttemptAt } from './chargeAttempts';
import { invoiceAfter, invoiceId, metadata, openInvoice } from './openInvoice.testing';

const schedule = { days_after_failure: [1, 3, 7] };
const firstFailure = '2026-02-01T10:00:00.000Z';
const open = openInvoice('eur');
const { given } = deciderSpec(invoiceDecider);

/** The outcome of the `attempt`th charge, recorded at `at` on the customer's clock. */
const attempt = (
  n: number,
  at: string,
  status: 'succeeded' | 'failed' = 'failed',
  after_final_failure: 'leave_open' | 'mark_uncollectible' = 'mark_uncollectible',
) =>
  ({
    type: 'RecordInvoiceChargeAttempt',
    data: {
      invoice_id: invoiceId,
      attempt: n,
      entry_id: `cattempt00000000000000000${n}`,
      status,
      amount_cents: 10_000,
      provider: 'stripe',
      reference: `pi_${n}`,
      failure_reason: status === 'failed' ? 'Your card was declined.' : null,
      retry_schedule: schedule,
      after_final_failure,
    },
    metadata: { ...metadata, issued_at: at },
  }) as InvoiceCommand;

const day = (days: number) => new Date(Date.parse(firstFailure) + days * 86_400_000).toISOString();

/** The history after failures at the days given (day 0 the first), each decided in turn. */
function failedAt(days: number[], afterFinal: 'leave_open' | 'mark_uncollectible' = 'mark_uncollectible') {
  const history = [...open];
  days.forEach((at, index) => {
    history.push(
      ...given(history)
        .when(attempt(index + 1, day(at), 'failed', afterFinal))
        .events(),
    );
  });
  return history;
}

describe('the retry schedule of off-session charges', () => {
  it('puts retry n at days_after_failure[n-1] days after the FIRST failure, and none after the last', () => {
    expect(nextChargeAttemptAt(firstFailure, 1, schedule)).toBe('2026-02-02T10:00:00.000Z');
    expect(nextChargeAttemptAt(firstFailure, 2, schedule)).toBe('2026-02-04T10:00:00.000Z');
    expect(nextChargeAttemptAt(firstFailure, 3, schedule)).toBe('2026-02-08T10:00:00.000Z');
    expect(nextChargeAttemptAt(firstFailure, 4, schedule)).toBeNull();
    expect(nextChargeAttemptAt(firstFailure, 1, { days_after_failure: [] })).toBeNull();
  });
});

describe('charge attempts on a charge_automatically invoice', () => {
  it('records a failed first charge with the reason and the next attempt a day later', () => {
    given(open)
      .when(attempt(1, firstFailure))
      .thenEmits([
        {
          type: 'InvoicePaymentFailed',
          data: {
            invoice_id: invoiceId,
            attempt_id: 'cattempt000000000000000001',
            amount_cents: 10_000,
            currency: 'eur',
            method: 'card',
            provider: 'stripe',
            reference: 'pi_1',
            failure_reason: 'Your card was declined.',
            attempt_count: 1,
            next_payment_attempt: day(1),
            occurred_at: firstFailure,
          },
        },
      ]);
  });

  it('counts retries from the first failure even when one ran late, and shows them on the invoice', () => {
    // The second attempt ran on day 2 (a day late): the third is still due on day 3, not day 5.
    const history = failedAt([0, 2]);
    expect(invoiceAfter(history)).toMatchObject({ status: 'open', attempt_count: 2, next_payment_attempt: day(3) });
  });

  it('marks the invoice uncollectible when the last retry fails and the organization says so', () => {
    const history = failedAt([0, 1, 3]);
    const last = given(history)
      .when(attempt(4, day(7)))
      .events();
    expect(last.map((event) => event.type)).toEqual(['InvoicePaymentFailed', 'InvoiceMarkedUncollectible']);
    expect(last[0]?.data).toMatchObject({ attempt_count: 4, next_payment_attempt: null });
    expect(invoiceAfter([...history, ...last])).toMatchObject({
      status: 'uncollectible',
      attempt_count: 4,
      next_payment_attempt: null,
    });
  });

  it('leaves the invoice open after the last failure with leave_open, with no attempt due', () => {
    const history = failedAt([0, 1, 3, 7], 'leave_open');
    expect(history.at(-1)?.type).toBe('InvoicePaymentFailed');
    expect(invoiceAfter(history)).toMatchObject({ status: 'open', attempt_count: 4, next_payment_attempt: null });
  });

  it('records a succeeded retry as the payment that pays the invoice', () => {
    const events = given(failedAt([0]))
      .when(attempt(2, day(1), 'succeeded'))
      .events();
    expect(events.map((event) => event.type)).toEqual(['InvoicePaymentRecorded', 'InvoicePaid']);
    expect(events[0]?.data).toMatchObject({ payment_id: 'cattempt000000000000000002', attempt_count: 2 });
    expect(invoiceAfter([...failedAt([0]), ...events])).toMatchObject({
      status: 'paid',
      attempt_count: 2,
      next_payment_attempt: null,
    });
  });

  it('records an attempt once, however often its outcome is sent again', () => {
    const history = failedAt([0]);
    given(history)
      .when(attempt(1, day(0)))
      .thenEmits([]);
    const paid = [
      ...history,
      ...given(history)
        .when(attempt(2, day(1), 'succeeded'))
        .events(),
    ];
    given(paid)
      .when(attempt(2, day(1), 'succeeded'))
      .thenEmits([]);
  });

  it('schedules nothing more once the invoice is void, and records a failure there without marking it', () => {
    const voided = [...failedAt([0]), { type: 'InvoiceVoided', data: { invoice_id: invoiceId, occurred_at: day(0) } }];
    const events = given(voided as InvoiceStreamEvent[])
      .when(attempt(2, day(1)))
      .events();
    expect(events.map((event) => event.type)).toEqual(['InvoicePaymentFailed']);
    expect(events[0]?.data).toMatchObject({ next_payment_attempt: null });
  });
});

import { IllegalStateError, NotFoundError } from '@afternoon/service-kit';
import { deciderSpec } from '@afternoon/testkit/decider';
import { describe, expect, it } from 'vitest';
import { type InvoiceCommand, invoiceDecider } from './businessLogic';
import { invoiceAfter, invoiceId, issuedAt, metadata, openInvoice } from './openInvoice.testing';
import { maxFailedAttemptsKept } from './providerPayments';

const stripePayment = 'pstripe0000000000000000001';

const open = openInvoice('usd');

const stripePay = (amount_cents: number, payment_id = stripePayment) =>
  ({
    type: 'RecordInvoicePayment',
    data: {
      invoice_id: invoiceId,
      payment_id,
      amount_cents,
      method: 'card',
      reference: 'pi_123',
      paid_at: '2026-01-30T00:00:00.000Z',
      provider: 'stripe',
    },
    metadata,
  }) as InvoiceCommand;
const failure = (attempt_id: string) =>
  ({
    type: 'RecordInvoicePaymentFailure',
    data: {
      invoice_id: invoiceId,
      attempt_id,
      amount_cents: 10_000,
      method: 'card',
      provider: 'stripe',
      reference: 'pi_123',
      failure_reason: 'Your card was declined.',
    },
    metadata,
  }) as InvoiceCommand;
const refundToTotal = (refunded_total_cents: number, refund_id: string) =>
  ({
    type: 'RefundInvoicePayment',
    data: { invoice_id: invoiceId, payment_id: stripePayment, refund_id, amount_cents: null, refunded_total_cents },
    metadata,
  }) as InvoiceCommand;

const { given } = deciderSpec(invoiceDecider);

describe("a provider's payments, failed attempts and refunds", () => {
  it('records a card payment with its provider; the one that leaves nothing due pays the invoice', () => {
    const events = given(open).when(stripePay(10_000)).events();
    expect(events.map((event) => event.type)).toEqual(['InvoicePaymentRecorded', 'InvoicePaid']);
    expect(events[0]?.data).toMatchObject({ method: 'card', provider: 'stripe', amount_due_cents: 0 });
    expect(events[0]?.data).not.toHaveProperty('unapplied_cents');
  });

  it('records a payment above what is due in full and notes the excess as unapplied, on an open or a paid invoice', () => {
    const overpaid = given(open).when(stripePay(12_000)).events();
    // 12,000 received − 10,000 due = 2,000 unapplied; the invoice is paid with 12,000 counted.
    expect(overpaid[0]?.data).toMatchObject({ amount_paid_cents: 12_000, amount_due_cents: 0, unapplied_cents: 2000 });
    expect(invoiceAfter([...open, ...overpaid])).toMatchObject({ status: 'paid', amount_due_cents: 0 });
    // A second payment on the paid invoice is all unapplied, and pays nothing again.
    const again = given([...open, ...overpaid])
      .when(stripePay(500, 'pstripe0000000000000000002'))
      .events();
    expect(again.map((event) => event.type)).toEqual(['InvoicePaymentRecorded']);
    expect(again[0]?.data).toMatchObject({ amount_cents: 500, unapplied_cents: 500, amount_paid_cents: 12_500 });
  });

  it('records the same provider payment once', () => {
    const events = given(open).when(stripePay(4000)).events();
    given([...open, ...events])
      .when(stripePay(4000))
      .thenEmits([]);
  });

  it('refuses a payment for an invoice still a draft or unknown, so the provider delivers it again later', () => {
    given(open.slice(0, 1)).when(stripePay(4000)).thenThrows(IllegalStateError);
    given([]).when(stripePay(4000)).thenThrows(NotFoundError);
  });

  it('lists a failed attempt once, changing no amount; past the most kept, more are left out', () => {
    const events = given(open).when(failure('afailure000000000000000001')).events();
    expect(events).toEqual([
      {
        type: 'InvoicePaymentFailed',
        data: {
          invoice_id: invoiceId,
          attempt_id: 'afailure000000000000000001',
          amount_cents: 10_000,
          currency: 'usd',
          method: 'card',
          provider: 'stripe',
          reference: 'pi_123',
          failure_reason: 'Your card was declined.',
          occurred_at: issuedAt,
        },
      },
    ]);
    const history = [...open, ...events];
    given(history).when(failure('afailure000000000000000001')).thenEmits([]);
    expect(invoiceAfter(history)).toMatchObject({ status: 'open', amount_paid_cents: 0, amount_due_cents: 10_000 });
    const attempts = Array.from(
      { length: maxFailedAttemptsKept },
      (_, index) => `afailure${String(index).padStart(17, '0')}`,
    );
    const full = [...open];
    for (const id of attempts) full.push(...given(full).when(failure(id)).events());
    given(full).when(failure('afailure999999999999999999')).thenEmits([]);
  });

  it('does not refund a failed attempt', () => {
    const history = [...open, ...given(open).when(failure(stripePayment)).events()];
    given(history).when(refundToTotal(100, 'rrefund0000000000000000001')).thenThrows(NotFoundError);
  });

  it("refunds what a provider's running total adds, and nothing for a total already reached", () => {
    const paid = [...open, ...given(open).when(stripePay(10_000)).events()];
    const first = given(paid).when(refundToTotal(3000, 'rrefund0000000000000000001')).events();
    expect(first[0]?.data).toMatchObject({ amount_cents: 3000, amount_refunded_cents: 3000 });
    const second = given([...paid, ...first])
      .when(refundToTotal(10_000, 'rrefund0000000000000000002'))
      .events();
    // 10,000 − 3,000 already refunded = 7,000.
    expect(second[0]?.data).toMatchObject({ amount_cents: 7000, amount_refunded_cents: 10_000, amount_paid_cents: 0 });
    given([...paid, ...first, ...second])
      .when(refundToTotal(3000, 'rrefund0000000000000000003'))
      .thenEmits([]);
  });

  it("lists money in another currency than the invoice's as a failed attempt, moving no amount, once", () => {
    const inYen = { ...stripePay(10_000), data: { ...stripePay(10_000).data, currency: 'jpy' } } as InvoiceCommand;
    const events = given(open).when(inYen).events();
    expect(events).toEqual([
      {
        type: 'InvoicePaymentFailed',
        data: expect.objectContaining({
          attempt_id: stripePayment,
          amount_cents: 10_000,
          currency: 'jpy',
          failure_reason: expect.stringMatching(/^currency_mismatch: .*JPY.*USD/),
        }),
      },
    ]);
    const history = [...open, ...events];
    expect(invoiceAfter(history)).toMatchObject({ status: 'open', amount_paid_cents: 0, amount_due_cents: 10_000 });
    // Redelivered, or its refund: nothing more (it took nothing of the invoice's).
    given(history).when(inYen).thenEmits([]);
    given(history).when(refundToTotal(10_000, 'rrefund0000000000000000001')).thenEmits([]);
    // The same currency, named: applied as usual.
    const inDollars = { ...inYen, data: { ...inYen.data, currency: 'usd' } } as InvoiceCommand;
    expect(
      given(open)
        .when(inDollars)
        .events()
        .map((event) => event.type),
    ).toEqual(['InvoicePaymentRecorded', 'InvoicePaid']);
  });
});

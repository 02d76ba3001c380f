import type { InvoiceStreamEvent } from '@afternoon/contracts/invoices';
import { foldEvents, IllegalStateError, NotFoundError, ValidationError } from '@afternoon/service-kit';
import { deciderSpec } from '@afternoon/testkit/decider';
import { describe, expect, it } from 'vitest';
import { type InvoiceCommand, invoiceDecider } from './businessLogic';
import { at, invoiceAfter, invoiceId, issuedAt, metadata, openInvoice } from './openInvoice.testing';

const firstPayment = 'cpayment000000000000000001';
const secondPayment = 'cpayment000000000000000002';
const refundId = 'crefund0000000000000000001';

const recorded = (payment_id: string, amount_cents: number, amount_paid_cents: number) =>
  ({
    type: 'InvoicePaymentRecorded',
    data: at({
      payment_id,
      amount_cents,
      currency: 'eur',
      method: 'bank_transfer',
      reference: 'SEPA-1',
      paid_at: '2026-01-09T00:00:00.000Z',
      amount_paid_cents,
      amount_due_cents: 10_000 - amount_paid_cents,
    }),
  }) as InvoiceStreamEvent;
const paidEvent = { type: 'InvoicePaid', data: at({ amount_paid_cents: 10_000 }) } as InvoiceStreamEvent;
const open = openInvoice('eur');
const partlyPaid = [...open, recorded(firstPayment, 4000, 4000)];
const fullyPaid = [...partlyPaid, recorded(secondPayment, 6000, 10_000), paidEvent];

const pay = (
  amount_cents: number,
  extra: Partial<Extract<InvoiceCommand, { type: 'RecordInvoicePayment' }>['data']> = {},
) =>
  ({
    type: 'RecordInvoicePayment',
    data: {
      invoice_id: invoiceId,
      payment_id: secondPayment,
      amount_cents,
      method: 'cash',
      reference: null,
      paid_at: null,
      ...extra,
    },
    metadata,
  }) as InvoiceCommand;
const refund = (amount_cents: number | null, payment_id = firstPayment) =>
  ({
    type: 'RefundInvoicePayment',
    data: { invoice_id: invoiceId, payment_id, refund_id: refundId, amount_cents },
    metadata,
  }) as InvoiceCommand;

const { given } = deciderSpec(invoiceDecider);

describe('payments on an invoice', () => {
  it('records a partial payment: the amount due goes down, the invoice stays open', () => {
    given(partlyPaid)
      .when(pay(2500))
      .thenEmits([
        {
          type: 'InvoicePaymentRecorded',
          data: {
            invoice_id: invoiceId,
            payment_id: secondPayment,
            amount_cents: 2500,
            currency: 'eur',
            method: 'cash',
            reference: null,
            paid_at: issuedAt,
            // 4,000 + 2,500 paid of 10,000; 3,500 still due.
            amount_paid_cents: 6500,
            amount_due_cents: 3500,
            occurred_at: issuedAt,
          },
        },
      ]);
    const invoice = invoiceAfter(partlyPaid);
    expect(invoice).toMatchObject({ status: 'open', amount_paid_cents: 4000, amount_due_cents: 6000 });
  });

  it('pays the invoice with the payment that leaves nothing due', () => {
    const events = given(partlyPaid)
      .when(pay(6000, { paid_at: '2026-01-30T00:00:00.000Z' }))
      .events();
    expect(events.map((event) => event.type)).toEqual(['InvoicePaymentRecorded', 'InvoicePaid']);
    expect(events[1]?.data).toEqual({ invoice_id: invoiceId, amount_paid_cents: 10_000, occurred_at: issuedAt });
    expect(invoiceAfter([...partlyPaid, ...events])).toMatchObject({
      status: 'paid',
      amount_paid_cents: 10_000,
      amount_due_cents: 0,
      amount_refunded_cents: 0,
    });
  });

  it('takes payments on an uncollectible invoice, which is paid once nothing is due', () => {
    const uncollectible = { type: 'InvoiceMarkedUncollectible', data: at({}) } as InvoiceStreamEvent;
    const events = given([...open, uncollectible])
      .when(pay(10_000))
      .events();
    expect(events.map((event) => event.type)).toEqual(['InvoicePaymentRecorded', 'InvoicePaid']);
  });

  it('refuses an overpayment, naming amount_cents', () => {
    given(partlyPaid).when(pay(6001)).thenThrows(ValidationError, 'more than the 6000 due');
    given(partlyPaid)
      .when(pay(6001))
      .thenThrows(expect.objectContaining({ param: 'amount_cents' }));
  });

  it('refuses a payment dated after now, naming paid_at', () => {
    given(open)
      .when(pay(100, { paid_at: '2026-01-31T10:00:00.001Z' }))
      .thenThrows(ValidationError, expect.objectContaining({ param: 'paid_at' }));
  });

  it('refuses payments on a draft, a paid or a void invoice, and on none', () => {
    given(open.slice(0, 1)).when(pay(100)).thenThrows(IllegalStateError, "its status is 'draft'");
    given(fullyPaid).when(pay(100)).thenThrows(IllegalStateError, "its status is 'paid'");
    const voided = { type: 'InvoiceVoided', data: at({}) } as InvoiceStreamEvent;
    given([...open, voided])
      .when(pay(100))
      .thenThrows(IllegalStateError, "its status is 'void'");
    given([]).when(pay(100)).thenThrows(NotFoundError);
  });

  it('records a retried payment once: its id already recorded, nothing is emitted', () => {
    given(partlyPaid)
      .when(pay(1000, { payment_id: firstPayment }))
      .thenEmits([]);
  });

  it('marking paid records what is still due as a payment of method other', () => {
    const events = given(partlyPaid)
      .when({ type: 'PayInvoice', data: { invoice_id: invoiceId, payment_id: secondPayment }, metadata })
      .events();
    expect(events).toMatchObject([
      { type: 'InvoicePaymentRecorded', data: { amount_cents: 6000, method: 'other', amount_due_cents: 0 } },
      { type: 'InvoicePaid', data: { amount_paid_cents: 10_000 } },
    ]);
  });
});

describe('refunds of a payment', () => {
  it('refunds what is left of the payment by default; a paid invoice stays paid', () => {
    const events = given(fullyPaid).when(refund(null)).events();
    expect(events).toEqual([
      {
        type: 'InvoicePaymentRefunded',
        data: {
          invoice_id: invoiceId,
          refund_id: refundId,
          payment_id: firstPayment,
          amount_cents: 4000,
          currency: 'eur',
          // 10,000 paid less the 4,000 refunded.
          amount_paid_cents: 6000,
          amount_refunded_cents: 4000,
          amount_due_cents: 0,
          occurred_at: issuedAt,
        },
      },
    ]);
    expect(invoiceAfter([...fullyPaid, ...events])).toMatchObject({
      status: 'paid',
      amount_paid_cents: 6000,
      amount_refunded_cents: 4000,
      amount_due_cents: 0,
    });
    const state = foldEvents(invoiceDecider, [...fullyPaid, ...events]);
    expect(state.status === 'paid' && state.payments?.map((entry) => [entry.kind, entry.amount_cents])).toEqual([
      ['payment', 4000],
      ['payment', 6000],
      ['refund', -4000],
    ]);
    expect(state.status === 'paid' && state.payments?.[0]?.refunded_cents).toBe(4000);
    expect(state.status === 'paid' && state.payments?.[2]?.refund_of).toBe(firstPayment);
  });

  it('on an open invoice, a refund makes the refunded amount due again', () => {
    const events = given(partlyPaid).when(refund(1500)).events();
    expect(events[0]?.data).toMatchObject({
      amount_paid_cents: 2500,
      amount_refunded_cents: 1500,
      amount_due_cents: 7500,
    });
    expect(invoiceAfter([...partlyPaid, ...events])).toMatchObject({ status: 'open', amount_due_cents: 7500 });
  });

  it('never refunds more than what is left of the payment', () => {
    given(partlyPaid)
      .when(refund(4001))
      .thenThrows(ValidationError, 'more than the 4000 left', expect.objectContaining({ param: 'amount_cents' }));
    const refunded = given(partlyPaid).when(refund(3000)).events();
    given([...partlyPaid, ...refunded])
      .when({
        ...refund(1001),
        data: { ...refund(1001).data, refund_id: 'crefund0000000000000000002' },
      } as InvoiceCommand)
      .thenThrows(ValidationError, 'more than the 1000 left');
    const rest = given([...partlyPaid, ...refunded])
      .when({
        ...refund(null),
        data: { ...refund(null).data, refund_id: 'crefund0000000000000000002' },
      } as InvoiceCommand)
      .events();
    expect(rest[0]?.data).toMatchObject({ amount_cents: 1000, amount_paid_cents: 0, amount_refunded_cents: 4000 });
    given([...partlyPaid, ...refunded, ...rest])
      .when({
        ...refund(null),
        data: { ...refund(null).data, refund_id: 'crefund0000000000000000003' },
      } as InvoiceCommand)
      .thenThrows(IllegalStateError, 'already fully refunded');
  });

  it('refuses a refund of a payment the invoice does not have, naming payment_id', () => {
    given(partlyPaid)
      .when(refund(null, secondPayment))
      .thenThrows(NotFoundError, expect.objectContaining({ param: 'payment_id' }));
  });

  it('records a retried refund once', () => {
    const refunded = given(partlyPaid).when(refund(1000)).events();
    given([...partlyPaid, ...refunded])
      .when(refund(1000))
      .thenEmits([]);
  });
});

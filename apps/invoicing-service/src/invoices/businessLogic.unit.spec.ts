import type { InvoiceEvent, InvoiceStreamEvent, LineItem, SubscriptionLineItem } from '@afternoon/contracts/invoices';
import { ConflictError, foldEvents, IllegalStateError, NotFoundError, ValidationError } from '@afternoon/service-kit';
import { deciderSpec } from '@afternoon/testkit/decider';
import { describe, expect, it } from 'vitest';
import { type InvoiceCommand, invoiceDecider } from './businessLogic';

const invoiceId = 'cinvoice000000000000000001';
const customerId = 'ccustomer00000000000000001';
const lineId = 'cline0000000000000000000001';
const issuedAt = '2026-01-31T10:00:00.000Z';
const paymentId = 'cpayment000000000000000001';
const metadata = {
  command_id: 'cmd_1',
  correlation_id: 'req_1',
  request_id: 'req_1',
  organization_id: 'org_1',
  mode: 'live' as const,
  issued_at: issuedAt,
};
const customer = { name: 'Acme Corp', email: 'billing@acme.com', billing_address: null };
const terms = {
  collection_method: 'send_invoice' as const,
  days_until_due: 30,
  due_date: null,
  memo: null,
  metadata: {},
};
const line = { id: lineId, description: 'API calls', quantity: '1', unit_amount_cents: 5000 };
const at = (data: object) => ({ invoice_id: invoiceId, occurred_at: '2026-01-01T00:00:00.000Z', ...data });

const created: InvoiceEvent = {
  type: 'InvoiceCreated',
  data: at({ customer_id: customerId, customer, terms, currency: 'usd', line_items: [line] }),
} as InvoiceEvent;
const finalized = {
  type: 'InvoiceFinalized',
  data: at({ invoice_number: 'INV-0001', due_date: '2026-01-31', public_invoice_url: 'http://x/inv/t', customer }),
} as InvoiceEvent;
const paid = { type: 'InvoicePaid', data: at({ amount_paid_cents: 5000 }) } as InvoiceEvent;
const voided = { type: 'InvoiceVoided', data: at({}) } as InvoiceEvent;
const uncollectible = { type: 'InvoiceMarkedUncollectible', data: at({}) } as InvoiceEvent;
const deleted = { type: 'InvoiceDeleted', data: at({}) } as InvoiceEvent;

const histories = {
  absent: [],
  draft: [created],
  open: [created, finalized],
  uncollectible: [created, finalized, uncollectible],
  paid: [created, finalized, paid],
  void: [created, finalized, voided],
  deleted: [created, deleted],
} satisfies Record<string, InvoiceEvent[]>;

/** What `decide` receives of each command type, less the invoice id every one carries. */
type DataOf<T extends InvoiceCommand['type']> = Omit<Extract<InvoiceCommand, { type: T }>['data'], 'invoice_id'>;
const command = <T extends InvoiceCommand['type']>(
  type: T,
  ...[data]: Partial<DataOf<T>> extends DataOf<T> ? [DataOf<T>?] : [DataOf<T>]
) => ({ type, data: { invoice_id: invoiceId, ...data }, metadata }) as InvoiceCommand;

const { given } = deciderSpec(invoiceDecider);

describe('invoice decider', () => {
  it('creates a draft for a known customer', () => {
    const events = given([])
      .when(command('CreateInvoice', { customer_id: customerId, customer, terms, currency: 'usd', line_items: [line] }))
      .events();
    expect(events).toEqual([
      {
        type: 'InvoiceCreated',
        data: {
          invoice_id: invoiceId,
          customer_id: customerId,
          customer,
          terms,
          currency: 'usd',
          line_items: [line],
          occurred_at: issuedAt,
        },
      },
    ]);
  });

  // A create for a customer invoicing does not know is refused before `decide` (invoicingService.int.spec.ts).
  it('refuses a second create', () => {
    const create = command('CreateInvoice', {
      customer_id: customerId,
      customer,
      terms,
      currency: 'usd',
      line_items: [],
    });
    given([created]).when(create).thenThrows(ConflictError);
  });

  it('finalizes a draft: number, url, customer snapshot, due date = finalize date + days_until_due', () => {
    const renamed = { ...customer, name: 'Acme Renamed' };
    const events = given([created])
      .when(
        command('FinalizeInvoice', {
          invoice_number: 'INV-0007',
          public_invoice_url: 'http://x/inv/t',
          customer: renamed,
        }),
      )
      .events();
    expect(events).toEqual([
      {
        type: 'InvoiceFinalized',
        data: {
          invoice_id: invoiceId,
          invoice_number: 'INV-0007',
          public_invoice_url: 'http://x/inv/t',
          due_date: '2026-03-02', // 31 Jan + 30 days
          customer: renamed,
          occurred_at: issuedAt,
        },
      },
    ]);
  });

  it('pays what is due in full, recording it as a payment of method other', () => {
    given(histories.open)
      .when(command('PayInvoice', { payment_id: paymentId }))
      .thenEmits([
        {
          type: 'InvoicePaymentRecorded',
          data: {
            invoice_id: invoiceId,
            payment_id: paymentId,
            amount_cents: 5000,
            currency: 'usd',
            method: 'other',
            reference: null,
            paid_at: issuedAt,
            amount_paid_cents: 5000,
            amount_due_cents: 0,
            occurred_at: issuedAt,
          },
        },
        { type: 'InvoicePaid', data: { invoice_id: invoiceId, amount_paid_cents: 5000, occurred_at: issuedAt } },
      ]);
  });

  const actions = {
    finalize: command('FinalizeInvoice', {
      invoice_number: 'INV-0002',
      public_invoice_url: 'http://x/inv/u',
      customer: null,
    }),
    pay: command('PayInvoice'),
    record_payment: command('RecordInvoicePayment', {
      payment_id: paymentId,
      amount_cents: 1000,
      method: 'check',
      reference: null,
      paid_at: null,
    }),
    void: command('VoidInvoice'),
    mark_uncollectible: command('MarkInvoiceUncollectible'),
    add_line: command('AddInvoiceLineItem', { line_item: { ...line, id: 'cline0000000000000000000002' } }),
    update_line: command('UpdateInvoiceLineItem', { line_item_id: lineId, changes: { quantity: '2' } }),
    delete_line: command('DeleteInvoiceLineItem', { line_item_id: lineId }),
    update: command('UpdateInvoice', { changes: { memo: 'hi' } }),
    delete: command('DeleteInvoice'),
  };
  const allowed: Record<keyof typeof actions, { from: string[]; emits: InvoiceStreamEvent['type'] | string }> = {
    finalize: { from: ['draft'], emits: 'InvoiceFinalized' },
    pay: { from: ['open', 'uncollectible'], emits: 'InvoicePaymentRecorded,InvoicePaid' },
    record_payment: { from: ['open', 'uncollectible'], emits: 'InvoicePaymentRecorded' },
    void: { from: ['open', 'uncollectible'], emits: 'InvoiceVoided' },
    mark_uncollectible: { from: ['open'], emits: 'InvoiceMarkedUncollectible' },
    add_line: { from: ['draft'], emits: 'InvoiceLineItemAdded' },
    update_line: { from: ['draft'], emits: 'InvoiceLineItemUpdated' },
    delete_line: { from: ['draft'], emits: 'InvoiceLineItemDeleted' },
    update: { from: ['draft'], emits: 'InvoiceUpdated' },
    delete: { from: ['draft'], emits: 'InvoiceDeleted' },
  };
  const statuses = ['draft', 'open', 'uncollectible', 'paid', 'void'] as const;

  for (const [action, rule] of Object.entries(allowed) as [keyof typeof actions, (typeof allowed)['pay']][]) {
    for (const status of statuses) {
      if (rule.from.includes(status)) {
        it(`given ${status}, ${action} → ${rule.emits}`, () => {
          expect(
            given(histories[status])
              .when(actions[action])
              .events()
              .map((event) => event.type),
          ).toEqual(rule.emits.split(','));
        });
      } else {
        it(`given ${status}, ${action} → INVALID_STATE naming '${status}'`, () => {
          given(histories[status]).when(actions[action]).thenThrows(IllegalStateError, `its status is '${status}'`);
        });
      }
    }
    it(`given no invoice (absent or deleted), ${action} → NOT_FOUND`, () => {
      given(histories.absent).when(actions[action]).thenThrows(NotFoundError);
      given(histories.deleted).when(actions[action]).thenThrows(NotFoundError);
    });
  }

  it('refuses an unknown line item, and terms that break the collection method rule', () => {
    given([created])
      .when(command('DeleteInvoiceLineItem', { line_item_id: 'nope' }))
      .thenThrows(NotFoundError);
    given([created])
      .when(command('UpdateInvoice', { changes: { collection_method: 'charge_automatically' } }))
      .thenThrows(ValidationError);
    given([created])
      .when(command('UpdateInvoice', { changes: { days_until_due: null } }))
      .thenThrows(ValidationError);
  });

  describe("a subscription's invoice", () => {
    const billing = {
      subscription_id: 'csubscription000000000001',
      boundary: '2026-02-01T00:00:00.000Z',
      billing_reason: 'subscription_cycle' as const,
      usage_received_through: '2026-02-01T01:00:00.000Z',
    };
    const fee = {
      id: lineId,
      kind: 'fee' as const,
      description: 'Seats',
      quantity: '1',
      amount_cents: 4900,
      price_id: 'cprice00000000000000000001',
      period_start: '2026-02-01T00:00:00.000Z',
      period_end: '2026-03-01T00:00:00.000Z',
      usage: null,
    };
    const bill = (data: object = {}) =>
      command('BillSubscriptionPeriod', {
        customer_id: customerId,
        billing,
        terms,
        currency: 'usd',
        line_items: [fee],
        public_invoice_url: 'http://x/inv/t',
        customer,
        invoice_number: 'INV-0007',
        ...data,
      });

    it('is created and finalized at once, its lines kept as billed', () => {
      const events = given(histories.absent).when(bill()).events();
      expect(events.map((event) => event.type)).toEqual(['InvoiceCreated', 'InvoiceFinalized']);
      const state = foldEvents(invoiceDecider, events);
      expect(state).toMatchObject({
        status: 'open',
        invoiceNumber: 'INV-0007',
        billing,
        subscriptionLineItems: [fee],
        lineItems: [],
      });
      // send_invoice, 30 days from the issue date
      expect(events[1]?.data).toMatchObject({ due_date: '2026-03-02' });
    });

    it('is refused once its invoice exists, whatever its state: a boundary is billed once', () => {
      for (const history of Object.values(histories).filter((events) => events.length > 0))
        given(history).when(bill()).thenThrows(ConflictError);
    });
  });

  describe('money bounds: a line amounts to at most 10^15 minor units, an invoice totals at most 10^15', () => {
    const create = (line_items: LineItem[]) =>
      command('CreateInvoice', { customer_id: customerId, customer, terms, currency: 'usd', line_items });
    const refusal = (param: string) => expect.objectContaining({ code: 'VALIDATION_ERROR', param });

    it('refuses a line past the bound, naming its field', () => {
      // 999,999,999 × 10^12 = 9.99999999 × 10^20 > 10^15
      const huge = { ...line, quantity: '999999999', unit_amount_cents: 1e12 };
      given([])
        .when(create([line, huge]))
        .thenThrows(refusal('line_items[1].unit_amount_cents'));
      given([created])
        .when(command('AddInvoiceLineItem', { line_item: huge }))
        .thenThrows(refusal('unit_amount_cents'));
      expect(
        given([created]).when(
          command('UpdateInvoiceLineItem', { line_item_id: lineId, changes: { quantity: '999999999' } }),
        ).events,
      ).not.toThrow(); // 999,999,999 × 5000 = 4,999,999,995,000 ≤ 10^15
    });

    it('refuses lines that each fit but together cross the total, and takes the total at the bound exactly', () => {
      const half = { ...line, quantity: '500', unit_amount_cents: 1e12 }; // 500 × 10^12 = 5 × 10^14
      // 5000 + 5 × 10^14 + 5 × 10^14 = 10^15 + 5000 > 10^15
      const full = [created, { type: 'InvoiceLineItemAdded', data: at({ line_item: { ...half, id: 'c2' } }) }];
      given(full as InvoiceEvent[])
        .when(command('AddInvoiceLineItem', { line_item: half }))
        .thenThrows(refusal('unit_amount_cents'));
      expect(given([]).when(create([half, half])).events).not.toThrow(); // 2 × 5 × 10^14 = 10^15 exactly
      given([])
        .when(create([half, half, { ...line, unit_amount_cents: 1 }]))
        .thenThrows(refusal('line_items'));
    });

    it('refuses a subscription invoice whose line or total crosses a bound', () => {
      const fee = (amount_cents: number): SubscriptionLineItem => ({
        id: lineId,
        kind: 'fee',
        description: 'Seats',
        quantity: '1',
        amount_cents,
        price_id: null,
        period_start: '2026-02-01T00:00:00.000Z',
        period_end: '2026-03-01T00:00:00.000Z',
        usage: null,
      });
      const bill = (line_items: SubscriptionLineItem[]) =>
        command('BillSubscriptionPeriod', {
          customer_id: customerId,
          billing: {
            subscription_id: 'csub0000000000000000000001',
            boundary: '2026-02-01T00:00:00.000Z',
            billing_reason: 'subscription_cycle',
            usage_received_through: null,
          },
          terms,
          currency: 'usd',
          line_items,
          public_invoice_url: 'http://x/inv/t',
          customer,
          invoice_number: 'INV-0007',
        });
      given([])
        .when(bill([fee(1e15 + 1)]))
        .thenThrows(refusal('line_items[0].amount_cents'));
      // 2 × 9 × 10^14 = 1.8 × 10^15 in all, past 10^15 although each line is within it
      given([])
        .when(bill([fee(9e14), fee(9e14)]))
        .thenThrows(refusal('line_items'));
      expect(given([]).when(bill([fee(1e15), fee(-1e15)])).events).not.toThrow(); // 10^15 − 10^15 = 0
    });
  });
});

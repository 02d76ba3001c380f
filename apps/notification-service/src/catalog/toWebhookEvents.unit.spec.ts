import type { WebhookEvent } from '@afternoon/contracts/webhooks';
import { newResourceId } from '@afternoon/service-kit';
import { describe, expect, it } from 'vitest';
import { inMemoryCatalog as catalog } from './test/inMemoryCatalog';
import { customerDetails, invoiceTerms, manualLine, sourceStream } from './test/sourceRecords';

const tenant = { organizationId: 'org_catalog', mode: 'live' as const };

const only = (events: WebhookEvent[]) => {
  expect(events).toHaveLength(1);
  return events[0]!;
};

describe('customer events', () => {
  it('become customer.created, customer.updated with the whole customer, and customer.deleted', () => {
    const translate = catalog();
    const id = newResourceId();
    const customer = sourceStream(tenant, id);
    const created = only(
      translate(
        customer('CustomerCreated', {
          customer_id: id,
          details: customerDetails('Acme'),
          test_clock: null,
          created_at: '2026-03-01T10:00:00.000Z',
        }),
      ),
    );
    expect(created).toMatchObject({ type: 'customer.created', version: 1, mode: 'live', data: { id, name: 'Acme' } });
    const updated = only(
      translate(
        customer(
          'CustomerUpdated',
          { customer_id: id, changes: { name: 'Acme Inc', phone: '+1 555' }, updated_at: '2026-03-02T10:00:00.000Z' },
          '2026-03-02T10:00:00.000Z',
        ),
      ),
    );
    expect(updated).toMatchObject({
      type: 'customer.updated',
      timestamp: '2026-03-02T10:00:00.000Z',
      data: { id, name: 'Acme Inc', phone: '+1 555', email: 'acme@example.com', changed_fields: ['name', 'phone'] },
    });
    const deleted = only(
      translate(customer('CustomerDeleted', { customer_id: id, deleted_at: '2026-03-03T10:00:00.000Z' })),
    );
    expect(deleted).toMatchObject({
      type: 'customer.deleted',
      data: { id, name: 'Acme Inc', deleted: true, deleted_at: '2026-03-03T10:00:00.000Z' },
    });
  });
});

describe('invoice events', () => {
  const customerId = newResourceId();
  const created = (id: string, lines: unknown[], billing?: object, subscriptionLines?: unknown[]) => ({
    invoice_id: id,
    customer_id: customerId,
    customer: { name: 'Acme', email: 'billing@acme.test', billing_address: null },
    terms: invoiceTerms,
    currency: 'eur',
    line_items: lines,
    ...(billing ? { billing, subscription_line_items: subscriptionLines } : {}),
    occurred_at: '2026-03-01T10:00:00.000Z',
  });
  const finalized = (id: string, number: string) => ({
    invoice_id: id,
    invoice_number: number,
    due_date: '2026-03-15',
    public_invoice_url: `https://pay.example.com/inv/${id}`,
    customer: { name: 'Acme', email: 'billing@acme.test', billing_address: null },
    occurred_at: '2026-03-01T11:00:00.000Z',
  });

  it('carry the customer, the currency and totals folded from the lines, and the public URL once finalized', () => {
    const translate = catalog();
    const id = newResourceId();
    const invoice = sourceStream(tenant, id);
    const draft = only(translate(invoice('InvoiceCreated', created(id, [manualLine('3', 1_250)]))));
    // 3 × 1250 = 3750
    expect(draft).toMatchObject({ type: 'invoice.created', data: { id, status: 'draft', total_cents: 3_750 } });
    const added = manualLine('1.5', 333);
    expect(
      translate(
        invoice('InvoiceLineItemAdded', { invoice_id: id, line_item: added, occurred_at: '2026-03-01T10:01:00.000Z' }),
      ),
    ).toEqual([]);
    const open = only(translate(invoice('InvoiceFinalized', finalized(id, 'INV-0007'))));
    // 3750 + 1.5 × 333 = 3750 + 499.5, rounded half up to 500 = 4250
    expect(open).toMatchObject({
      type: 'invoice.finalized',
      data: {
        id,
        customer_id: customerId,
        customer_email: 'billing@acme.test',
        currency: 'eur',
        status: 'open',
        invoice_number: 'INV-0007',
        due_date: '2026-03-15',
        public_invoice_url: `https://pay.example.com/inv/${id}`,
        subtotal_cents: 4_250,
        total_cents: 4_250,
        amount_due_cents: 4_250,
        amount_paid_cents: 0,
      },
    });
    const paid = only(
      translate(
        invoice('InvoicePaid', { invoice_id: id, amount_paid_cents: 4_250, occurred_at: '2026-03-02T00:00:00.000Z' }),
      ),
    );
    expect(paid).toMatchObject({
      type: 'invoice.paid',
      data: {
        status: 'paid',
        amount_paid_cents: 4_250,
        amount_due_cents: 0,
        status_transitions: { paid_at: '2026-03-02T00:00:00.000Z' },
      },
    });
  });

  it('follow payments: each one and each refund says what is paid and due after it, the last one makes it paid', () => {
    const translate = catalog();
    const id = newResourceId();
    const invoice = sourceStream(tenant, id);
    translate(invoice('InvoiceCreated', created(id, [manualLine('1', 10_000)])));
    translate(invoice('InvoiceFinalized', finalized(id, 'INV-0008')));
    const [paymentId, secondId, refundId] = [newResourceId(), newResourceId(), newResourceId()];
    const payment = (payment_id: string, amount_cents: number, paid: number, at: string) =>
      invoice('InvoicePaymentRecorded', {
        invoice_id: id,
        payment_id,
        amount_cents,
        currency: 'eur',
        method: 'bank_transfer',
        reference: 'SEPA-1',
        paid_at: at,
        amount_paid_cents: paid,
        amount_due_cents: 10_000 - paid,
        occurred_at: at,
      });
    const first = only(translate(payment(paymentId, 4_000, 4_000, '2026-03-02T00:00:00.000Z')));
    // 10000 − 4000 = 6000 still due; the invoice stays open.
    expect(first).toMatchObject({
      type: 'invoice.payment_succeeded',
      data: {
        id,
        status: 'open',
        amount_paid_cents: 4_000,
        amount_due_cents: 6_000,
        payment: { id: paymentId, amount_cents: 4_000, method: 'bank_transfer', reference: 'SEPA-1' },
      },
    });
    expect(only(translate(payment(secondId, 6_000, 10_000, '2026-03-03T00:00:00.000Z')))).toMatchObject({
      type: 'invoice.payment_succeeded',
      data: { amount_paid_cents: 10_000, amount_due_cents: 0 },
    });
    const paidAt = '2026-03-03T00:00:00.000Z';
    expect(
      only(translate(invoice('InvoicePaid', { invoice_id: id, amount_paid_cents: 10_000, occurred_at: paidAt }))),
    ).toMatchObject({ type: 'invoice.paid', data: { status: 'paid', amount_paid_cents: 10_000 } });
    const refunded = only(
      translate(
        invoice('InvoicePaymentRefunded', {
          invoice_id: id,
          refund_id: refundId,
          payment_id: paymentId,
          amount_cents: 1_500,
          currency: 'eur',
          amount_paid_cents: 8_500,
          amount_refunded_cents: 1_500,
          amount_due_cents: 0,
          occurred_at: '2026-03-04T00:00:00.000Z',
        }),
      ),
    );
    // 10000 − 1500 = 8500 paid; a paid invoice stays paid with nothing due.
    expect(refunded).toMatchObject({
      type: 'invoice.payment_refunded',
      data: {
        status: 'paid',
        amount_paid_cents: 8_500,
        amount_refunded_cents: 1_500,
        amount_due_cents: 0,
        refund: { id: refundId, payment_id: paymentId, amount_cents: 1_500 },
      },
    });
  });

  it("become invoice.payment_failed for a provider's failed attempt, nothing paid or due changed", () => {
    const translate = catalog();
    const id = newResourceId();
    const invoice = sourceStream(tenant, id);
    translate(invoice('InvoiceCreated', created(id, [manualLine('1', 10_000)])));
    translate(invoice('InvoiceFinalized', finalized(id, 'INV-0009')));
    const attemptId = newResourceId();
    const failed = only(
      translate(
        invoice('InvoicePaymentFailed', {
          invoice_id: id,
          attempt_id: attemptId,
          amount_cents: 10_000,
          currency: 'eur',
          method: 'card',
          provider: 'stripe',
          reference: 'pi_123',
          failure_reason: 'Your card was declined.',
          occurred_at: '2026-03-02T00:00:00.000Z',
        }),
      ),
    );
    expect(failed).toMatchObject({
      type: 'invoice.payment_failed',
      data: {
        id,
        status: 'open',
        amount_paid_cents: 0,
        amount_due_cents: 10_000,
        attempt: { id: attemptId, amount_cents: 10_000, provider: 'stripe', failure_reason: 'Your card was declined.' },
      },
    });
  });

  it("carry an off-session charge's attempt_count and next_payment_attempt on the invoice of invoice.payment_failed", () => {
    const translate = catalog();
    const id = newResourceId();
    const invoice = sourceStream(tenant, id);
    translate(invoice('InvoiceCreated', created(id, [manualLine('1', 10_000)])));
    translate(invoice('InvoiceFinalized', finalized(id, 'INV-0010')));
    const failed = only(
      translate(
        invoice('InvoicePaymentFailed', {
          invoice_id: id,
          attempt_id: newResourceId(),
          amount_cents: 10_000,
          currency: 'eur',
          method: 'card',
          provider: 'stripe',
          reference: 'pi_456',
          failure_reason: 'Your card was declined.',
          attempt_count: 2,
          next_payment_attempt: '2026-03-05T00:00:00.000Z',
          occurred_at: '2026-03-03T00:00:00.000Z',
        }),
      ),
    );
    expect(failed).toMatchObject({
      type: 'invoice.payment_failed',
      data: { id, status: 'open', attempt_count: 2, next_payment_attempt: '2026-03-05T00:00:00.000Z' },
    });
  });

  it('become invoice.voided and invoice.marked_uncollectible; drafts changed or deleted make none', () => {
    const translate = catalog();
    const [voided, uncollectible, deleted] = [newResourceId(), newResourceId(), newResourceId()];
    const streams = {
      voided: sourceStream(tenant, voided),
      uncollectible: sourceStream(tenant, uncollectible),
      deleted: sourceStream(tenant, deleted),
    };
    translate(streams.voided('InvoiceCreated', created(voided, [manualLine('1', 100)])));
    translate(streams.voided('InvoiceFinalized', finalized(voided, 'INV-0001')));
    const at = { occurred_at: '2026-03-05T00:00:00.000Z' };
    expect(only(translate(streams.voided('InvoiceVoided', { invoice_id: voided, ...at })))).toMatchObject({
      type: 'invoice.voided',
      data: { status: 'void', total_cents: 100, amount_due_cents: 0 },
    });
    translate(streams.uncollectible('InvoiceCreated', created(uncollectible, [manualLine('2', 100)])));
    translate(streams.uncollectible('InvoiceFinalized', finalized(uncollectible, 'INV-0002')));
    expect(
      only(translate(streams.uncollectible('InvoiceMarkedUncollectible', { invoice_id: uncollectible, ...at }))),
    ).toMatchObject({
      type: 'invoice.marked_uncollectible',
      data: { status: 'uncollectible', amount_due_cents: 200 },
    });
    translate(streams.deleted('InvoiceCreated', created(deleted, [])));
    expect(
      translate(streams.deleted('InvoiceUpdated', { invoice_id: deleted, changes: { memo: 'x' }, ...at })),
    ).toEqual([]);
    expect(
      translate(
        streams.deleted('InvoiceLineItemDeleted', { invoice_id: deleted, line_item_id: newResourceId(), ...at }),
      ),
    ).toEqual([]);
    expect(translate(streams.deleted('InvoiceDeleted', { invoice_id: deleted, ...at }))).toEqual([]);
  });

  it("make subscription.renewed beside invoice.created for a period's end, not for a subscription's start", () => {
    const translate = catalog();
    const subscriptionId = newResourceId();
    const billedLine = (amount_cents: number) => ({
      id: newResourceId(),
      kind: 'fee',
      description: 'Pro',
      quantity: '1',
      amount_cents,
      price_id: newResourceId(),
      period_start: '2026-04-01T00:00:00.000Z',
      period_end: '2026-05-01T00:00:00.000Z',
      usage: null,
    });
    const billing = (boundary: string, billing_reason: string) => ({
      subscription_id: subscriptionId,
      boundary,
      billing_reason,
      usage_received_through: null,
    });
    const first = newResourceId();
    const start = translate(
      sourceStream(tenant, first)(
        'InvoiceCreated',
        created(first, [], billing('2026-03-01T00:00:00.000Z', 'subscription_start'), [billedLine(900)]),
      ),
    );
    expect(start.map((event) => event.type)).toEqual(['invoice.created']);
    const second = newResourceId();
    const cycle = translate(
      sourceStream(tenant, second)(
        'InvoiceCreated',
        created(second, [], billing('2026-04-01T00:00:00.000Z', 'subscription_cycle'), [
          billedLine(900),
          billedLine(150),
        ]),
      ),
    );
    expect(cycle.map((event) => event.type)).toEqual(['invoice.created', 'subscription.renewed']);
    // 900 + 150 = 1050
    expect(cycle[0]?.data).toMatchObject({
      subscription_id: subscriptionId,
      billing_reason: 'subscription_cycle',
      total_cents: 1_050,
    });
    expect(cycle[1]?.data).toEqual({
      subscription_id: subscriptionId,
      customer_id: customerId,
      period_start: '2026-04-01T00:00:00.000Z',
      invoice_id: second,
      currency: 'eur',
    });
  });
});

import { lineAmountCents } from '@afternoon/billing-core/lineAmounts';
import type {
  Invoice,
  InvoiceCustomer,
  InvoiceLineItem,
  InvoicePayment,
  InvoiceStreamEvent,
  InvoiceTerms,
  LineItem,
  SubscriptionBilling,
  SubscriptionLineItem,
} from '@afternoon/contracts/invoices';
import { withinMoneyBounds } from '../moneyBounds';
import type { ChargeAttempts } from './chargeAttempts';
import {
  amountPaidCents,
  amountRefundedCents,
  isIssued,
  paymentFailed,
  paymentRecorded,
  paymentRefunded,
} from './payments';

interface InvoiceFields {
  id: string;
  customerId: string;
  customer: InvoiceCustomer;
  terms: InvoiceTerms;
  currency: string;
  lineItems: LineItem[];
  /** A subscription's invoice: what it bills, and its lines (`lineItems` stays empty). */
  billing?: SubscriptionBilling;
  subscriptionLineItems?: SubscriptionLineItem[];
  createdAt: string;
  updatedAt: string;
}

interface Issued extends InvoiceFields {
  invoiceNumber: string;
  publicInvoiceUrl: string;
  finalizedAt: string;
  /**
   * Its payments and refunds in the order recorded, and their net and refunded sums. Absent from states folded
   * before payments were recorded: read them through `paymentsOf`, `amountPaidCents` and `amountRefundedCents`.
   */
  payments?: InvoicePayment[];
  amountPaidCents?: number;
  amountRefundedCents?: number;
  /** Off-session charges of a `charge_automatically` invoice (see chargeAttempts.ts); absent until the first. */
  chargeAttempts?: ChargeAttempts;
}

export type InvoiceState =
  | { status: 'absent' }
  | ({ status: 'draft' } & InvoiceFields)
  | ({ status: 'open' } & Issued)
  | ({ status: 'uncollectible' } & Issued & { markedUncollectibleAt: string })
  | ({ status: 'paid' } & Issued & { paidAt: string; amountPaidCents: number; markedUncollectibleAt?: string })
  | ({ status: 'void' } & Issued & { voidedAt: string; markedUncollectibleAt?: string })
  | { status: 'deleted'; id: string };

export type ExistingInvoice = Exclude<InvoiceState, { status: 'absent' } | { status: 'deleted' }>;

export function initialState(): InvoiceState {
  return { status: 'absent' };
}

export type IssuedInvoice = Extract<InvoiceState, { status: 'open' | 'uncollectible' | 'paid' | 'void' }>;

/** What is still to be paid: nothing once paid or void; otherwise the total less what was paid. */
export function amountDueCents(state: ExistingInvoice): number {
  if (state.status === 'draft') return totalCents(state);
  if (state.status === 'paid' || state.status === 'void') return 0;
  return totalCents(state) - amountPaidCents(state);
}

export function evolve(state: InvoiceState, event: InvoiceStreamEvent): InvoiceState {
  const at = event.data.occurred_at;
  switch (event.type) {
    case 'InvoiceCreated':
      return {
        status: 'draft',
        id: event.data.invoice_id,
        customerId: event.data.customer_id,
        customer: event.data.customer,
        terms: event.data.terms,
        currency: event.data.currency,
        lineItems: event.data.line_items,
        ...(event.data.billing
          ? { billing: event.data.billing, subscriptionLineItems: event.data.subscription_line_items ?? [] }
          : {}),
        createdAt: at,
        updatedAt: at,
      };
    case 'InvoiceLineItemAdded':
      if (state.status !== 'draft') return state;
      return { ...state, lineItems: [...state.lineItems, event.data.line_item], updatedAt: at };
    case 'InvoiceLineItemUpdated': {
      if (state.status !== 'draft') return state;
      const updated = event.data.line_item;
      const lineItems = state.lineItems.map((line) => (line.id === updated.id ? updated : line));
      return { ...state, lineItems, updatedAt: at };
    }
    case 'InvoiceLineItemDeleted':
      if (state.status !== 'draft') return state;
      return {
        ...state,
        lineItems: state.lineItems.filter((line) => line.id !== event.data.line_item_id),
        updatedAt: at,
      };
    case 'InvoiceUpdated':
      if (state.status !== 'draft') return state;
      return { ...state, terms: { ...state.terms, ...event.data.changes }, updatedAt: at };
    case 'InvoiceDeleted':
      return { status: 'deleted', id: event.data.invoice_id };
    case 'InvoiceFinalized':
      if (state.status !== 'draft') return state;
      return {
        ...state,
        status: 'open',
        customer: event.data.customer,
        terms: { ...state.terms, due_date: event.data.due_date },
        invoiceNumber: event.data.invoice_number,
        publicInvoiceUrl: event.data.public_invoice_url,
        finalizedAt: at,
        updatedAt: at,
      };
    case 'InvoicePaid':
      if (state.status !== 'open' && state.status !== 'uncollectible') return state;
      return { ...state, status: 'paid', paidAt: at, amountPaidCents: event.data.amount_paid_cents, updatedAt: at };
    case 'InvoiceVoided':
      if (state.status !== 'open' && state.status !== 'uncollectible') return state;
      return { ...state, status: 'void', voidedAt: at, updatedAt: at };
    case 'InvoiceMarkedUncollectible':
      if (state.status !== 'open') return state;
      return { ...state, status: 'uncollectible', markedUncollectibleAt: at, updatedAt: at };
    case 'InvoicePaymentRecorded':
      return isIssued(state) ? paymentRecorded(state, event) : state;
    case 'InvoicePaymentRefunded':
      return isIssued(state) ? paymentRefunded(state, event) : state;
    case 'InvoicePaymentFailed':
      return isIssued(state) ? paymentFailed(state, event) : state;
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/** Every line of the invoice in its public shape, hand-written or billed by a subscription. */
export function publicLineItems(state: ExistingInvoice): InvoiceLineItem[] {
  const manual = state.lineItems.map(
    (line): InvoiceLineItem => ({
      id: line.id,
      kind: 'manual',
      description: line.description,
      quantity: Number(line.quantity),
      unit_amount_cents: line.unit_amount_cents,
      amount_cents: withinMoneyBounds(() => lineAmountCents(line.quantity, line.unit_amount_cents)),
      price_id: null,
      period_start: null,
      period_end: null,
      meter_code: null,
    }),
  );
  const billed = (state.subscriptionLineItems ?? []).map(
    (line): InvoiceLineItem => ({
      id: line.id,
      kind: line.kind,
      description: line.description,
      quantity: Number(line.quantity),
      unit_amount_cents: null,
      amount_cents: line.amount_cents,
      price_id: line.price_id,
      period_start: line.period_start,
      period_end: line.period_end,
      meter_code: line.usage?.meter_code ?? null,
      ...(line.pricing_unit ? { pricing_unit: line.pricing_unit } : {}),
      ...(line.credit_grants ? { credit_grants: line.credit_grants } : {}),
    }),
  );
  return [...manual, ...billed];
}

export function totalCents(state: ExistingInvoice): number {
  return publicLineItems(state).reduce((sum, line) => sum + line.amount_cents, 0);
}

/** The public shape of an invoice. */
export function toInvoice(state: ExistingInvoice): Invoice {
  const lineItems = publicLineItems(state);
  const total = lineItems.reduce((sum, line) => sum + line.amount_cents, 0);
  const issued = state.status === 'draft' ? undefined : state;
  return {
    id: state.id,
    customer_id: state.customerId,
    subscription_id: state.billing?.subscription_id ?? null,
    billing_reason: state.billing?.billing_reason ?? 'manual',
    customer_name: state.customer.name,
    customer_email: state.customer.email,
    status: state.status,
    collection_method: state.terms.collection_method,
    currency: state.currency,
    invoice_number: issued?.invoiceNumber ?? null,
    memo: state.terms.memo,
    metadata: state.terms.metadata,
    line_items: lineItems,
    subtotal_cents: total,
    total_cents: total,
    amount_paid_cents: issued ? amountPaidCents(issued) : 0,
    amount_due_cents: amountDueCents(state),
    amount_refunded_cents: issued ? amountRefundedCents(issued) : 0,
    days_until_due: state.terms.days_until_due,
    due_date: state.terms.due_date,
    public_invoice_url: issued?.publicInvoiceUrl ?? null,
    ...(issued?.chargeAttempts
      ? {
          attempt_count: issued.chargeAttempts.count,
          next_payment_attempt: issued.status === 'open' ? issued.chargeAttempts.nextAttemptAt : null,
        }
      : {}),
    status_transitions: {
      finalized_at: issued?.finalizedAt ?? null,
      paid_at: state.status === 'paid' ? state.paidAt : null,
      voided_at: state.status === 'void' ? state.voidedAt : null,
      marked_uncollectible_at:
        state.status === 'uncollectible' || state.status === 'paid' || state.status === 'void'
          ? (state.markedUncollectibleAt ?? null)
          : null,
    },
    created_at: state.createdAt,
    updated_at: state.updatedAt,
  };
}

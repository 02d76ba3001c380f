import { createHash } from 'node:crypto';
import { checkManualLines, checkSubscriptionLines } from '@afternoon/billing-core/lineAmounts';
import type {
  AddInvoiceLineItem,
  BillSubscriptionPeriod,
  CreateInvoice,
  DeleteInvoice,
  DeleteInvoiceLineItem,
  FinalizeInvoice,
  InvoiceCustomer,
  InvoiceStreamEvent,
  InvoiceTerms,
  MarkInvoiceUncollectible,
  PayInvoice,
  RecordInvoiceChargeAttempt,
  RecordInvoicePayment,
  RecordInvoicePaymentFailure,
  RefundInvoicePayment,
  UpdateInvoice,
  UpdateInvoiceLineItem,
  VoidInvoice,
} from '@afternoon/contracts/invoices';
import { maxLineItems } from '@afternoon/contracts/invoices';
import {
  ConflictError,
  type Decider,
  type Enriched,
  IllegalStateError,
  NotFoundError,
  ValidationError,
  type WithMetadata,
} from '@afternoon/service-kit';
import { withinMoneyBounds } from '../moneyBounds';
import { recordChargeAttempt } from './chargeAttempts';
import {
  amountDueCents,
  type ExistingInvoice,
  evolve,
  type InvoiceState,
  type IssuedInvoice,
  initialState,
} from './invoice';
import { amountPaidCents, amountRefundedCents, checkRoomForEntry, hasEntry, paymentsOf } from './payments';
import { isForeignCurrencyPayment, recordPaymentFailure, recordProviderPayment } from './providerPayments';

/** An invoice command as sent to `invoice.commands`. */
export type SentInvoiceCommand = WithMetadata<
  | CreateInvoice
  | AddInvoiceLineItem
  | UpdateInvoiceLineItem
  | DeleteInvoiceLineItem
  | UpdateInvoice
  | DeleteInvoice
  | FinalizeInvoice
  | BillSubscriptionPeriod
  | PayInvoice
  | VoidInvoice
  | MarkInvoiceUncollectible
  | RecordInvoicePayment
  | RefundInvoicePayment
  | RecordInvoicePaymentFailure
  | RecordInvoiceChargeAttempt
>;

/**
 * An invoice command as `decide` receives it, with what `enrich` found: the customer as the invoice shows them, and
 * the next invoice number for one that is issued. A finalized draft's customer is null when they were deleted since
 * it was made: the draft keeps the details it has.
 */
export type InvoiceCommand =
  | Enriched<CreateInvoice, { customer: InvoiceCustomer }>
  | Enriched<FinalizeInvoice, { invoice_number: string; customer: InvoiceCustomer | null }>
  | Enriched<BillSubscriptionPeriod, { invoice_number: string; customer: InvoiceCustomer }>
  | Exclude<SentInvoiceCommand, { type: 'CreateInvoice' | 'FinalizeInvoice' | 'BillSubscriptionPeriod' }>;

export function decide(command: InvoiceCommand, state: InvoiceState): InvoiceStreamEvent[] {
  const base = { invoice_id: command.data.invoice_id, occurred_at: command.metadata.issued_at };
  switch (command.type) {
    case 'CreateInvoice': {
      if (state.status !== 'absent') throw new ConflictError(`invoice ${base.invoice_id} already exists`, 'id');
      const { customer, customer_id, terms, currency, line_items } = command.data;
      withinMoneyBounds(() =>
        checkManualLines(line_items, {
          line: (index) => `line_items[${index}].unit_amount_cents`,
          total: 'line_items',
        }),
      );
      return [{ type: 'InvoiceCreated', data: { ...base, customer_id, customer, terms, currency, line_items } }];
    }
    case 'AddInvoiceLineItem': {
      const draft = requireDraft(state, command);
      if (draft.lineItems.length >= maxLineItems)
        throw new ValidationError(`an invoice has at most ${maxLineItems} line items`, 'line_items');
      withinMoneyBounds(() => checkManualLines([...draft.lineItems, command.data.line_item], changedLine));
      return [{ type: 'InvoiceLineItemAdded', data: { ...base, line_item: command.data.line_item } }];
    }
    case 'UpdateInvoiceLineItem': {
      const draft = requireDraft(state, command);
      const line = draft.lineItems.find((item) => item.id === command.data.line_item_id);
      if (!line) throw lineItemNotFound(command.data.line_item_id);
      const line_item = { ...line, ...definedOnly(command.data.changes) };
      withinMoneyBounds(() =>
        checkManualLines(
          draft.lineItems.map((item) => (item.id === line_item.id ? line_item : item)),
          changedLine,
        ),
      );
      return [{ type: 'InvoiceLineItemUpdated', data: { ...base, line_item } }];
    }
    case 'DeleteInvoiceLineItem': {
      const draft = requireDraft(state, command);
      if (!draft.lineItems.some((item) => item.id === command.data.line_item_id))
        throw lineItemNotFound(command.data.line_item_id);
      return [{ type: 'InvoiceLineItemDeleted', data: { ...base, line_item_id: command.data.line_item_id } }];
    }
    case 'UpdateInvoice': {
      const draft = requireDraft(state, command);
      const changes = definedOnly(command.data.changes);
      checkTerms({ ...draft.terms, ...changes });
      return [{ type: 'InvoiceUpdated', data: { ...base, changes } }];
    }
    case 'DeleteInvoice':
      requireDraft(state, command);
      return [{ type: 'InvoiceDeleted', data: base }];
    case 'FinalizeInvoice': {
      const draft = requireDraft(state, command);
      const { invoice_number, public_invoice_url, customer } = command.data;
      const due_date = draft.terms.due_date ?? dueDateOf(draft.terms, command.metadata.issued_at);
      return [
        {
          type: 'InvoiceFinalized',
          data: { ...base, invoice_number, public_invoice_url, due_date, customer: customer ?? draft.customer },
        },
      ];
    }
    case 'BillSubscriptionPeriod': {
      if (state.status !== 'absent')
        throw new ConflictError(`invoice ${base.invoice_id} already bills this subscription period`, 'id');
      const { customer, customer_id, terms, currency, line_items, billing, invoice_number, public_invoice_url } =
        command.data;
      withinMoneyBounds(() => checkSubscriptionLines(line_items));
      const created: InvoiceStreamEvent = {
        type: 'InvoiceCreated',
        data: {
          ...base,
          customer_id,
          customer,
          terms,
          currency,
          line_items: [],
          billing,
          subscription_line_items: line_items,
        },
      };
      const due_date = terms.due_date ?? dueDateOf(terms, command.metadata.issued_at);
      return [
        created,
        { type: 'InvoiceFinalized', data: { ...base, invoice_number, public_invoice_url, due_date, customer } },
      ];
    }
    case 'PayInvoice': {
      // Marking paid settles what is still due as one payment (method `other`), so the payments list is complete.
      const invoice = requireStatus(state, command, ['open', 'uncollectible']);
      const due = amountDueCents(invoice);
      if (due <= 0) return [{ type: 'InvoicePaid', data: { ...base, amount_paid_cents: amountPaidCents(invoice) } }];
      const payment_id = command.data.payment_id ?? paymentIdOfCommand(command.metadata.command_id);
      return recordPayment(invoice, base, {
        payment_id,
        amount_cents: due,
        method: 'other',
        reference: null,
        paid_at: base.occurred_at,
      });
    }
    case 'RecordInvoicePayment': {
      if (command.data.provider) return recordProviderPayment(requireIssued(state, command), base, command.data);
      const invoice = requireStatus(state, command, ['open', 'uncollectible']);
      const { payment_id, amount_cents, method, reference } = command.data;
      if (hasEntry(invoice, payment_id)) return [];
      const paid_at = command.data.paid_at ?? base.occurred_at;
      if (Date.parse(paid_at) > Date.parse(base.occurred_at))
        throw new ValidationError(`paid_at ${paid_at} is in the future (now is ${base.occurred_at})`, 'paid_at');
      const due = amountDueCents(invoice);
      if (amount_cents > due)
        throw new ValidationError(
          `amount_cents ${amount_cents} is more than the ${due} due on invoice '${invoice.id}' (overpayments are not accepted)`,
          'amount_cents',
        );
      return recordPayment(invoice, base, {
        payment_id,
        amount_cents,
        method,
        reference,
        paid_at: new Date(paid_at).toISOString(),
      });
    }
    case 'RefundInvoicePayment': {
      const invoice = requireStatus(state, command, ['open', 'uncollectible', 'paid', 'void']);
      const { payment_id, refund_id, refunded_total_cents } = command.data;
      if (hasEntry(invoice, refund_id)) return [];
      const payment = paymentsOf(invoice).find(
        (entry) => entry.kind === 'payment' && entry.status === 'succeeded' && entry.id === payment_id,
      );
      if (!payment && isForeignCurrencyPayment(invoice, payment_id)) return [];
      if (!payment) throw new NotFoundError(`No such payment: '${payment_id}'`, 'payment_id');
      const refunded = payment.refunded_cents ?? 0;
      // A provider's running total arriving late, or again under another id, adds nothing.
      if (refunded_total_cents !== undefined && refunded_total_cents <= refunded) return [];
      const left = payment.amount_cents - refunded;
      if (left <= 0) throw new IllegalStateError(`Payment '${payment_id}' is already fully refunded`);
      const amount_cents =
        refunded_total_cents !== undefined ? refunded_total_cents - refunded : (command.data.amount_cents ?? left);
      if (amount_cents > left)
        throw new ValidationError(
          `amount_cents ${amount_cents} is more than the ${left} left to refund of payment '${payment_id}'`,
          'amount_cents',
        );
      checkRoomForEntry(invoice);
      const amount_paid_cents = amountPaidCents(invoice) - amount_cents;
      return [
        {
          type: 'InvoicePaymentRefunded',
          data: {
            ...base,
            refund_id,
            payment_id,
            amount_cents,
            currency: invoice.currency,
            amount_paid_cents,
            amount_refunded_cents: amountRefundedCents(invoice) + amount_cents,
            // A paid invoice stays paid (as Stripe's does: the invoice was paid, the charge refunded).
            amount_due_cents:
              invoice.status === 'paid' || invoice.status === 'void' ? 0 : amountDueCents(invoice) + amount_cents,
          },
        },
      ];
    }
    case 'RecordInvoicePaymentFailure':
      return recordPaymentFailure(requireIssued(state, command), base, command.data);
    case 'RecordInvoiceChargeAttempt':
      return recordChargeAttempt(requireIssued(state, command), base, command.data);
    case 'VoidInvoice':
      requireStatus(state, command, ['open', 'uncollectible']);
      return [{ type: 'InvoiceVoided', data: base }];
    case 'MarkInvoiceUncollectible':
      requireStatus(state, command, ['open']);
      return [{ type: 'InvoiceMarkedUncollectible', data: base }];
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

type Recorded = Pick<
  Extract<InvoiceStreamEvent, { type: 'InvoicePaymentRecorded' }>['data'],
  'payment_id' | 'amount_cents' | 'method' | 'reference' | 'paid_at'
>;

/** A payment of at most what is due; the one that leaves nothing due pays the invoice. */
function recordPayment(
  invoice: IssuedInvoice,
  base: { invoice_id: string; occurred_at: string },
  payment: Recorded,
): InvoiceStreamEvent[] {
  checkRoomForEntry(invoice);
  const amount_paid_cents = amountPaidCents(invoice) + payment.amount_cents;
  const amount_due_cents = amountDueCents(invoice) - payment.amount_cents;
  const recorded: InvoiceStreamEvent = {
    type: 'InvoicePaymentRecorded',
    data: { ...base, ...payment, currency: invoice.currency, amount_paid_cents, amount_due_cents },
  };
  if (amount_due_cents > 0) return [recorded];
  return [recorded, { type: 'InvoicePaid', data: { ...base, amount_paid_cents } }];
}

/** A payment id for a `PayInvoice` sent without one: the same for every delivery of that command. */
function paymentIdOfCommand(commandId: string): string {
  const digest = createHash('sha256').update(commandId).digest('hex');
  return `p${(BigInt(`0x${digest}`) % 36n ** 24n).toString(36).padStart(24, '0')}`;
}

export const invoiceDecider: Decider<InvoiceCommand, InvoiceStreamEvent, InvoiceState> = {
  initialState,
  evolve,
  decide,
};

export function invoiceNotFound(invoiceId: string): NotFoundError {
  return new NotFoundError(`No such invoice: '${invoiceId}'`, 'id');
}

const actions: Record<InvoiceCommand['type'], string> = {
  CreateInvoice: 'create',
  AddInvoiceLineItem: 'add a line item to',
  UpdateInvoiceLineItem: 'update a line item of',
  DeleteInvoiceLineItem: 'delete a line item of',
  UpdateInvoice: 'update',
  DeleteInvoice: 'delete',
  FinalizeInvoice: 'finalize',
  BillSubscriptionPeriod: 'bill a subscription period on',
  PayInvoice: 'pay',
  VoidInvoice: 'void',
  MarkInvoiceUncollectible: 'mark uncollectible',
  RecordInvoicePayment: 'record a payment on',
  RefundInvoicePayment: 'refund a payment of',
  RecordInvoicePaymentFailure: 'record a failed payment on',
  RecordInvoiceChargeAttempt: 'record a charge attempt on',
};

function requireStatus<S extends ExistingInvoice['status']>(
  state: InvoiceState,
  command: InvoiceCommand,
  allowed: readonly S[],
): Extract<ExistingInvoice, { status: S }> {
  if (state.status === 'absent' || state.status === 'deleted') throw invoiceNotFound(command.data.invoice_id);
  if (!(allowed as readonly string[]).includes(state.status)) {
    throw new IllegalStateError(
      `Cannot ${actions[command.type]} invoice '${state.id}': its status is '${state.status}' (must be ${allowed
        .map((status) => `'${status}'`)
        .join(' or ')})`,
    );
  }
  return state as Extract<ExistingInvoice, { status: S }>;
}

function requireIssued(state: InvoiceState, command: InvoiceCommand): IssuedInvoice {
  return requireStatus(state, command, ['open', 'uncollectible', 'paid', 'void']);
}

function requireDraft(state: InvoiceState, command: InvoiceCommand) {
  return requireStatus(state, command, ['draft']);
}

/** A line added or changed on a draft: the line's amount, and the total it makes, are that line's doing. */
const changedLine = { line: () => 'unit_amount_cents', total: 'unit_amount_cents' };

function lineItemNotFound(lineItemId: string): NotFoundError {
  return new NotFoundError(`No such line item: '${lineItemId}'`, 'line_item_id');
}

/** The same rule as on creation, checked again once a PATCH is merged into the draft's terms. */
function checkTerms(terms: InvoiceTerms): void {
  if (terms.collection_method === 'send_invoice' && terms.days_until_due === null)
    throw new ValidationError('days_until_due is required with send_invoice', 'days_until_due');
  if (terms.collection_method === 'charge_automatically' && terms.days_until_due !== null)
    throw new ValidationError('days_until_due is refused with charge_automatically', 'days_until_due');
}

/** `send_invoice`: the finalize date plus `days_until_due`; otherwise no due date. */
function dueDateOf(terms: InvoiceTerms, finalizedAt: string): string | null {
  if (terms.collection_method !== 'send_invoice' || terms.days_until_due === null) return null;
  const due = new Date(finalizedAt);
  due.setUTCDate(due.getUTCDate() + terms.days_until_due);
  return due.toISOString().slice(0, 10);
}

function definedOnly<T extends Record<string, unknown>>(changes: T): Partial<T> {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Partial<T>;
}

import { checkManualLines, checkSubscriptionLines } from '@afternoon/billing-core/lineAmounts';
import type {
  AddInvoiceLineItem,
  BillSubscriptionPeriod,
  CreateInvoice,
  DeleteInvoice,
  DeleteInvoiceLineItem,
  FinalizeInvoice,
  InvoiceCustomer,
  InvoiceEvent,
  InvoiceTerms,
  MarkInvoiceUncollectible,
  PayInvoice,
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
import { type ExistingInvoice, evolve, type InvoiceState, initialState, totalCents } from './invoice';

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

export function decide(command: InvoiceCommand, state: InvoiceState): InvoiceEvent[] {
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
      const created: InvoiceEvent = {
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
      const invoice = requireStatus(state, command, ['open', 'uncollectible']);
      return [{ type: 'InvoicePaid', data: { ...base, amount_paid_cents: totalCents(invoice) } }];
    }
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

export const invoiceDecider: Decider<InvoiceCommand, InvoiceEvent, InvoiceState> = { initialState, evolve, decide };

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

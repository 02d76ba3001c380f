import { lineAmountCents } from '@afternoon/billing-core/lineAmounts';
import type { InvoiceEvent, InvoiceStatus, InvoiceStreamEvent, LineItem } from '@afternoon/contracts/invoices';
import type { InvoicePayload } from '@afternoon/contracts/webhookCatalog';

/**
 * An invoice as the catalog follows it: its public shape but for the lines, of which it keeps the hand-written
 * ones (they change on a draft) and the sum of a subscription's (fixed when it is made).
 */
export type InvoiceSubject = Omit<
  InvoicePayload,
  'subtotal_cents' | 'total_cents' | 'amount_paid_cents' | 'amount_due_cents' | 'amount_refunded_cents'
> & { manual_lines: LineItem[]; billed_cents: number; paid_cents: number; refunded_cents?: number };

const issued: readonly InvoiceStatus[] = ['open', 'uncollectible'];
const drafting: readonly InvoiceStreamEvent['type'][] = [
  'InvoiceLineItemAdded',
  'InvoiceLineItemUpdated',
  'InvoiceLineItemDeleted',
  'InvoiceUpdated',
  'InvoiceFinalized',
];

export function evolveInvoice(
  state: InvoiceSubject | undefined,
  event: InvoiceStreamEvent,
): InvoiceSubject | undefined {
  const at = event.data.occurred_at;
  if (event.type === 'InvoiceCreated') return created(event);
  if (!state) return state;
  const changed = (changes: Partial<InvoiceSubject>): InvoiceSubject => ({ ...state, ...changes, updated_at: at });
  const lines = state.manual_lines;
  const transitions = state.status_transitions;
  // As invoicing's own fold: lines and terms change on a draft only, and each status moves from where it may.
  if (drafting.includes(event.type) && state.status !== 'draft') return state;
  switch (event.type) {
    case 'InvoiceLineItemAdded':
      return changed({ manual_lines: [...lines, event.data.line_item] });
    case 'InvoiceLineItemUpdated': {
      const updated = event.data.line_item;
      return changed({ manual_lines: lines.map((line) => (line.id === updated.id ? updated : line)) });
    }
    case 'InvoiceLineItemDeleted':
      return changed({ manual_lines: lines.filter((line) => line.id !== event.data.line_item_id) });
    case 'InvoiceUpdated':
      return changed(event.data.changes);
    case 'InvoiceDeleted':
      return undefined;
    case 'InvoiceFinalized':
      return changed({
        status: 'open',
        invoice_number: event.data.invoice_number,
        due_date: event.data.due_date,
        public_invoice_url: event.data.public_invoice_url,
        customer_name: event.data.customer.name,
        customer_email: event.data.customer.email,
        status_transitions: { ...transitions, finalized_at: at },
      });
    case 'InvoicePaid':
      if (!issued.includes(state.status)) return state;
      return changed({
        status: 'paid',
        paid_cents: event.data.amount_paid_cents,
        status_transitions: { ...transitions, paid_at: at },
      });
    // Each carries the invoice's totals after it, as invoicing counted them.
    case 'InvoicePaymentRecorded':
      return changed({ paid_cents: event.data.amount_paid_cents });
    case 'InvoicePaymentRefunded':
      return changed({ paid_cents: event.data.amount_paid_cents, refunded_cents: event.data.amount_refunded_cents });
    // A provider's failed attempt moves no money.
    case 'InvoicePaymentFailed':
      return state;
    case 'InvoiceVoided':
      if (!issued.includes(state.status)) return state;
      return changed({ status: 'void', status_transitions: { ...transitions, voided_at: at } });
    case 'InvoiceMarkedUncollectible':
      if (state.status !== 'open') return state;
      return changed({ status: 'uncollectible', status_transitions: { ...transitions, marked_uncollectible_at: at } });
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

function created(event: Extract<InvoiceEvent, { type: 'InvoiceCreated' }>): InvoiceSubject {
  const { data } = event;
  return {
    id: data.invoice_id,
    customer_id: data.customer_id,
    subscription_id: data.billing?.subscription_id ?? null,
    billing_reason: data.billing?.billing_reason ?? 'manual',
    customer_name: data.customer.name,
    customer_email: data.customer.email,
    status: 'draft',
    collection_method: data.terms.collection_method,
    currency: data.currency,
    invoice_number: null,
    memo: data.terms.memo,
    metadata: data.terms.metadata,
    days_until_due: data.terms.days_until_due,
    due_date: data.terms.due_date,
    public_invoice_url: null,
    status_transitions: { finalized_at: null, paid_at: null, voided_at: null, marked_uncollectible_at: null },
    created_at: data.occurred_at,
    updated_at: data.occurred_at,
    manual_lines: data.line_items,
    billed_cents: (data.subscription_line_items ?? []).reduce((sum, line) => sum + line.amount_cents, 0),
    paid_cents: 0,
  };
}

/** The invoice's public shape without lines: its totals as invoicing computes them, in whole minor units. */
export function invoicePayload({
  manual_lines,
  billed_cents,
  paid_cents,
  refunded_cents,
  ...invoice
}: InvoiceSubject): InvoicePayload {
  const manual = manual_lines.reduce((sum, line) => sum + lineAmountCents(line.quantity, line.unit_amount_cents), 0);
  const total = manual + billed_cents;
  const paid = invoice.status === 'draft' ? 0 : paid_cents;
  const settled = invoice.status === 'paid' || invoice.status === 'void';
  return {
    ...invoice,
    subtotal_cents: total,
    total_cents: total,
    amount_paid_cents: paid,
    amount_due_cents: settled ? 0 : total - paid,
    amount_refunded_cents: refunded_cents ?? 0,
  };
}

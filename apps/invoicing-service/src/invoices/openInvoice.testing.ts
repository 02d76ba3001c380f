import type { InvoiceStreamEvent } from '@afternoon/contracts/invoices';
import { foldEvents } from '@afternoon/service-kit';
import { invoiceDecider } from './businessLogic';
import { type ExistingInvoice, toInvoice } from './invoice';

/** The invoice the payment specs pay: one line of 2 × 5,000 = 10,000 minor units, finalized, nothing paid. */
export const invoiceId = 'cinvoice000000000000000001';
export const issuedAt = '2026-01-31T10:00:00.000Z';
export const metadata = {
  command_id: 'cmd_1',
  correlation_id: 'req_1',
  request_id: 'req_1',
  organization_id: 'org_1',
  mode: 'live' as const,
  issued_at: issuedAt,
};
const customer = { name: 'Acme Corp', email: null, billing_address: null };
const terms = {
  collection_method: 'send_invoice' as const,
  days_until_due: 30,
  due_date: null,
  memo: null,
  metadata: {},
};

/** An event's data on the invoice's stream, dated before the commands the specs send (`issuedAt`). */
export const at = (data: object) => ({ invoice_id: invoiceId, occurred_at: '2026-01-10T00:00:00.000Z', ...data });

/** Created and finalized in `currency`: 10,000 minor units due. */
export function openInvoice(currency: string): InvoiceStreamEvent[] {
  const lines = [{ id: 'cline0000000000000000000001', description: 'Seats', quantity: '2', unit_amount_cents: 5000 }];
  const data = { customer_id: 'ccustomer00000000000000001', customer, terms, currency, line_items: lines };
  const finalizedData = { invoice_number: 'INV-0001', due_date: '2026-02-09', public_invoice_url: 'http://x/inv/t' };
  return [
    { type: 'InvoiceCreated', data: at(data) },
    { type: 'InvoiceFinalized', data: at({ ...finalizedData, customer }) },
  ] as InvoiceStreamEvent[];
}

/** The invoice as the API shows it after `history`. */
export const invoiceAfter = (history: InvoiceStreamEvent[]) =>
  toInvoice(foldEvents(invoiceDecider, history) as ExistingInvoice);

import type { Mode } from '@afternoon/contracts/common';
import {
  type HostedInvoice,
  type Invoice,
  type InvoiceCustomer,
  type InvoiceList,
  type InvoicePaymentList,
  InvoiceStreamEvent,
  type LineItemKind,
  type LineItemUsageWindow,
  type ListInvoicesQuery,
} from '@afternoon/contracts/invoices';
import { keysetPage, newestFirstSql, type Projection, type Queryable, type Tenant } from '@afternoon/service-kit';
import { type ExistingInvoice, evolve, type InvoiceState, initialState, toInvoice } from '../invoice';
import { isIssued, paymentsOf } from '../payments';

/**
 * The `invoices` table: one row per invoice that was not deleted. It keeps the folded state beside the document,
 * and the version it reflects, so applying an event twice changes nothing.
 */
export const invoicesProjection: Projection = {
  name: 'invoices',
  tables: ['invoices'],
  handles: InvoiceStreamEvent.options.map((option) => option.shape.type.value),
  async apply(tx, stored) {
    const event = InvoiceStreamEvent.parse(stored);
    const { rows } = await tx.query<{ state: InvoiceState; version: number }>(
      'SELECT state, version FROM invoices WHERE id = $1 FOR UPDATE',
      [event.data.invoice_id],
    );
    const current = rows[0];
    if (current && current.version >= stored.version) return;
    const state = evolve(current?.state ?? initialState(), event);
    if (state.status === 'absent' || state.status === 'deleted') {
      await tx.query('DELETE FROM invoices WHERE id = $1', [event.data.invoice_id]);
      return;
    }
    const invoice = toInvoice(state);
    await tx.query(
      `INSERT INTO invoices (id, organization_id, mode, customer_id, status, version, state, document, created_at,
         subscription_id, billing_boundary)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (id) DO UPDATE SET status = $5, version = $6, state = $7, document = $8`,
      [
        invoice.id,
        stored.metadata.organization_id,
        stored.metadata.mode,
        invoice.customer_id,
        invoice.status,
        stored.version,
        JSON.stringify(state),
        JSON.stringify(invoice),
        invoice.created_at,
        state.billing?.subscription_id ?? null,
        state.billing?.boundary ?? null,
      ],
    );
  },
};

export async function getInvoice(db: Queryable, tenant: Tenant, id: string): Promise<Invoice | undefined> {
  const { rows } = await db.query<{ document: Invoice }>(
    'SELECT document FROM invoices WHERE id = $1 AND organization_id = $2 AND mode = $3',
    [id, tenant.organizationId, tenant.mode],
  );
  return rows[0]?.document;
}

/** An invoice's payments and refunds, oldest first, from its folded state; undefined when there is no such invoice. */
export async function getInvoicePayments(
  db: Queryable,
  tenant: Tenant,
  id: string,
): Promise<InvoicePaymentList | undefined> {
  const { rows } = await db.query<{ state: ExistingInvoice }>(
    'SELECT state FROM invoices WHERE id = $1 AND organization_id = $2 AND mode = $3',
    [id, tenant.organizationId, tenant.mode],
  );
  const state = rows[0]?.state;
  if (!state) return undefined;
  return { payments: isIssued(state) ? paymentsOf(state) : [] };
}

/** What a line of an invoice billed, as far as its usage events go; each miss says what was missing. */
export type LineItemUsageLookup =
  | { status: 'no_invoice' }
  | { status: 'no_line_item' }
  | { status: 'no_usage'; kind: LineItemKind }
  /** An "N other groups" line: its groups' events are not listed line by line. */
  | { status: 'summed_groups'; window: LineItemUsageWindow; count: number }
  | { status: 'found'; window: LineItemUsageWindow };

/** Reads the line's usage window from the invoice's folded state: the public document does not keep it. */
export async function getLineItemUsage(
  db: Queryable,
  tenant: Tenant,
  invoiceId: string,
  lineItemId: string,
): Promise<LineItemUsageLookup> {
  const { rows } = await db.query<{ customer_id: string; state: ExistingInvoice }>(
    'SELECT customer_id, state FROM invoices WHERE id = $1 AND organization_id = $2 AND mode = $3',
    [invoiceId, tenant.organizationId, tenant.mode],
  );
  const row = rows[0];
  if (!row) return { status: 'no_invoice' };
  if (row.state.lineItems.some((line) => line.id === lineItemId)) return { status: 'no_usage', kind: 'manual' };
  const line = row.state.subscriptionLineItems?.find((billed) => billed.id === lineItemId);
  if (!line) return { status: 'no_line_item' };
  if (!line.usage) return { status: 'no_usage', kind: line.kind };
  const window = { invoice_id: invoiceId, line_item_id: lineItemId, customer_id: row.customer_id, usage: line.usage };
  if (line.usage.summed_groups) return { status: 'summed_groups', window, count: line.usage.summed_groups };
  return { status: 'found', window };
}

/** Newest first, keyset-paginated on (created_at, id) so pages stay stable while invoices are added. */
export async function listInvoices(db: Queryable, tenant: Tenant, query: ListInvoicesQuery): Promise<InvoiceList> {
  const listing = newestFirstSql({
    select: 'document',
    from: 'invoices',
    tenant,
    filters: { customer_id: query.customer_id, subscription_id: query.subscription_id, status: query.status },
    cursor: query.cursor,
    limit: query.limit,
  });
  const { rows } = await db.query<{ document: Invoice }>(listing.text, listing.values);
  const documents = rows.map((row) => row.document);
  const { page, pagination } = keysetPage(documents, query.limit, (last) => [last.created_at, last.id]);
  return { invoices: page, pagination };
}

/**
 * Finds a finalized invoice by the token in its public URL, across every tenant: the token is the capability.
 * Drafts have no token and are never returned.
 */
export async function getInvoiceByPublicToken(db: Queryable, token: string): Promise<HostedInvoice | undefined> {
  const { rows } = await db.query<{
    organization_id: string;
    mode: Mode;
    document: Invoice;
    state: { customer: InvoiceCustomer };
  }>(
    `SELECT organization_id, mode, document, state FROM invoices
      WHERE substring(document->>'public_invoice_url' from '/inv/([A-Za-z0-9_-]+)$') = $1 AND status <> 'draft'`,
    [token],
  );
  const row = rows[0];
  if (!row) return undefined;
  return { organization_id: row.organization_id, mode: row.mode, invoice: row.document, customer: row.state.customer };
}

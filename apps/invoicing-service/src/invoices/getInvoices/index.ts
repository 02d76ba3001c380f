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
import {
  keysetPage,
  newestFirstSql,
  type Projection,
  type Queryable,
  SqlParameters,
  type StoredEvent,
  type Tenant,
  type Transaction,
} from '@afternoon/service-kit';
import { type ExistingInvoice, evolve, type InvoiceState, initialState, toInvoice } from '../invoice';
import { isIssued, paymentsOf } from '../payments';

/**
 * The `invoices` table: one row per invoice that was not deleted. It keeps the folded state beside the document,
 * and the version it reflects, so applying an event twice changes nothing. A batch of invoices (the billing run's)
 * is read, folded and written in three statements, whatever its size.
 */
export const invoicesProjection: Projection = {
  name: 'invoices',
  tables: ['invoices'],
  handles: InvoiceStreamEvent.options.map((option) => option.shape.type.value),
  apply: (tx, stored) => applyInvoiceEvents(tx, [stored]),
  applyAll: applyInvoiceEvents,
};

/** An invoice's row as the events leave it: null once it is gone (deleted, or never created). */
type InvoiceRow = KeptInvoice | null;
interface KeptInvoice {
  state: ExistingInvoice;
  version: number;
  /** The last event applied: its tenant is the invoice's. */
  stored: StoredEvent;
}

async function applyInvoiceEvents(tx: Transaction, events: readonly StoredEvent[]): Promise<void> {
  const parsed = events.map((stored) => ({ stored, event: InvoiceStreamEvent.parse(stored) }));
  const ids = [...new Set(parsed.map(({ event }) => event.data.invoice_id))].sort();
  const { rows } = await tx.query<{ id: string; state: InvoiceState; version: number }>(
    'SELECT id, state, version FROM invoices WHERE id = ANY($1) ORDER BY id FOR UPDATE',
    [ids],
  );
  const current = new Map<string, { state: InvoiceState; version: number }>(rows.map((row) => [row.id, row]));
  const changed = new Map<string, InvoiceRow>();
  for (const { stored, event } of parsed) {
    const id = event.data.invoice_id;
    const row = changed.has(id) ? changed.get(id) : current.get(id);
    if (row && row.version >= stored.version) continue;
    const state = evolve(row?.state ?? initialState(), event);
    if (state.status === 'absent' || state.status === 'deleted') changed.set(id, null);
    else changed.set(id, { state, version: stored.version, stored });
  }
  const deleted = [...changed].flatMap(([id, row]) => (row ? [] : [id]));
  if (deleted.length > 0) await tx.query('DELETE FROM invoices WHERE id = ANY($1)', [deleted]);
  const kept = [...changed.values()].filter((row): row is KeptInvoice => row !== null);
  if (kept.length > 0) await upsertInvoiceRows(tx, kept);
}

async function upsertInvoiceRows(tx: Transaction, rows: readonly KeptInvoice[]): Promise<void> {
  const params = new SqlParameters();
  const tuples = rows.map(({ state, version, stored }) => {
    const invoice = toInvoice(state);
    return `(${params.list([
      invoice.id,
      stored.metadata.organization_id,
      stored.metadata.mode,
      invoice.customer_id,
      invoice.status,
      version,
      JSON.stringify(state),
      JSON.stringify(invoice),
      invoice.created_at,
      state.billing?.subscription_id ?? null,
      state.billing?.boundary ?? null,
    ])})`;
  });
  const { text, values } = params.query(
    `INSERT INTO invoices (id, organization_id, mode, customer_id, status, version, state, document, created_at,
       subscription_id, billing_boundary)
     VALUES ${tuples.join(', ')}
     ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, version = EXCLUDED.version, state = EXCLUDED.state,
       document = EXCLUDED.document`,
  );
  await tx.query(text, values);
}

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

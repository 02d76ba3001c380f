import type { Invoice } from '@afternoon/contracts/invoices';
import { type InternalApi, internalApiHeaders } from '@afternoon/service-kit';
import type pg from 'pg';
import type { HostedInvoiceView } from './hostedInvoiceView';

export interface HostedInvoiceDeps {
  pool: pg.Pool;
  invoicing: InternalApi;
}

const tokenFormat = /^[A-Za-z0-9_-]{16,128}$/;

interface PublicInvoiceAnswer {
  organization_id: string;
  invoice: Invoice;
  customer: HostedInvoiceView['customer'];
}

/**
 * The finalized invoice behind a hosted-invoice token, with its seller's name; undefined for malformed and unknown
 * tokens and for drafts alike, so callers answer them all the same way.
 */
export async function loadHostedInvoice(
  deps: HostedInvoiceDeps,
  token: string,
): Promise<HostedInvoiceView | undefined> {
  if (!tokenFormat.test(token)) return undefined;
  const answer = await findPublicInvoice(deps.invoicing, token);
  if (!answer) return undefined;
  const { rows } = await deps.pool.query<{ name: string }>('SELECT name FROM organizations WHERE id = $1', [
    answer.organization_id,
  ]);
  return { sellerName: rows[0]?.name ?? '', invoice: answer.invoice, customer: answer.customer };
}

async function findPublicInvoice(invoicing: InternalApi, token: string): Promise<PublicInvoiceAnswer | undefined> {
  const response = await fetch(new URL(`/public-invoices/${encodeURIComponent(token)}`, invoicing.url), {
    headers: internalApiHeaders(invoicing.token),
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`invoicing-service answered ${response.status} for a hosted invoice`);
  return (await response.json()) as PublicInvoiceAnswer;
}

import type { Invoice } from '@afternoon/contracts/invoices';
import { type Request, type Response, Router } from 'express';
import type pg from 'pg';
import { type HostedInvoiceView, renderInvoicePage, renderNotFoundPage } from './renderInvoice';

const tokenFormat = /^[A-Za-z0-9_-]{16,128}$/;

interface HostedInvoiceAnswer {
  organization_id: string;
  invoice: Invoice;
  customer: HostedInvoiceView['customer'];
}

/** `GET /inv/:token`: the public, unauthenticated hosted invoice page; the random token is the capability. */
export function hostedInvoiceRoutes(deps: { pool: pg.Pool; invoicingUrl: string }): Router {
  const router = Router();
  router.get('/inv/:token', async (request: Request<{ token: string }>, response: Response) => {
    response.set('Cache-Control', 'no-store');
    response.set('X-Robots-Tag', 'noindex');
    response.type('html');
    const token = request.params.token;
    const hosted = tokenFormat.test(token) ? await findHostedInvoice(deps.invoicingUrl, token) : undefined;
    if (!hosted) {
      // Malformed and unknown tokens get the very same page, so nothing can be learned by probing.
      response.status(404).send(renderNotFoundPage());
      return;
    }
    const { rows } = await deps.pool.query<{ name: string }>('SELECT name FROM organizations WHERE id = $1', [
      hosted.organization_id,
    ]);
    const sellerName = rows[0]?.name ?? '';
    response.status(200).send(renderInvoicePage({ sellerName, invoice: hosted.invoice, customer: hosted.customer }));
  });
  return router;
}

async function findHostedInvoice(invoicingUrl: string, token: string): Promise<HostedInvoiceAnswer | undefined> {
  const response = await fetch(new URL(`/public-invoices/${encodeURIComponent(token)}`, invoicingUrl), {
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`invoicing-service answered ${response.status} for a hosted invoice`);
  return (await response.json()) as HostedInvoiceAnswer;
}

import { createHash } from 'node:crypto';
import type { HostedInvoiceView } from './hostedInvoiceView';

export type InvoicePdfRenderer = (view: HostedInvoiceView) => Promise<Buffer>;

/** Enough for the invoices being looked at now; a PDF is tens of kilobytes. */
const defaultMaxInvoices = 200;

/**
 * Renders each version of an invoice's PDF once. A version is everything the PDF shows (a void, a payment, the
 * seller's new name each make a new one), so a stale PDF is never served; the least recently asked invoices are
 * forgotten past `maxInvoices`.
 */
export function cachedInvoicePdf(render: InvoicePdfRenderer, maxInvoices = defaultMaxInvoices): InvoicePdfRenderer {
  const rendered = new Map<string, { version: string; pdf: Promise<Buffer> }>();
  return (view) => {
    const id = view.invoice.id;
    const version = createHash('sha256').update(JSON.stringify(view)).digest('base64url');
    const cached = rendered.get(id);
    rendered.delete(id);
    if (cached?.version === version) {
      rendered.set(id, cached);
      return cached.pdf;
    }
    const pdf = render(view);
    rendered.set(id, { version, pdf });
    // A failed render is not kept: the next request tries again.
    pdf.catch(() => {
      if (rendered.get(id)?.pdf === pdf) rendered.delete(id);
    });
    for (const oldest of rendered.keys()) {
      if (rendered.size <= maxInvoices) break;
      rendered.delete(oldest);
    }
    return pdf;
  };
}

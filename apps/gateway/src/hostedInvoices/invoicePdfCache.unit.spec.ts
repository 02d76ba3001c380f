import { describe, expect, it } from 'vitest';
import type { HostedInvoiceView } from './hostedInvoiceView';
import { cachedInvoicePdf } from './invoicePdfCache';

function view(id: string, status: 'open' | 'void' = 'open'): HostedInvoiceView {
  return {
    seller: {
      name: 'Acme Inc.',
      logo_url: null,
      accent_color: null,
      address: null,
      tax_id: null,
      support_email: null,
    },
    invoice: { id, status } as HostedInvoiceView['invoice'],
    customer: { name: 'Globex Corp', email: null, billing_address: null },
  };
}

function countingRenderer() {
  const renders: string[] = [];
  const render = async ({ invoice }: HostedInvoiceView) => {
    renders.push(`${invoice.id}:${invoice.status}`);
    return Buffer.from(`%PDF- ${invoice.id} ${invoice.status}`);
  };
  return { renders, render };
}

describe('cachedInvoicePdf', () => {
  it('renders an invoice once for any number of requests', async () => {
    const { renders, render } = countingRenderer();
    const renderPdf = cachedInvoicePdf(render);
    const [first, second] = await Promise.all([renderPdf(view('inv_1')), renderPdf(view('inv_1'))]);
    expect((await renderPdf(view('inv_1'))).toString()).toBe('%PDF- inv_1 open');
    expect(second).toBe(first);
    expect(renders).toEqual(['inv_1:open']);
  });

  it('renders again once the invoice changed, so a voided invoice gets its VOID stamp', async () => {
    const { renders, render } = countingRenderer();
    const renderPdf = cachedInvoicePdf(render);
    await renderPdf(view('inv_1'));
    expect((await renderPdf(view('inv_1', 'void'))).toString()).toBe('%PDF- inv_1 void');
    await renderPdf(view('inv_1', 'void'));
    expect(renders).toEqual(['inv_1:open', 'inv_1:void']);
  });

  it('forgets the least recently asked invoice past its bound, and a render that failed', async () => {
    const { renders, render } = countingRenderer();
    let failNext = true;
    const renderPdf = cachedInvoicePdf(async (asked) => {
      if (failNext) {
        failNext = false;
        throw new Error('pdfkit failed');
      }
      return render(asked);
    }, 2);
    await expect(renderPdf(view('inv_0'))).rejects.toThrow('pdfkit failed');
    await renderPdf(view('inv_0'));
    await renderPdf(view('inv_1'));
    await renderPdf(view('inv_0'));
    await renderPdf(view('inv_2'));
    await renderPdf(view('inv_0'));
    await renderPdf(view('inv_1'));
    expect(renders).toEqual(['inv_0:open', 'inv_1:open', 'inv_2:open', 'inv_1:open']);
  });
});

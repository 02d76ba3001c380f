import { escapeHtml } from './escapeHtml';
import {
  billingAddressLines,
  dueDate,
  finalizedDate,
  formatMoney,
  type HostedInvoiceView,
  lineNotes,
  linePeriod,
  statusLabels,
} from './hostedInvoiceView';
import type { HostedPayment } from './hostedPayment';
import { paySectionStyles, renderPaySection } from './renderPaySection';

const styles = `
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1a1a1a;max-width:760px;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin:0 0 .25rem}
.status{display:inline-block;padding:.2rem .6rem;border-radius:4px;font-weight:600;background:#eef}
.status-paid{background:#e6f6ea;color:#1b6b34}.status-void{background:#fde8e8;color:#9b1c1c}
table{width:100%;border-collapse:collapse;margin:1.5rem 0}
th,td{text-align:left;padding:.5rem;border-bottom:1px solid #ddd}
td.num,th.num{text-align:right}
.parties{display:flex;gap:3rem;margin:1.5rem 0}
.totals td{border:none}
.download{margin:1rem 0}
.period{color:#666;font-size:.85em}
@media print{.download{display:none}body{margin:0;max-width:none;color:#000}.status{border:1px solid #000;background:none!important;color:#000!important}a{color:#000;text-decoration:none}}
`;

/**
 * The hosted invoice as a printable HTML page; `pdfHref` is where its "Download PDF" link points, `payment` how it can
 * be paid (renderPaySection).
 */
export function renderInvoicePage(
  { sellerName, invoice, customer }: HostedInvoiceView,
  pdfHref: string,
  payment: HostedPayment | null = null,
): string {
  const money = (cents: number) => escapeHtml(formatMoney(cents, invoice.currency));
  const addressLines = billingAddressLines(customer);
  const lines = invoice.line_items
    .map(
      (line) =>
        `<tr><td>${escapeHtml(line.description)}${periodNote(line, invoice.currency)}</td>` +
        `<td class="num">${escapeHtml(line.quantity)}</td>` +
        `<td class="num">${line.unit_amount_cents === null ? '—' : money(line.unit_amount_cents)}</td>` +
        `<td class="num">${money(line.amount_cents)}</td></tr>`,
    )
    .join('\n');
  const status = invoice.status;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Invoice ${escapeHtml(invoice.invoice_number)} from ${escapeHtml(sellerName)}</title>
<style>${styles}${paySectionStyles}</style>
</head>
<body>
<header>
<h1>Invoice ${escapeHtml(invoice.invoice_number)}</h1>
<p class="status status-${escapeHtml(status)}">Status: ${escapeHtml(statusLabels[status] ?? status)}</p>
<p class="download"><a href="${escapeHtml(pdfHref)}" download>Download PDF</a></p>
</header>
<section class="parties">
<div><h2>From</h2><p>${escapeHtml(sellerName)}</p></div>
<div><h2>Bill to</h2><p>${escapeHtml(customer.name)}</p>${customer.email ? `<p>${escapeHtml(customer.email)}</p>` : ''}${addressLines.map((line) => `<p>${escapeHtml(line)}</p>`).join('')}</div>
</section>
<dl>
<dt>Invoice number</dt><dd>${escapeHtml(invoice.invoice_number)}</dd>
<dt>Date finalized</dt><dd>${escapeHtml(finalizedDate(invoice))}</dd>
<dt>Due date</dt><dd>${escapeHtml(dueDate(invoice))}</dd>
</dl>
<table>
<thead><tr><th>Description</th><th class="num">Quantity</th><th class="num">Unit price</th><th class="num">Amount</th></tr></thead>
<tbody>
${lines}
</tbody>
<tfoot class="totals">
<tr><td colspan="3" class="num">Subtotal</td><td class="num">${money(invoice.subtotal_cents)}</td></tr>
<tr><td colspan="3" class="num">Total</td><td class="num">${money(invoice.total_cents)}</td></tr>
<tr><td colspan="3" class="num">Amount paid</td><td class="num">${money(invoice.amount_paid_cents)}</td></tr>
${invoice.amount_refunded_cents ? `<tr><td colspan="3" class="num">Amount refunded</td><td class="num">${money(invoice.amount_refunded_cents)}</td></tr>\n` : ''}<tr><td colspan="3" class="num"><strong>Amount due</strong></td><td class="num"><strong>${money(invoice.amount_due_cents)}</strong></td></tr>
</tfoot>
</table>
${renderPaySection(invoice, payment)}
</body>
</html>
`;
}

export function renderNotFoundPage(): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="robots" content="noindex"><title>Invoice not found</title><style>${styles}</style></head>
<body><h1>Invoice not found</h1><p>This invoice link is not valid.</p></body>
</html>
`;
}

/** The line's period, then its units or grants (`lineNotes`), each on a line of its own under the description. */
function periodNote(line: HostedInvoiceView['invoice']['line_items'][number], currency: string): string {
  const period = linePeriod(line);
  const notes = [...(period === null ? [] : [period]), ...lineNotes(line, currency)];
  return notes.map((note) => `<div class="period">${escapeHtml(note)}</div>`).join('');
}

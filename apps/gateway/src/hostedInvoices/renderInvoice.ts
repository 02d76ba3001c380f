import { formatMoney } from '@afternoon/billing-core/moneyFormat';
import { escapeHtml } from './escapeHtml';
import {
  billingAddressLines,
  dueDate,
  finalizedDate,
  type HostedInvoiceView,
  type InvoiceSeller,
  lineNotes,
  linePeriod,
  paidDate,
  sellerDetailLines,
  statusLabels,
} from './hostedInvoiceView';
import type { HostedPayment } from './hostedPayment';
import { paySectionStyles, renderPaySection } from './renderPaySection';

/** The accent when the organization's profile sets none. */
export const defaultAccentColor = '#1f4fd1';

const styles = `
:root{--accent:${defaultAccentColor}}
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
.brand{display:flex;align-items:center;gap:1rem;border-bottom:4px solid var(--accent);padding-bottom:1rem;margin-bottom:1.5rem}
.brand img{max-height:64px;max-width:220px}.brand .seller{font-size:1.3rem;font-weight:700;color:var(--accent)}
.summary{border:2px solid var(--accent);border-radius:8px;padding:1rem 1.25rem;margin:1.5rem 0}
.amount-due{font-size:2.2rem;font-weight:700;margin:.25rem 0;color:var(--accent)}
.stamp{display:inline-block;border:4px solid #1b6b34;color:#1b6b34;font-size:2rem;font-weight:800;letter-spacing:.2em;padding:.1rem .8rem;transform:rotate(-6deg)}
.receipt{color:#1b6b34;font-weight:600}
.seller-details p{margin:.15rem 0}
@media print{.download{display:none}body{margin:0;max-width:none;color:#000}.status{border:1px solid #000;background:none!important;color:#000!important}a{color:#000;text-decoration:none}}
`;

/**
 * The hosted invoice as a printable HTML page, branded with the seller's profile; `pdfHref` is where its "Download
 * PDF" link points, `payment` how it can be paid (renderPaySection). Its styles are inline `<style>` blocks the
 * route's Content-Security-Policy allows by hash.
 */
export function renderInvoicePage(
  { seller, invoice, customer }: HostedInvoiceView,
  pdfHref: string,
  payment: HostedPayment | null = null,
): string {
  const sellerName = seller.name;
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
${accentStyle(seller)}</head>
<body>
${brandHeader(seller)}
<header>
<h1>Invoice ${escapeHtml(invoice.invoice_number)}</h1>
<p class="status status-${escapeHtml(status)}">Status: ${escapeHtml(statusLabels[status] ?? status)}</p>
${paymentSummary(invoice)}
<p class="download"><a href="${escapeHtml(pdfHref)}" download>Download PDF</a></p>
</header>
<section class="parties">
<div class="seller-details"><h2>From</h2><p>${escapeHtml(sellerName)}</p>${sellerDetailLines(seller)
    .map((line) => `<p>${escapeHtml(line)}</p>`)
    .join('')}</div>
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

// A colour from the profile is #rrggbb by its contract; checked again here because it lands inside CSS.
function accentStyle(seller: InvoiceSeller): string {
  const accent = seller.accent_color;
  return accent && /^#[0-9a-f]{6}$/i.test(accent) ? `<style>:root{--accent:${accent}}</style>\n` : '';
}

/** The seller's logo (an https image the profile names) and name, above everything else. */
function brandHeader(seller: InvoiceSeller): string {
  const logo = seller.logo_url
    ? `<img src="${escapeHtml(seller.logo_url)}" alt="${escapeHtml(seller.name)} logo">`
    : '';
  return `<div class="brand">${logo}<span class="seller">${escapeHtml(seller.name)}</span></div>`;
}

/** What the customer came for: the amount due, big, and once paid a stamp and the receipt (when, how much). */
function paymentSummary(invoice: HostedInvoiceView['invoice']): string {
  const money = (cents: number) => escapeHtml(formatMoney(cents, invoice.currency));
  if (invoice.status === 'void') return '';
  if (invoice.status === 'paid') {
    return (
      '<section class="summary" aria-label="Receipt"><span class="stamp">PAID</span>' +
      `<p class="receipt">Paid ${money(invoice.amount_paid_cents)} on ${escapeHtml(paidDate(invoice))}</p></section>`
    );
  }
  return (
    '<section class="summary" aria-label="Amount due"><div>Amount due</div>' +
    `<p class="amount-due">${money(invoice.amount_due_cents)}</p><div>Due ${escapeHtml(dueDate(invoice))}</div></section>`
  );
}

import { formatMoney } from '@afternoon/billing-core/moneyFormat';
import PDFDocument from 'pdfkit';
import {
  billingAddressLines,
  dueDate,
  finalizedDate,
  type HostedInvoiceView,
  lineNotes,
  linePeriod,
  paidDate,
  sellerDetailLines,
  statusLabels,
} from './hostedInvoiceView';
import { bold, fontFor, registerPdfFonts, regular, writeText } from './pdfFonts';
import { defaultAccentColor } from './renderInvoice';

const grey = '#555555';
const paidGreen = '#1b6b34';

/** The hosted invoice as a PDF with the same content as the page: parties, dates, lines and totals. */
export function renderInvoicePdf(view: HostedInvoiceView): Promise<Buffer> {
  const number = view.invoice.invoice_number ?? '';
  const document = new PDFDocument({
    size: 'LETTER',
    margin: 50,
    info: { Title: `Invoice ${number} from ${view.seller.name}`, Author: view.seller.name },
  });
  registerPdfFonts(document);
  const chunks: Buffer[] = [];
  document.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    document.on('end', () => resolve(Buffer.concat(chunks)));
    document.on('error', reject);
  });
  writeBrand(document, view);
  writeHeading(document, view);
  writeParties(document, view);
  writeLines(document, view);
  document.end();
  return finished;
}

/**
 * The seller's name in its accent colour over a rule of that colour. The logo is left out: printing it would mean
 * fetching the seller's URL while rendering, which a public page must not make the gateway do.
 */
function writeBrand(document: PDFKit.PDFDocument, { seller }: HostedInvoiceView) {
  const accent = seller.accent_color ?? defaultAccentColor;
  writeText(document.fontSize(16).fillColor(accent), seller.name, bold, { x: 50, y: 50 }, { width: 360 });
  const rule = document.y + 6;
  document.moveTo(50, rule).lineTo(562, rule).lineWidth(3).strokeColor(accent).stroke();
  document.fillColor('black').strokeColor('black').lineWidth(1);
  document.y = rule + 18;
}

function writeHeading(document: PDFKit.PDFDocument, { invoice }: HostedInvoiceView) {
  const status = invoice.status;
  const top = document.y;
  // Stamped big in the corner, so a voided invoice cannot be mistaken for a payable one, nor a paid one for unpaid.
  const stamp = { void: { text: 'VOID', color: '#b91c1c' }, paid: { text: 'PAID', color: paidGreen } }[
    status as string
  ];
  if (stamp) {
    document.font(bold).fontSize(36).fillColor(stamp.color).text(stamp.text, 50, top, { align: 'right' });
    document.fillColor('black').y = top;
  }
  document
    .font(bold)
    .fontSize(22)
    .text(`Invoice ${invoice.invoice_number ?? ''}`, 50, document.y);
  document
    .moveDown(0.3)
    .font(regular)
    .fontSize(11)
    .text(`Status: ${statusLabels[status] ?? status}`);
  document.moveDown(0.8).fontSize(10);
  const facts: Array<[string, string]> = [
    ['Invoice number', invoice.invoice_number ?? '—'],
    ['Date finalized', finalizedDate(invoice)],
    ['Due date', dueDate(invoice)],
  ];
  for (const [label, value] of facts) {
    document.fillColor(grey).text(`${label}: `, { continued: true }).fillColor('black').text(value);
  }
  writePaymentSummary(document, invoice);
}

/** The amount due, large, while something is due; once paid, the receipt: how much, and when. */
function writePaymentSummary(document: PDFKit.PDFDocument, invoice: HostedInvoiceView['invoice']) {
  const money = (cents: number) => formatMoney(cents, invoice.currency);
  document.moveDown(0.8);
  if (invoice.status === 'paid') {
    document
      .font(bold)
      .fontSize(13)
      .fillColor(paidGreen)
      .text(`Paid ${money(invoice.amount_paid_cents)} on ${paidDate(invoice)}`);
  } else if (invoice.status !== 'void') {
    document.font(regular).fontSize(11).fillColor(grey).text('Amount due');
    document.font(bold).fontSize(24).fillColor('black').text(money(invoice.amount_due_cents));
  }
  document.font(regular).fontSize(10).fillColor('black');
}

function writeParties(document: PDFKit.PDFDocument, { seller, customer }: HostedInvoiceView) {
  const top = document.moveDown(1.2).y;
  const column = (x: number, title: string, lines: string[]) => {
    document.font(bold).fontSize(12).text(title, x, top, { width: 230 });
    document.font(regular).fontSize(10);
    for (const line of lines) writeText(document, line, regular, { x, y: document.y }, { width: 230 });
    return document.y;
  };
  const fromBottom = column(50, 'From', [seller.name, ...sellerDetailLines(seller)]);
  const billToLines = [customer.name, ...(customer.email ? [customer.email] : []), ...billingAddressLines(customer)];
  const billToBottom = column(310, 'Bill to', billToLines);
  document.x = 50;
  document.y = Math.max(fromBottom, billToBottom);
}

function writeLines(document: PDFKit.PDFDocument, { invoice }: HostedInvoiceView) {
  const money = (cents: number) => formatMoney(cents, invoice.currency);
  const right = { align: { x: 'right' as const } };
  const strong = { font: { src: bold } };
  const total = (label: string, cents: number, emphasis = {}) => [
    { text: label, colSpan: 3, ...right, ...emphasis },
    { text: money(cents), ...right, ...emphasis },
  ];
  document.moveDown(1.5).font(regular).fontSize(10);
  document.table({
    columnStyles: ['*', 70, 100, 100],
    defaultStyle: { border: { bottom: 0.5 }, borderColor: '#cccccc', padding: 5 },
    data: [
      [
        { text: 'Description', ...strong },
        { text: 'Quantity', ...strong, ...right },
        { text: 'Unit price', ...strong, ...right },
        { text: 'Amount', ...strong, ...right },
      ],
      ...invoice.line_items.map((line) => [
        description(document, [line.description, linePeriod(line), ...lineNotes(line, invoice.currency)]),
        { text: String(line.quantity), ...right },
        { text: line.unit_amount_cents === null ? '-' : money(line.unit_amount_cents), ...right },
        { text: money(line.amount_cents), ...right },
      ]),
      total('Subtotal', invoice.subtotal_cents),
      total('Total', invoice.total_cents),
      total('Amount paid', invoice.amount_paid_cents),
      ...(invoice.amount_refunded_cents ? [total('Amount refunded', invoice.amount_refunded_cents)] : []),
      total('Amount due', invoice.amount_due_cents, strong),
    ],
  });
}

/** A line's description cell: in the CJK font when it holds any CJK (Noto Sans SC draws its Latin too). */
function description(document: PDFKit.PDFDocument, parts: (string | null)[]) {
  const text = parts.filter((part) => part !== null).join('\n');
  return { text, font: { src: fontFor(document, text, regular) } };
}

import PDFDocument from 'pdfkit';
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

// Helvetica is one of PDF's standard fonts (nothing embedded), which only cover WinAnsi: Latin-1 plus a few like — and €.
const regular = 'Helvetica';
const bold = 'Helvetica-Bold';
const grey = '#555555';

/** The hosted invoice as a PDF with the same content as the page: parties, dates, lines and totals. */
export function renderInvoicePdf(view: HostedInvoiceView): Promise<Buffer> {
  const number = view.invoice.invoice_number ?? '';
  const document = new PDFDocument({
    size: 'LETTER',
    margin: 50,
    info: { Title: `Invoice ${number} from ${view.sellerName}`, Author: view.sellerName },
  });
  const chunks: Buffer[] = [];
  document.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    document.on('end', () => resolve(Buffer.concat(chunks)));
    document.on('error', reject);
  });
  writeHeading(document, view);
  writeParties(document, view);
  writeLines(document, view);
  document.end();
  return finished;
}

function writeHeading(document: PDFKit.PDFDocument, { invoice }: HostedInvoiceView) {
  const status = invoice.status;
  if (status === 'void') {
    // Stamped big and red in the corner, so a voided invoice cannot be mistaken for a payable one.
    document.font(bold).fontSize(36).fillColor('#b91c1c').text('VOID', 50, 50, { align: 'right' });
    document.fillColor('black').y = 50;
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
}

function writeParties(document: PDFKit.PDFDocument, { sellerName, customer }: HostedInvoiceView) {
  const top = document.moveDown(1.2).y;
  const column = (x: number, title: string, lines: string[]) => {
    document.font(bold).fontSize(12).text(title, x, top, { width: 230 });
    document.font(regular).fontSize(10);
    for (const line of lines) document.text(line, x, document.y, { width: 230 });
    return document.y;
  };
  const fromBottom = column(50, 'From', [sellerName]);
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
        [line.description, linePeriod(line), ...lineNotes(line, invoice.currency)]
          .filter((text) => text !== null)
          .join('\n'),
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

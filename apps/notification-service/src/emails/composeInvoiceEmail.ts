import type { InvoiceEmailKind } from '@afternoon/contracts/invoiceEmails';
import type { InvoicePayload } from '@afternoon/contracts/webhookCatalog';
import { formatInvoiceAmount } from './invoiceAmount';

/** An email as the SMTP client takes it, but for the PDF. */
export interface ComposedEmail {
  from: string;
  replyTo?: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Sender {
  fromAddress: string;
  replyTo: string | null;
}

/**
 * The customer's email about an invoice: the invoice itself on finalize (number, amount due, due date, the payment
 * link) or a receipt once it is paid (the amount paid). The sender is named by its address: notification-service
 * does not know organizations' names.
 */
export function composeInvoiceEmail(
  kind: InvoiceEmailKind,
  invoice: InvoicePayload,
  to: string,
  sender: Sender,
): ComposedEmail {
  const number = invoice.invoice_number ?? invoice.id;
  const link = invoice.public_invoice_url;
  const facts: [string, string][] =
    kind === 'invoice'
      ? [
          ['Invoice', number],
          ['Amount due', formatInvoiceAmount(invoice.amount_due_cents, invoice.currency)],
          ['Due date', invoice.due_date?.slice(0, 10) ?? 'on receipt'],
        ]
      : [
          ['Invoice', number],
          ['Amount paid', formatInvoiceAmount(invoice.amount_paid_cents, invoice.currency)],
          ['Paid on', invoice.status_transitions.paid_at?.slice(0, 10) ?? '—'],
        ];
  const subject =
    kind === 'invoice'
      ? `Invoice ${number} from ${sender.fromAddress}`
      : `Receipt for invoice ${number} from ${sender.fromAddress}`;
  const intro =
    kind === 'invoice'
      ? `Here is invoice ${number}; the PDF is attached.`
      : `Thank you: invoice ${number} is paid. The PDF is attached.`;
  const linkText = link ? (kind === 'invoice' ? `Pay or view it online: ${link}` : `View it online: ${link}`) : '';
  const text = [intro, '', ...facts.map(([label, value]) => `${label}: ${value}`), '', linkText].join('\n').trim();
  const html = [
    `<p>${escapeHtml(intro)}</p>`,
    `<table>${facts.map(([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`).join('')}</table>`,
    link
      ? `<p><a href="${escapeHtml(link)}">${kind === 'invoice' ? 'Pay or view' : 'View'} invoice ${escapeHtml(number)}</a></p>`
      : '',
  ].join('\n');
  return {
    from: sender.fromAddress,
    ...(sender.replyTo ? { replyTo: sender.replyTo } : {}),
    to,
    subject,
    text,
    html,
  };
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

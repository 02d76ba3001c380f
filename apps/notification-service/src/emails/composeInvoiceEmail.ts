import { formatMoney } from '@afternoon/billing-core/moneyFormat';
import type { InvoiceEmailKind } from '@afternoon/contracts/invoiceEmails';
import type { InvoicePayload } from '@afternoon/contracts/webhookCatalog';

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

/** What each kind of email says: its facts, subject, opening line and link text. */
function wordingOf(kind: InvoiceEmailKind, invoice: InvoicePayload, number: string, from: string) {
  const due = invoice.due_date?.slice(0, 10) ?? 'on receipt';
  const amountDue = formatMoney(invoice.amount_due_cents, invoice.currency);
  const owed: [string, string][] = [
    ['Invoice', number],
    ['Amount due', amountDue],
    ['Due date', due],
  ];
  switch (kind) {
    case 'invoice':
      return {
        facts: owed,
        subject: `Invoice ${number} from ${from}`,
        intro: `Here is invoice ${number}; the PDF is attached.`,
        pay: true,
      };
    case 'reminder_before_due':
      return {
        facts: owed,
        subject: `Reminder: invoice ${number} from ${from} is due on ${due}`,
        intro: `A reminder: invoice ${number} is due on ${due}. The PDF is attached.`,
        pay: true,
      };
    case 'reminder_overdue':
      return {
        facts: owed,
        subject: `Overdue: invoice ${number} from ${from} was due on ${due}`,
        intro: `Invoice ${number} was due on ${due} and is not paid yet. The PDF is attached.`,
        pay: true,
      };
    case 'receipt':
      return {
        facts: [
          ['Invoice', number],
          ['Amount paid', formatMoney(invoice.amount_paid_cents, invoice.currency)],
          ['Paid on', invoice.status_transitions.paid_at?.slice(0, 10) ?? '—'],
        ] as [string, string][],
        subject: `Receipt for invoice ${number} from ${from}`,
        intro: `Thank you: invoice ${number} is paid. The PDF is attached.`,
        pay: false,
      };
    default: {
      const unknown: never = kind;
      return unknown;
    }
  }
}

/**
 * The customer's email about an invoice: the invoice itself on finalize (number, amount due, due date, the payment
 * link), a reminder before or after its due date, or a receipt once it is paid (the amount paid). The sender is
 * named by its address: notification-service does not know organizations' names.
 */
export function composeInvoiceEmail(
  kind: InvoiceEmailKind,
  invoice: InvoicePayload,
  to: string,
  sender: Sender,
): ComposedEmail {
  const number = invoice.invoice_number ?? invoice.id;
  const link = invoice.public_invoice_url;
  const { facts, subject, intro, pay } = wordingOf(kind, invoice, number, sender.fromAddress);
  const linkText = link ? (pay ? `Pay or view it online: ${link}` : `View it online: ${link}`) : '';
  const text = [intro, '', ...facts.map(([label, value]) => `${label}: ${value}`), '', linkText].join('\n').trim();
  const html = [
    `<p>${escapeHtml(intro)}</p>`,
    `<table>${facts.map(([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`).join('')}</table>`,
    link
      ? `<p><a href="${escapeHtml(link)}">${pay ? 'Pay or view' : 'View'} invoice ${escapeHtml(number)}</a></p>`
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

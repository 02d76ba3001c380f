import type { InvoicePayload } from '@afternoon/contracts/webhookCatalog';
import { describe, expect, it } from 'vitest';
import { composeInvoiceEmail } from './composeInvoiceEmail';
import { finalizedInvoice as finalized } from './invoiceEmails.testing';

const sender = { fromAddress: 'billing@acme.example', replyTo: 'help@acme.example' };

describe('composeInvoiceEmail', () => {
  it('tells the invoice: number, amount due, due date and the payment link, from the sender to the customer', () => {
    const email = composeInvoiceEmail('invoice', finalized, 'billing@wayne.example', sender);
    expect(email).toMatchObject({
      from: 'billing@acme.example',
      replyTo: 'help@acme.example',
      to: 'billing@wayne.example',
      subject: 'Invoice INV-0001 from billing@acme.example',
    });
    for (const part of [email.text, email.html]) {
      expect(part).toContain('INV-0001');
      expect(part).toContain('$1,234.50');
      expect(part).toContain('2027-01-31');
      expect(part).toContain('http://localhost:3000/inv/tok_abc');
    }
  });

  it('formats a yen invoice without decimals', () => {
    const yen = { ...finalized, currency: 'jpy', amount_due_cents: 1500 };
    expect(composeInvoiceEmail('invoice', yen, 'a@b.example', sender).text).toContain('Amount due: ¥1,500');
  });

  it('tells a receipt the amount paid', () => {
    const paid: InvoicePayload = {
      ...finalized,
      status: 'paid',
      amount_paid_cents: 123_450,
      amount_due_cents: 0,
      status_transitions: { ...finalized.status_transitions, paid_at: '2027-01-15T10:00:00.000Z' },
    };
    const email = composeInvoiceEmail('receipt', paid, 'billing@wayne.example', { ...sender, replyTo: null });
    expect(email.subject).toBe('Receipt for invoice INV-0001 from billing@acme.example');
    expect(email.text).toContain('Amount paid: $1,234.50');
    expect(email.text).toContain('Paid on: 2027-01-15');
    expect(email).not.toHaveProperty('replyTo');
  });

  it('escapes what the invoice says in the HTML', () => {
    const odd = { ...finalized, invoice_number: '<b>INV</b>' };
    expect(composeInvoiceEmail('invoice', odd, 'a@b.example', sender).html).not.toContain('<b>INV</b>');
  });

  it('reminds of the invoice before its due date and after it, with the amount due and the payment link', () => {
    const before = composeInvoiceEmail('reminder_before_due', finalized, 'billing@wayne.example', sender);
    expect(before.subject).toBe('Reminder: invoice INV-0001 from billing@acme.example is due on 2027-01-31');
    expect(before.text).toContain('Amount due: $1,234.50');
    expect(before.text).toContain(`Pay or view it online: ${finalized.public_invoice_url}`);
    const overdue = composeInvoiceEmail('reminder_overdue', finalized, 'billing@wayne.example', sender);
    expect(overdue.subject).toBe('Overdue: invoice INV-0001 from billing@acme.example was due on 2027-01-31');
    expect(overdue.text).toContain('was due on 2027-01-31 and is not paid yet');
  });
});

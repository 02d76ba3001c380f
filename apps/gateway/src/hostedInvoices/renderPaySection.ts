import { formatMoney } from '@afternoon/billing-core/moneyFormat';
import type { Invoice } from '@afternoon/contracts/invoices';
import { escapeHtml } from './escapeHtml';
import type { HostedPayment } from './hostedPayment';

/** The section's own rules, appended to the page's stylesheet. */
export const paySectionStyles = `
.pay{margin:1.5rem 0;padding:1rem;border:1px solid #ddd;border-radius:6px}
.pay button{font:inherit;font-weight:600;padding:.6rem 1.4rem;border:0;border-radius:4px;background:#1a56db;color:#fff;cursor:pointer}
.pay dl{display:grid;grid-template-columns:max-content auto;gap:.25rem 1rem}
.pay .notice{color:#555}
@media print{.pay form{display:none}}
`;

/**
 * How to pay an open invoice with something due: a Pay button when the organization takes cards through Stripe, the
 * bank transfer details and the reference to quote when it takes transfers; nothing otherwise.
 */
export function renderPaySection(invoice: Invoice, payment: HostedPayment | null): string {
  if (!payment || invoice.status !== 'open' || invoice.amount_due_cents <= 0) return '';
  const { bank_transfer: bank } = payment.options;
  const stripe = payment.options.stripe && !payment.cardUnavailable;
  if (!stripe && !bank && !payment.cardUnavailable) return '';
  const due = escapeHtml(formatMoney(invoice.amount_due_cents, invoice.currency));
  const parts = [`<section class="pay" aria-labelledby="pay-heading">`, `<h2 id="pay-heading">Pay ${due}</h2>`];
  if (payment.returnedFrom === 'succeeded')
    parts.push('<p class="notice">Thank you: your payment is being confirmed, and this page shows it once it is.</p>');
  if (payment.returnedFrom === 'canceled')
    parts.push('<p class="notice">The payment was canceled; nothing was charged.</p>');
  if (payment.cardUnavailable)
    parts.push(
      `<p class="notice" role="alert">Card payment is unavailable right now; nothing was charged. ${
        bank ? 'You can pay by bank transfer below, or' : 'Please'
      } try again later.</p>`,
    );
  if (stripe)
    parts.push(
      `<form method="post" action="${escapeHtml(payment.payHref)}"><button type="submit">Pay ${due}</button></form>`,
    );
  if (stripe && payment.options.card_setup && payment.setupHref)
    parts.push(
      `<form method="post" action="${escapeHtml(payment.setupHref)}"><button type="submit">Save a card for automatic payments</button></form>`,
    );
  if (bank) {
    const rows: [string, string | undefined][] = [
      ['Account holder', bank.account_holder],
      ['IBAN', bank.iban],
      ['BIC', bank.bic],
      ['Account number', bank.account_number],
      ['Routing number', bank.routing_number],
      ['Bank', bank.bank_name],
      ['Reference', bank.reference],
    ];
    parts.push(
      `<h3>${stripe ? 'Or pay by bank transfer' : 'Pay by bank transfer'}</h3>`,
      `<p>${escapeHtml(bank.instructions)}</p>`,
      `<dl class="bank-transfer">${rows
        .filter((row): row is [string, string] => row[1] !== undefined)
        .map(([label, value]) => `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd>`)
        .join('')}</dl>`,
    );
  }
  parts.push('</section>');
  return parts.join('\n');
}

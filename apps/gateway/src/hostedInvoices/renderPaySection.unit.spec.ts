import type { Invoice } from '@afternoon/contracts/invoices';
import { describe, expect, it } from 'vitest';
import type { HostedPayment } from './hostedPayment';
import { renderPaySection } from './renderPaySection';

const open = { status: 'open', amount_due_cents: 2900, currency: 'eur' } as Invoice;
const bank = { instructions: 'Quote <the> reference', iban: 'DE89370400440532013000', reference: 'ACME-INV-0001' };
const payment = (options: HostedPayment['options'], returnedFrom: HostedPayment['returnedFrom'] = null) => ({
  options,
  payHref: 'tok_abcdefghijklmnop/pay',
  returnedFrom,
});

describe('the hosted page payment section', () => {
  it('offers a Pay button for the amount due where Stripe is set up', () => {
    const html = renderPaySection(open, payment({ stripe: true, bank_transfer: null }));
    expect(html).toContain('<form method="post" action="tok_abcdefghijklmnop/pay"><button type="submit">Pay €29.00');
    expect(html).not.toContain('bank transfer');
  });

  it('offers to save a card only where invoicing says the customer can (card_setup), next to the Pay button', () => {
    const withSetup = { ...payment({ stripe: true, bank_transfer: null, card_setup: true }), setupHref: 'tok_x/setup' };
    expect(renderPaySection(open, withSetup)).toContain(
      '<form method="post" action="tok_x/setup"><button type="submit">Save a card for automatic payments</button></form>',
    );
    const noSetup = { ...payment({ stripe: true, bank_transfer: null, card_setup: false }), setupHref: 'tok_x/setup' };
    expect(renderPaySection(open, noSetup)).not.toContain('Save a card');
    const noStripe = { ...payment({ stripe: false, bank_transfer: bank, card_setup: true }), setupHref: 'tok_x/setup' };
    expect(renderPaySection(open, noStripe)).not.toContain('Save a card');
  });

  it('shows the bank details and reference (escaped) without Stripe, and both with it', () => {
    const transferOnly = renderPaySection(open, payment({ stripe: false, bank_transfer: bank }));
    expect(transferOnly).not.toContain('<form');
    expect(transferOnly).toContain('<p>Quote &lt;the&gt; reference</p>');
    expect(transferOnly).toContain('<dt>Reference</dt><dd>ACME-INV-0001</dd>');
    const both = renderPaySection(open, payment({ stripe: true, bank_transfer: bank }));
    expect(both).toContain('<form');
    expect(both).toContain('Or pay by bank transfer');
  });

  it('says nothing where there is nothing to pay or no way to pay', () => {
    const options = { stripe: true, bank_transfer: bank };
    expect(renderPaySection({ ...open, status: 'paid', amount_due_cents: 0 }, payment(options))).toBe('');
    expect(renderPaySection({ ...open, status: 'void' }, payment(options))).toBe('');
    expect(renderPaySection(open, payment({ stripe: false, bank_transfer: null }))).toBe('');
    expect(renderPaySection(open, null)).toBe('');
  });

  it('says what happened when the customer comes back from the checkout', () => {
    const options = { stripe: true, bank_transfer: null };
    expect(renderPaySection(open, payment(options, 'succeeded'))).toContain('your payment is being confirmed');
    expect(renderPaySection(open, payment(options, 'canceled'))).toContain('nothing was charged');
  });

  it('says card payment is unavailable instead of the Pay button, pointing to the bank transfer when there is one', () => {
    const unavailable = (options: HostedPayment['options']) => ({ ...payment(options), cardUnavailable: true });
    const withBank = renderPaySection(open, unavailable({ stripe: true, bank_transfer: bank }));
    expect(withBank).toContain(
      'Card payment is unavailable right now; nothing was charged. You can pay by bank transfer',
    );
    expect(withBank).not.toContain('<form');
    expect(withBank).toContain('<dt>Reference</dt><dd>ACME-INV-0001</dd>');
    const cardOnly = renderPaySection(open, unavailable({ stripe: true, bank_transfer: null }));
    expect(cardOnly).toContain('Card payment is unavailable right now; nothing was charged. Please try again later.');
    expect(cardOnly).not.toContain('<form');
  });
});

import { ResourceId } from '@afternoon/contracts/common';
import { describe, expect, it } from 'vitest';
import { creditAfterRefund, overpaymentGrant, overpaymentGrantId, remainderGrantId } from './overpaymentCredit';

describe('an overpayment as customer credit', () => {
  it('derives one grant id per payment, and another per refund for what is left after it', () => {
    expect(overpaymentGrantId('pabc')).toBe(overpaymentGrantId('pabc'));
    expect(overpaymentGrantId('pabc')).not.toBe(overpaymentGrantId('pabd'));
    expect(remainderGrantId('pabc')).not.toBe(overpaymentGrantId('pabc'));
    expect(ResourceId.safeParse(overpaymentGrantId('pabc')).success).toBe(true);
  });

  it("grants the excess in the invoice's currency, named after the invoice, never expiring", () => {
    const grant = overpaymentGrant(
      {
        invoiceId: 'i1',
        invoiceNumber: 'INV-0007',
        paymentId: 'p1',
        currency: 'usd',
        subscriptionId: 's1',
        amountCents: 2000,
      },
      'g1',
    );
    expect(grant).toEqual({
      grant_id: 'g1',
      subscription_id: 's1',
      name: 'Overpayment on INV-0007',
      amount: '2000',
      denomination: { type: 'currency', code: 'usd' },
      expires_at: null,
      priority: 0,
      metadata: { source: 'overpayment', invoice_id: 'i1', payment_id: 'p1' },
    });
  });

  it('takes a refund from the unused credit first: voided, and what is left of it granted again', () => {
    // 2,000 of credit unused, 500 refunded: the credit goes, 1,500 is granted again.
    expect(creditAfterRefund(2000, 500)).toEqual({ voidCredit: true, remainderCents: 1500 });
    // The whole overpayment refunded: nothing is left.
    expect(creditAfterRefund(2000, 2000)).toEqual({ voidCredit: true, remainderCents: 0 });
    // 800 of the credit already paid for usage (1,200 unused), 2,000 refunded: 1,200 voided, 800 from the invoice.
    expect(creditAfterRefund(1200, 2000)).toEqual({ voidCredit: true, remainderCents: 0 });
    // All of it used, or no credit at all: the refund is the invoice's money only.
    expect(creditAfterRefund(0, 2000)).toEqual({ voidCredit: false, remainderCents: 0 });
  });
});

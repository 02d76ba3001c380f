import { createHash } from 'node:crypto';
import type { CreateCreditGrant } from '@afternoon/contracts/credits';

/*
 * What a provider's payment brought beyond an invoice's amount due becomes the customer's credit in the invoice's
 * currency: a grant on the invoice's subscription (or the customer's newest one still running), never expiring, at
 * the default priority, drawn by usage like any currency grant and applied by the next invoice (ADR 0026).
 */

/** The grant an overpayment becomes: one id per payment, so however often the payment is seen, one grant. */
export const overpaymentGrantId = (paymentId: string) => grantIdOf(`overpayment:${paymentId}`);

/** The grant what was left of an overpayment's credit after a refund becomes: one id per refund. */
export const remainderGrantId = (refundId: string) => grantIdOf(`overpayment-remainder:${refundId}`);

export interface Overpayment {
  invoiceId: string;
  invoiceNumber: string | null;
  paymentId: string;
  currency: string;
  subscriptionId: string;
  amountCents: number;
}

/** The grant's data: named after the invoice, in its currency, without expiry, tagged with the payment. */
export function overpaymentGrant(overpayment: Overpayment, grantId: string, name?: string): CreateCreditGrant['data'] {
  const invoice = overpayment.invoiceNumber ?? overpayment.invoiceId;
  return {
    grant_id: grantId,
    subscription_id: overpayment.subscriptionId,
    name: name ?? `Overpayment on ${invoice}`,
    amount: String(overpayment.amountCents),
    denomination: { type: 'currency', code: overpayment.currency },
    expires_at: null,
    priority: 0,
    metadata: { source: 'overpayment', invoice_id: overpayment.invoiceId, payment_id: overpayment.paymentId },
  };
}

/** What a refund does to the credit an overpayment left. */
export interface CreditAfterRefund {
  /** Take back what remains of the credit (void its grants). */
  voidCredit: boolean;
  /** What remains of the credit once the refund is taken from it: granted again, in minor units. */
  remainderCents: number;
}

/**
 * A refund of an overpaid payment gives back the overpayment first: it is taken from what remains unused of its
 * credit (the grants are voided, and any rest granted again). What the credit already paid for is not taken back;
 * the part of a refund beyond the unused credit is a refund of the invoice's money, as any refund.
 */
export function creditAfterRefund(unusedCreditCents: number, refundedCents: number): CreditAfterRefund {
  if (unusedCreditCents <= 0) return { voidCredit: false, remainderCents: 0 };
  return { voidCredit: true, remainderCents: Math.max(0, unusedCreditCents - refundedCents) };
}

/** An Afternoon id (`g` and 24 base-36 digits) that is the same for the same seed. */
function grantIdOf(seed: string): string {
  const digest = createHash('sha256').update(seed).digest('hex');
  return `g${(BigInt(`0x${digest}`) % 36n ** 24n).toString(36).padStart(24, '0')}`;
}

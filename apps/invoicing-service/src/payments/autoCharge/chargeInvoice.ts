import { createHash } from 'node:crypto';
import type { RecordInvoiceChargeAttempt } from '@afternoon/contracts/invoices';
import type { StoredStripeSettings } from '@afternoon/contracts/paymentSettings';
import { IllegalStateError, type Tenant } from '@afternoon/service-kit';
import { type OffSessionCharge, type PaymentProvider, PaymentProviderUnavailableError } from '../paymentProvider';
import { paymentIdOf } from '../stripeWebhooks/stripeEvents';
import type { DueCharge } from './dueCharges';

/**
 * Stripe's idempotency key for an invoice's `attempt`th off-session charge: a pass that runs again before the outcome
 * is recorded (a crash, a redelivery, a slow consumer) sends the same key, and Stripe answers with the PaymentIntent
 * it made the first time instead of charging twice.
 */
export const chargeIdempotencyKey = (invoiceId: string, attempt: number) => `afternoon-charge-${invoiceId}-${attempt}`;

/**
 * Charges the invoice's amount due once for this attempt and says what to record. Stripe refusing the request
 * (an unknown customer, a payment method not theirs) is a failed attempt like a decline: retrying it unchanged cannot
 * succeed, and the merchant sees why. Stripe unreachable is thrown, and the next pass tries the same key again.
 */
export async function chargeInvoice(
  provider: PaymentProvider,
  due: DueCharge,
): Promise<RecordInvoiceChargeAttempt['data']> {
  const { invoice, attempt } = due;
  const idempotencyKey = chargeIdempotencyKey(invoice.id, attempt);
  let charge: OffSessionCharge;
  try {
    charge = await provider.chargeOffSession({
      invoiceId: invoice.id,
      organizationId: due.tenant.organizationId,
      mode: due.tenant.mode,
      amountCents: invoice.amount_due_cents,
      currency: invoice.currency,
      customer: due.stripeCustomerId,
      paymentMethod: due.paymentMethodId,
      idempotencyKey,
    });
  } catch (error) {
    if (!(error instanceof IllegalStateError || error instanceof PaymentProviderUnavailableError)) throw error;
    charge = { status: 'failed', paymentIntentId: null, failureReason: error.message };
  }
  const settings = { retry_schedule: due.retrySchedule, after_final_failure: due.afterFinalFailure };
  const common = { invoice_id: invoice.id, attempt, provider: 'stripe' as const, reference: charge.paymentIntentId };
  if (charge.status === 'succeeded')
    return {
      ...common,
      ...settings,
      // The id Stripe's webhook gives the same PaymentIntent's payment: whichever arrives second adds nothing.
      entry_id: paymentIdOf(charge.paymentIntentId),
      status: 'succeeded',
      amount_cents: charge.amountCents,
      failure_reason: null,
    };
  return {
    ...common,
    ...settings,
    entry_id: attemptIdOf(idempotencyKey),
    status: 'failed',
    amount_cents: invoice.amount_due_cents,
    failure_reason: charge.failureReason,
  };
}

/** The failed attempt's id (an Afternoon id), the same for every pass that makes the same attempt. */
function attemptIdOf(idempotencyKey: string): string {
  const digest = createHash('sha256').update(`charge-attempt:${idempotencyKey}`).digest('hex');
  return `a${(BigInt(`0x${digest}`) % 36n ** 24n).toString(36).padStart(24, '0')}`;
}

/** The provider that charges a tenant's invoices, opened with its sealed Stripe key. */
export interface ChargeProviders {
  providerFor(tenant: Tenant, stripe: StoredStripeSettings): PaymentProvider;
}

import type Stripe from 'stripe';
import type { SetupRequest } from './paymentProvider';

/**
 * A setup-mode Checkout Session (https://docs.stripe.com/payments/save-and-reuse?platform=checkout): it charges
 * nothing, saves the card for off-session use, and makes Stripe's customer as it completes (`customer_creation`,
 * which setup mode takes). The session and its SetupIntent name the Afternoon customer, so the completed session's
 * event says whom to link.
 */
export function setupSessionParams(request: SetupRequest): Stripe.Checkout.SessionCreateParams {
  const metadata = {
    organization_id: request.organizationId,
    mode: request.mode,
    customer_id: request.customerId,
    invoice_id: request.invoiceId,
  };
  return {
    mode: 'setup',
    currency: request.currency.toLowerCase(),
    customer_creation: 'always',
    client_reference_id: request.customerId,
    metadata,
    setup_intent_data: { metadata },
    success_url: request.successUrl,
    cancel_url: request.cancelUrl,
  };
}

/** One setup session per customer and invoice page: a retried or repeated click gets the same one back. */
export const setupIdempotencyKey = (organizationId: string, mode: string, customerId: string, invoiceId: string) =>
  `afternoon-setup-${organizationId}-${mode}-${customerId}-${invoiceId}`;

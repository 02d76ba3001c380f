import { DomainError } from '@afternoon/service-kit';

/*
 * The port invoicing takes payments through. A provider opens a hosted checkout for one invoice's amount due; the
 * Stripe adapter is the one there is (stripeProvider.ts). Amounts are integer minor units of the invoice's currency.
 */

/** One payment of `amountCents` for an invoice, sent back to `successUrl` or `cancelUrl` afterwards. */
export interface CheckoutRequest {
  invoiceId: string;
  invoiceNumber: string | null;
  organizationId: string;
  mode: string;
  amountCents: number;
  currency: string;
  successUrl: string;
  cancelUrl: string;
  /** The same key makes the provider answer with the session it made the first time, never a second one. */
  idempotencyKey: string;
}

/** A checkout the customer is sent to, open until `expiresAt`. */
export interface ProviderCheckoutSession {
  id: string;
  url: string;
  expiresAt: string;
}

export interface PaymentProvider {
  createCheckoutSession(request: CheckoutRequest): Promise<ProviderCheckoutSession>;
}

/**
 * Card payment cannot be started, for a reason neither the payer nor a retry fixes: the provider refused the request
 * (a revoked key, a currency the account cannot take) or its key does not open here. Tagged `payment_provider`, so
 * the hosted page tells the payer card payment is unavailable instead of sending them back without a word.
 */
export class PaymentProviderUnavailableError extends DomainError {
  constructor(message: string) {
    super('INVALID_STATE', message, 'payment_provider');
  }
}

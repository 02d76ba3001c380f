import { DomainError } from '@afternoon/service-kit';

/*
 * The port invoicing takes payments through. A provider opens a hosted checkout for one invoice's amount due, or
 * charges a customer's saved payment method off-session; the Stripe adapter is the one there is (stripeProvider.ts). Amounts are integer minor units of the invoice's currency.
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

/** One off-session charge of `amountCents` for an invoice, to the provider's customer and payment method. */
export interface OffSessionChargeRequest {
  invoiceId: string;
  organizationId: string;
  mode: string;
  amountCents: number;
  currency: string;
  /** The provider's customer (`cus_…`). */
  customer: string;
  /** The payment method to charge; null: the customer's own default for invoices. */
  paymentMethod: string | null;
  /** The same key makes the provider answer with the charge it made the first time, never a second one. */
  idempotencyKey: string;
}

/**
 * What the provider made of the charge: the money taken, or a failure that is the payment's (a declined card,
 * authentication the customer must give, no payment method). The world's failures (the provider down) are thrown.
 */
export type OffSessionCharge =
  | { status: 'succeeded'; paymentIntentId: string; amountCents: number }
  | { status: 'failed'; paymentIntentId: string | null; failureReason: string };

/** A setup-mode checkout that saves the customer's card for off-session charges, and makes the provider's customer. */
export interface SetupRequest {
  invoiceId: string;
  customerId: string;
  organizationId: string;
  mode: string;
  currency: string;
  successUrl: string;
  cancelUrl: string;
  idempotencyKey: string;
}

export interface PaymentProvider {
  createCheckoutSession(request: CheckoutRequest): Promise<ProviderCheckoutSession>;
  createSetupSession(request: SetupRequest): Promise<ProviderCheckoutSession>;
  /** The payment method a completed setup saved (null while it has none). */
  setupPaymentMethod(setupIntentId: string): Promise<string | null>;
  chargeOffSession(request: OffSessionChargeRequest): Promise<OffSessionCharge>;
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

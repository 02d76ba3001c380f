import { IllegalStateError, NotYetError } from '@afternoon/service-kit';
import Stripe from 'stripe';
import {
  type CheckoutRequest,
  type PaymentProvider,
  PaymentProviderUnavailableError,
  type ProviderCheckoutSession,
  type SetupRequest,
} from './paymentProvider';
import { toStripeChargeAmount } from './stripeAmounts';
import { chargeOffSession } from './stripeOffSessionCharge';
import { setupSessionParams } from './stripeSetupSession';

/** Where the Stripe client sends its requests: Stripe's own API unless `STRIPE_API_BASE` names another server. */
export function stripeClientOptions(apiBase: string | undefined): Stripe.StripeConfig {
  const base: Stripe.StripeConfig = { maxNetworkRetries: 2, timeout: 15_000 };
  if (!apiBase) return base;
  const url = new URL(apiBase);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { ...base, host: url.hostname, port: url.port || (protocol === 'http' ? 80 : 443), protocol };
}

/** The Checkout Session's parameters: one line of the amount due, tagged with the invoice and its tenant. */
export function checkoutSessionParams(request: CheckoutRequest): Stripe.Checkout.SessionCreateParams {
  const metadata = { invoice_id: request.invoiceId, organization_id: request.organizationId, mode: request.mode };
  return {
    mode: 'payment',
    line_items: [
      {
        quantity: 1,
        price_data: {
          currency: request.currency.toLowerCase(),
          // Stripe counts some currencies' minor units differently from ISO 4217 (ISK, UGX, MGA…).
          unit_amount: toStripeChargeAmount(request.amountCents, request.currency),
          product_data: { name: request.invoiceNumber ? `Invoice ${request.invoiceNumber}` : 'Invoice' },
        },
      },
    ],
    client_reference_id: request.invoiceId,
    metadata,
    // The payment intent carries the same tags, so its own events (payment_intent.*) name the invoice too.
    payment_intent_data: { metadata },
    success_url: request.successUrl,
    cancel_url: request.cancelUrl,
  };
}

/** Stripe through its official client; `apiBase` points it at another server (a local one in tests). */
export function stripeProvider(secretKey: string, apiBase?: string): PaymentProvider {
  const stripe = new Stripe(secretKey, stripeClientOptions(apiBase));
  return {
    async createCheckoutSession(request: CheckoutRequest): Promise<ProviderCheckoutSession> {
      let session: Stripe.Checkout.Session;
      try {
        session = await stripe.checkout.sessions.create(checkoutSessionParams(request), {
          idempotencyKey: request.idempotencyKey,
        });
      } catch (error) {
        throw providerFailure(error, 'open a checkout session');
      }
      return opened(session);
    },
    async createSetupSession(request: SetupRequest): Promise<ProviderCheckoutSession> {
      let session: Stripe.Checkout.Session;
      try {
        session = await stripe.checkout.sessions.create(setupSessionParams(request), {
          idempotencyKey: request.idempotencyKey,
        });
      } catch (error) {
        throw providerFailure(error, 'open a setup session');
      }
      return opened(session);
    },
    async setupPaymentMethod(setupIntentId: string): Promise<string | null> {
      try {
        const intent = await stripe.setupIntents.retrieve(setupIntentId);
        const method = intent.payment_method;
        return typeof method === 'string' ? method : (method?.id ?? null);
      } catch (error) {
        throw providerFailure(error, 'read a setup intent');
      }
    },
    async chargeOffSession(request) {
      try {
        return await chargeOffSession(stripe, request);
      } catch (error) {
        throw providerFailure(error, 'charge off-session');
      }
    },
  };
}

function opened(session: Stripe.Checkout.Session): ProviderCheckoutSession {
  if (!session.url) throw new IllegalStateError(`Stripe opened checkout session ${session.id} without a URL`);
  return { id: session.id, url: session.url, expiresAt: new Date(session.expires_at * 1000).toISOString() };
}

// Stripe down, slow or rate limiting is the world's fault (retry later: 503); Stripe refusing the request (a revoked
// key, a currency the account cannot take) is the organization's to fix.
function providerFailure(error: unknown, action: string): Error {
  if (!(error instanceof Stripe.errors.StripeError)) return error instanceof Error ? error : new Error(String(error));
  const transient =
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeRateLimitError ||
    error instanceof Stripe.errors.StripeAPIError ||
    (error.statusCode ?? 0) >= 500;
  if (transient) return new NotYetError(`Stripe is unavailable: ${error.message}`);
  return new PaymentProviderUnavailableError(`Stripe refused to ${action}: ${error.message}`);
}

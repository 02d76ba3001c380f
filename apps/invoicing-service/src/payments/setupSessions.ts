import type { Invoice } from '@afternoon/contracts/invoices';
import { IllegalStateError, type Queryable, type Tenant } from '@afternoon/service-kit';
import { invoiceNotFound } from '../invoices/businessLogic';
import { getInvoiceByPublicToken } from '../invoices/getInvoices';
import { getCustomerPaymentProvider } from '../paymentLinks/getPaymentLinks';
import type { CheckoutDeps } from './checkoutSessions';
import type { ProviderCheckoutSession } from './paymentProvider';
import { openStripeSecretKey, storedProviders } from './storedStripeKey';
import { setupIdempotencyKey } from './stripeSetupSession';

/**
 * Whether the hosted page offers to save a card: an open `charge_automatically` invoice with something due, whose
 * customer is not linked yet (ADR 0021), in a mode that takes cards through Stripe.
 */
export async function offersCardSetup(db: Queryable, tenant: Tenant, invoice: Invoice): Promise<boolean> {
  if (invoice.status !== 'open' || invoice.collection_method !== 'charge_automatically') return false;
  if (invoice.amount_due_cents <= 0) return false;
  return (await getCustomerPaymentProvider(db, tenant, invoice.customer_id)) === null;
}

/**
 * A setup-mode Checkout Session that saves the customer's card; its completion (the Stripe webhook) links them, and
 * the billing run then charges the invoice. The same invoice page asking again gets the same session from Stripe
 * (idempotency key), so nothing is recorded here. Refused (IllegalStateError) when the page offers no card setup.
 */
export async function openSetupSession(deps: CheckoutDeps, token: string): Promise<ProviderCheckoutSession> {
  const hosted = await getInvoiceByPublicToken(deps.pool, token);
  if (!hosted) throw invoiceNotFound('public');
  const { invoice } = hosted;
  const tenant: Tenant = { organizationId: hosted.organization_id, mode: hosted.mode };
  if (!(await offersCardSetup(deps.pool, tenant, invoice)))
    throw new IllegalStateError(`invoice ${invoice.id} takes no card to save for automatic payment`);
  const { stripe } = await storedProviders(deps.pool, tenant);
  if (!stripe) throw new IllegalStateError('the organization takes no card payments (Stripe is not set up)');
  const page = invoice.public_invoice_url;
  if (!page) throw new IllegalStateError(`invoice ${invoice.id} has no hosted page to come back to`);
  const provider = deps.stripe(openStripeSecretKey(deps.secretsKey, stripe, tenant));
  return provider.createSetupSession({
    invoiceId: invoice.id,
    customerId: invoice.customer_id,
    organizationId: tenant.organizationId,
    mode: tenant.mode,
    currency: invoice.currency,
    successUrl: `${page}?setup=succeeded`,
    cancelUrl: `${page}?setup=canceled`,
    idempotencyKey: setupIdempotencyKey(tenant.organizationId, tenant.mode, invoice.customer_id, invoice.id),
  });
}

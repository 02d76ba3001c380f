import type { CheckoutSessionAnswer } from '@afternoon/contracts/invoices';
import type { HostedPaymentOptions, SetupSessionAnswer } from '@afternoon/contracts/paymentSettings';
import { Router } from 'express';
import { invoiceNotFound } from '../invoices/businessLogic';
import { getInvoiceByPublicToken } from '../invoices/getInvoices';
import { type CheckoutDeps, openCheckoutSession } from './checkoutSessions';
import { offersCardSetup, openSetupSession } from './setupSessions';
import { storedProviders } from './storedStripeKey';

const tokenFormat = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * Internal routes of the hosted page's payment section. NOT tenant-scoped, like `/public-invoices/:token`: the page
 * has no API key, so the random public token is the capability, and the tenant is the invoice's.
 */
export function paymentRoutes(deps: CheckoutDeps): Router {
  const router = Router();
  router.get('/public-invoices/:token/payment-options', async (request, response) => {
    const hosted = tokenFormat.test(request.params.token)
      ? await getInvoiceByPublicToken(deps.pool, request.params.token)
      : undefined;
    if (!hosted) throw invoiceNotFound('public');
    const tenant = { organizationId: hosted.organization_id, mode: hosted.mode };
    const { stripe, bankTransfer } = await storedProviders(deps.pool, tenant);
    const reference = `${bankTransfer?.reference_prefix ?? ''}${hosted.invoice.invoice_number ?? hosted.invoice.id}`;
    const takesCards = stripe !== null && deps.secretsKey !== null;
    response.json({
      stripe: takesCards,
      bank_transfer: bankTransfer && { ...bankTransfer, reference },
      card_setup: takesCards && (await offersCardSetup(deps.pool, tenant, hosted.invoice)),
    } satisfies HostedPaymentOptions);
  });
  // Asked again for the same invoice and amount due, it answers with the same session (see openCheckoutSession).
  router.post('/public-invoices/:token/checkout-session', async (request, response) => {
    if (!tokenFormat.test(request.params.token)) throw invoiceNotFound('public');
    const session = await openCheckoutSession(deps, request.params.token);
    response.json({ checkout_session: session } satisfies CheckoutSessionAnswer);
  });
  // The "save a card" button of a charge_automatically invoice: a setup-mode session (see openSetupSession).
  router.post('/public-invoices/:token/setup-session', async (request, response) => {
    if (!tokenFormat.test(request.params.token)) throw invoiceNotFound('public');
    const session = await openSetupSession(deps, request.params.token);
    response.json({
      setup_session: { id: session.id, url: session.url, expires_at: session.expiresAt },
    } satisfies SetupSessionAnswer);
  });
  return router;
}

import type { Logger } from '@afternoon/service-kit';
import { type Request, type Response, Router } from 'express';
import { type CheckoutOutcome, loadPaymentOptions, returnedFrom, startCardSetup, startCheckout } from './hostedPayment';
import { cachedInvoicePdf } from './invoicePdfCache';
import { type HostedInvoiceDeps, loadHostedInvoice, tokenFormat } from './loadHostedInvoice';
import { imageOriginOf, keepPrivate, noContentSecurityPolicy, pageContentSecurityPolicy } from './pageSecurity';
import { renderInvoicePage, renderNotFoundPage } from './renderInvoice';
import { renderInvoicePdf } from './renderInvoicePdf';

export interface HostedInvoiceRoutesDeps extends HostedInvoiceDeps {
  /** Says why card payment could not be started (never a secret or the page's token). */
  logger: Logger;
}

/**
 * `GET /inv/:token` and `GET /inv/:token.pdf`: the public, unauthenticated hosted invoice page and its PDF; the random
 * token is the capability.
 */
export function hostedInvoiceRoutes(deps: HostedInvoiceRoutesDeps): Router {
  const router = Router();
  const renderPdf = cachedInvoicePdf(renderInvoicePdf);
  // Before anything can answer, an error included: the strictest policy, which a rendered page then loosens to itself.
  router.use('/inv', (_request, response, next) => {
    keepPrivate(response, noContentSecurityPolicy);
    next();
  });
  // Registered first: the page's route would otherwise take "<token>.pdf" for a (malformed) token.
  router.get('/inv/:token.pdf', async (request: Request<{ token: string }>, response: Response) => {
    const view = await loadHostedInvoice(deps, request.params.token);
    if (!view) return notFound(response);
    const pdf = await renderPdf(view);
    // Quoted by hand: Express's attachment() leaves a plain name like INV-0001.pdf unquoted.
    const filename = `${view.invoice.invoice_number ?? 'invoice'}.pdf`.replace(/[^A-Za-z0-9._-]/g, '_');
    response.status(200).type('pdf').set('Content-Disposition', `attachment; filename="${filename}"`).send(pdf);
  });
  router.get('/inv/:token', async (request: Request<{ token: string }>, response: Response) => {
    const token = request.params.token;
    const [view, options] = await Promise.all([
      loadHostedInvoice(deps, token),
      tokenFormat.test(token) ? loadPaymentOptions(deps.invoicing, token) : null,
    ]);
    if (!view) return notFound(response);
    // Relative to /inv/, so the links keep working behind a proxy that mounts the gateway under a path.
    const pdfHref = `${encodeURIComponent(token)}.pdf`;
    const payment = options && {
      options,
      payHref: `${encodeURIComponent(token)}/pay`,
      setupHref: `${encodeURIComponent(token)}/setup`,
      returnedFrom: returnedFrom(request.query),
    };
    sendPage(response, 200, renderInvoicePage(view, pdfHref, payment), imageOriginOf(view.seller.logo_url));
  });
  // The Pay button: 303 to the invoice's Stripe Checkout Session (one per invoice and amount due, however often it is
  // pressed), or back to the page when there is nothing to pay by card any more.
  router.post('/inv/:token/pay', (request: Request<{ token: string }>, response: Response) =>
    sendToCheckout(deps, request.params.token, response, startCheckout),
  );
  // The "save a card" button: 303 to Stripe's setup-mode checkout; completing it links the customer (ADR 0021).
  router.post('/inv/:token/setup', (request: Request<{ token: string }>, response: Response) =>
    sendToCheckout(deps, request.params.token, response, startCardSetup),
  );
  return router;
}

async function sendToCheckout(
  deps: HostedInvoiceRoutesDeps,
  token: string,
  response: Response,
  start: (invoicing: HostedInvoiceDeps['invoicing'], token: string) => Promise<CheckoutOutcome>,
) {
  if (!tokenFormat.test(token)) return notFound(response);
  const outcome = await start(deps.invoicing, token);
  if (outcome.kind === 'not_found') return notFound(response);
  if (outcome.kind !== 'card_unavailable')
    return response.redirect(303, outcome.kind === 'checkout' ? outcome.url : `../${encodeURIComponent(token)}`);
  deps.logger.warn({ reason: outcome.reason }, 'hosted invoice payment: card payment could not be started');
  await sendCardUnavailable(deps, token, response);
}

/**
 * The page again, its Pay button replaced by the reason card payment is unavailable and the bank transfer details
 * when there are any: 503, since the payer can do nothing but wait or pay another way.
 */
async function sendCardUnavailable(deps: HostedInvoiceDeps, token: string, response: Response) {
  const [view, options] = await Promise.all([
    loadHostedInvoice(deps, token),
    loadPaymentOptions(deps.invoicing, token),
  ]);
  if (!view) return notFound(response);
  const payment = {
    options: options ?? { stripe: true, bank_transfer: null },
    payHref: `../${encodeURIComponent(token)}/pay`,
    returnedFrom: null,
    cardUnavailable: true,
  };
  const pdfHref = `../${encodeURIComponent(token)}.pdf`;
  response.set('Retry-After', '300');
  sendPage(response, 503, renderInvoicePage(view, pdfHref, payment), imageOriginOf(view.seller.logo_url));
}

function sendPage(response: Response, status: number, html: string, imageOrigins: string[] = []) {
  keepPrivate(response, pageContentSecurityPolicy(html, imageOrigins));
  response.status(status).type('html').send(html);
}

// Malformed and unknown tokens get the very same page, so nothing can be learned by probing.
function notFound(response: Response) {
  sendPage(response, 404, renderNotFoundPage());
}

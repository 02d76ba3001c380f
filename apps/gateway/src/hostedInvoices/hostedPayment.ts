import { CheckoutSessionAnswer } from '@afternoon/contracts/invoices';
import { HostedPaymentOptions, SetupSessionAnswer } from '@afternoon/contracts/paymentSettings';
import { askService, type InternalApi, ServiceRefusedError, ServiceUnavailableError } from '@afternoon/service-kit';

/** What the hosted page's payment section shows: how the invoice can be paid, and where its Pay button posts. */
export interface HostedPayment {
  options: HostedPaymentOptions;
  /** Relative to the page, like its PDF link. */
  payHref: string;
  /** Where the "save a card" button posts (charge_automatically invoices of customers without one). */
  setupHref?: string;
  /** Back from Stripe's checkout (the query its success and cancel URLs carry). */
  returnedFrom: 'succeeded' | 'canceled' | null;
  /** The Pay button was pressed and card payment could not be started: said instead of the button. */
  cardUnavailable?: boolean;
}

/**
 * How the invoice behind `token` can be paid; null when invoicing cannot say (unknown token, or briefly
 * unavailable): the page is still worth showing without its payment section.
 */
export async function loadPaymentOptions(invoicing: InternalApi, token: string): Promise<HostedPaymentOptions | null> {
  try {
    return await askService(invoicing, {
      path: `/public-invoices/${encodeURIComponent(token)}/payment-options`,
      answer: HostedPaymentOptions,
    });
  } catch (error) {
    if (error instanceof ServiceRefusedError || error instanceof ServiceUnavailableError) return null;
    throw error;
  }
}

/**
 * Where the Pay button sends the customer: the checkout session's URL, back to the page (nothing to pay by card any
 * more), nowhere (unknown token), or to a page saying card payment is unavailable, with the reason to log.
 */
export type CheckoutOutcome =
  | { kind: 'checkout'; url: string }
  | { kind: 'not_payable' }
  | { kind: 'not_found' }
  | { kind: 'card_unavailable'; reason: string };

/**
 * Asks invoicing for the invoice's Checkout Session (the same one however often it is asked for the same amount
 * due). Not payable (paid meanwhile, nothing due, no Stripe) sends the customer back to the page, which says why;
 * Stripe refusing, its key not opening, or Stripe or invoicing unreachable make card payment unavailable.
 */
export function startCheckout(invoicing: InternalApi, token: string): Promise<CheckoutOutcome> {
  return startSession(token, async () => {
    const answer = await askService(invoicing, {
      path: `/public-invoices/${encodeURIComponent(token)}/checkout-session`,
      body: {},
      answer: CheckoutSessionAnswer,
    });
    return answer.checkout_session.url;
  });
}

/** The "save a card" button: Stripe's setup-mode checkout, with the same outcomes as the Pay button's. */
export function startCardSetup(invoicing: InternalApi, token: string): Promise<CheckoutOutcome> {
  return startSession(token, async () => {
    const answer = await askService(invoicing, {
      path: `/public-invoices/${encodeURIComponent(token)}/setup-session`,
      body: {},
      answer: SetupSessionAnswer,
    });
    return answer.setup_session.url;
  });
}

async function startSession(token: string, open: () => Promise<string>): Promise<CheckoutOutcome> {
  try {
    return { kind: 'checkout', url: await open() };
  } catch (error) {
    if (error instanceof ServiceRefusedError && error.status === 404) return { kind: 'not_found' };
    const providerRefused = error instanceof ServiceRefusedError && error.error.param === 'payment_provider';
    if (error instanceof ServiceRefusedError && error.error.code === 'INVALID_STATE' && !providerRefused)
      return { kind: 'not_payable' };
    if (providerRefused || error instanceof ServiceRefusedError || error instanceof ServiceUnavailableError)
      return { kind: 'card_unavailable', reason: reasonOf(error, token) };
    throw error;
  }
}

/** Why, for the log: invoicing's code and message, the token (the page's capability) left out. */
function reasonOf(error: ServiceRefusedError | ServiceUnavailableError, token: string): string {
  const reason = error instanceof ServiceRefusedError ? `${error.error.code}: ${error.error.message}` : error.message;
  return reason.split(token).join('<token>');
}

/** `?payment=succeeded` or `?payment=canceled`, as Stripe's checkout sends the customer back. */
export function returnedFrom(query: unknown): HostedPayment['returnedFrom'] {
  const payment = (query as Record<string, unknown> | undefined)?.payment;
  return payment === 'succeeded' || payment === 'canceled' ? payment : null;
}

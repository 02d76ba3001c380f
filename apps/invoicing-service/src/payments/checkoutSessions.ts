import {
  type CheckoutSession,
  type Invoice,
  InvoiceCheckoutEvent,
  type InvoiceCheckoutSessionCreated,
  invoiceCheckoutEventWireNames,
} from '@afternoon/contracts/invoices';
import {
  ConcurrencyError,
  IllegalStateError,
  readStream,
  recordEvents,
  type Tenant,
  withTransaction,
} from '@afternoon/service-kit';
import type pg from 'pg';
import { invoiceNotFound } from '../invoices/businessLogic';
import { getInvoiceByPublicToken } from '../invoices/getInvoices';
import type { PaymentProvider } from './paymentProvider';
import { openStripeSecretKey, storedProviders } from './storedStripeKey';

export interface CheckoutDeps {
  pool: pg.Pool;
  schema: string;
  /** Full name of `invoice.events`, where the session's event is published. */
  invoiceEventsTopic: string;
  secretsKey: Buffer | null;
  stripe(secretKey: string): PaymentProvider;
  now(): Date;
}

/** A session this close to expiring is not handed out again: the customer could not finish paying in it. */
const reuseMarginMs = 10 * 60_000;
/** Two requests racing for the first session: the loser reads the winner's (the same one, by idempotency key). */
const maxRaces = 3;

export const checkoutStream = (invoiceId: string) => `invoice_checkout-${invoiceId}`;

/**
 * Stripe's idempotency key for the `attempt`th session of an invoice and amount due: a retried or concurrent request
 * makes the same key, so Stripe answers with the session it already made. A new amount due, or a session that
 * expired (`attempt` counts those recorded before), makes a new key.
 */
export const checkoutIdempotencyKey = (invoiceId: string, amountDueCents: number, attempt: number) =>
  `afternoon-checkout-${invoiceId}-${amountDueCents}-${attempt}`;

/**
 * The open Checkout Session for what the invoice behind `token` has due: the one recorded while it is still open and
 * the amount unchanged, otherwise a new one from Stripe, recorded on the invoice's checkout stream. Refused
 * (IllegalStateError) when nothing is due or the organization has no Stripe for the invoice's mode.
 */
export async function openCheckoutSession(deps: CheckoutDeps, token: string): Promise<CheckoutSession> {
  const hosted = await getInvoiceByPublicToken(deps.pool, token);
  if (!hosted) throw invoiceNotFound('public');
  const { invoice } = hosted;
  const tenant: Tenant = { organizationId: hosted.organization_id, mode: hosted.mode };
  if (invoice.status !== 'open' || invoice.amount_due_cents <= 0)
    throw new IllegalStateError(`invoice ${invoice.id} is ${invoice.status} with nothing to pay by card`);
  const { stripe } = await storedProviders(deps.pool, tenant);
  if (!stripe) throw new IllegalStateError('the organization takes no card payments (Stripe is not set up)');
  const provider = deps.stripe(openStripeSecretKey(deps.secretsKey, stripe, tenant));
  for (let race = 1; ; race++) {
    const history = (await readStream(deps.pool, checkoutStream(invoice.id), tenant)).map((stored) =>
      InvoiceCheckoutEvent.parse(stored),
    );
    const reusable = reusableSession(history, invoice, deps.now());
    if (reusable) return checkoutSessionOf(reusable);
    const created = await createSession(provider, hosted.organization_id, hosted.mode, invoice, history.length);
    const event: InvoiceCheckoutSessionCreated = {
      type: 'InvoiceCheckoutSessionCreated',
      data: { ...created, occurred_at: deps.now().toISOString() },
    };
    try {
      await record(deps, tenant, history.length, event);
      return checkoutSessionOf(event);
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || race >= maxRaces) throw error;
    }
  }
}

function reusableSession(history: InvoiceCheckoutEvent[], invoice: Invoice, now: Date) {
  const last = history.at(-1);
  if (!last) return undefined;
  const { data } = last;
  const stillOpen = Date.parse(data.expires_at) - now.getTime() > reuseMarginMs;
  return stillOpen && data.amount_cents === invoice.amount_due_cents && data.currency === invoice.currency
    ? last
    : undefined;
}

async function createSession(
  provider: PaymentProvider,
  organizationId: string,
  mode: string,
  invoice: Invoice,
  attempt: number,
): Promise<Omit<InvoiceCheckoutSessionCreated['data'], 'occurred_at'>> {
  const page = invoice.public_invoice_url;
  if (!page) throw new IllegalStateError(`invoice ${invoice.id} has no hosted page to come back to`);
  const idempotencyKey = checkoutIdempotencyKey(invoice.id, invoice.amount_due_cents, attempt);
  const session = await provider.createCheckoutSession({
    invoiceId: invoice.id,
    invoiceNumber: invoice.invoice_number,
    organizationId,
    mode,
    amountCents: invoice.amount_due_cents,
    currency: invoice.currency,
    successUrl: `${page}?payment=succeeded`,
    cancelUrl: `${page}?payment=canceled`,
    idempotencyKey,
  });
  return {
    invoice_id: invoice.id,
    provider: 'stripe',
    session_id: session.id,
    url: session.url,
    amount_cents: invoice.amount_due_cents,
    currency: invoice.currency,
    expires_at: session.expiresAt,
    idempotency_key: idempotencyKey,
  };
}

async function record(
  deps: CheckoutDeps,
  tenant: Tenant,
  version: number,
  event: InvoiceCheckoutSessionCreated,
): Promise<void> {
  const { data } = event;
  await withTransaction(deps.pool, (tx) =>
    recordEvents(tx, deps.schema, {
      streamId: checkoutStream(data.invoice_id),
      expectedVersion: version,
      events: [event],
      metadata: {
        organization_id: tenant.organizationId,
        mode: tenant.mode,
        occurred_at: data.occurred_at,
        correlation_id: data.idempotency_key,
        causation_id: data.idempotency_key,
      },
      projections: [],
      wireNames: invoiceCheckoutEventWireNames,
      topicOf: () => deps.invoiceEventsTopic,
    }),
  );
}

function checkoutSessionOf({ data }: InvoiceCheckoutSessionCreated): CheckoutSession {
  return {
    id: data.session_id,
    provider: data.provider,
    url: data.url,
    amount_cents: data.amount_cents,
    currency: data.currency,
    expires_at: data.expires_at,
  };
}

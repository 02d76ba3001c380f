import { type StripeWebhookAnswer, StripeWebhookDelivery } from '@afternoon/contracts/invoices';
import { parseInput, type Queryable, type Tenant } from '@afternoon/service-kit';
import express, { Router } from 'express';
import type pg from 'pg';
import type { PaymentProvider } from '../paymentProvider';
import { openStripeSecretKey, storedProviders } from '../storedStripeKey';
import { toInvoiceCommands } from './stripeEvents';
import { verifyStripeDelivery } from './verifyStripeDelivery';

export interface StripeWebhookDeps {
  pool: pg.Pool;
  secretsKey: Buffer | undefined;
  /** Asks Stripe what a completed setup saved (the event names the SetupIntent only). */
  stripe(secretKey: string): PaymentProvider;
}

/**
 * `POST /stripe-webhooks/:organization_id`, NOT tenant-scoped by headers: the organization is the webhook URL's, and
 * the mode is the one whose secret the signature verifies with. Answers the commands the event stands for; the
 * gateway sends them and waits for their replies.
 */
export function stripeWebhookRoutes({ pool, secretsKey, stripe }: StripeWebhookDeps): Router {
  const router = Router();
  router.post('/stripe-webhooks/:organization_id', express.json({ limit: '2mb' }), async (request, response) => {
    const organizationId = request.params.organization_id;
    const delivery = parseInput(StripeWebhookDelivery, request.body);
    const payload = Buffer.from(delivery.payload_base64, 'base64');
    const { event, mode } = await verifyStripeDelivery(pool, secretsKey, organizationId, payload, delivery.signature);
    const tenant = { organizationId, mode };
    const commands = await toInvoiceCommands(
      event,
      organizationId,
      (paymentId) => invoiceOfPayment(pool, tenant, paymentId),
      async (setupIntentId) => {
        const { stripe: settings } = await storedProviders(pool, tenant);
        if (!settings) return null;
        return stripe(openStripeSecretKey(secretsKey ?? null, settings, tenant)).setupPaymentMethod(setupIntentId);
      },
    );
    response.json({ event_id: event.id, event_type: event.type, mode, commands } satisfies StripeWebhookAnswer);
  });
  return router;
}

/** The tenant's invoice that lists the payment, from the invoices read model's folded state. */
async function invoiceOfPayment(db: Queryable, tenant: Tenant, paymentId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM invoices WHERE organization_id = $1 AND mode = $2 AND state -> 'payments' @> $3::jsonb LIMIT 1`,
    [tenant.organizationId, tenant.mode, JSON.stringify([{ id: paymentId }])],
  );
  return rows[0]?.id;
}

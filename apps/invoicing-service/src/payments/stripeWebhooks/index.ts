import type { Slice } from '@afternoon/service-kit';
import { stripeWebhookRoutes } from './api';

/** Stripe's signed events, verified and turned into invoice payments, refunds and failed attempts. */
export function stripeWebhooksSlice(secretsKey: Buffer | undefined): Slice {
  return { name: 'stripe-webhooks', routes: ({ pool }) => stripeWebhookRoutes({ pool, secretsKey }) };
}

import type { Slice } from '@afternoon/service-kit';
import { stripeProvider } from '../stripeProvider';
import { stripeWebhookRoutes } from './api';

/** Stripe's signed events, verified and turned into invoice payments, refunds, failed attempts and payment links. */
export function stripeWebhooksSlice(secretsKey: Buffer | undefined, stripeApiBase: string | undefined): Slice {
  return {
    name: 'stripe-webhooks',
    routes: ({ pool }) =>
      stripeWebhookRoutes({ pool, secretsKey, stripe: (key) => stripeProvider(key, stripeApiBase) }),
  };
}

import { Topics } from '@afternoon/contracts/topics';
import type { Slice } from '@afternoon/service-kit';
import { paymentRoutes } from './api';
import { stripeProvider } from './stripeProvider';

export interface PaymentsSettings {
  /** Opens the Stripe keys the gateway sealed (PAYMENT_SECRETS_KEY); null where the deployment has none. */
  secretsKey: Buffer | null;
  /** Another server for the Stripe client to call (STRIPE_API_BASE); Stripe's own API when undefined. */
  stripeApiBase: string | undefined;
}

/** Payments through providers: the hosted page's payment options and its Stripe Checkout Sessions. */
export function paymentsSlice(settings: PaymentsSettings): Slice {
  return {
    name: 'payments',
    produces: [Topics.invoiceEvents],
    routes: (context) =>
      paymentRoutes({
        pool: context.pool,
        schema: context.schema,
        invoiceEventsTopic: context.kafka.topic(Topics.invoiceEvents),
        secretsKey: settings.secretsKey,
        stripe: (secretKey) => stripeProvider(secretKey, settings.stripeApiBase),
        now: () => new Date(),
      }),
  };
}

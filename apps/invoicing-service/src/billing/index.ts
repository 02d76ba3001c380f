import { Topics } from '@afternoon/contracts/topics';
import type { InternalApi, Projection, ServiceContext, Slice } from '@afternoon/service-kit';
import type { InvoicingServiceEnv } from '../env';
import type { ChargeProviders } from '../payments/autoCharge/chargeInvoice';
import { openStripeSecretKey } from '../payments/storedStripeKey';
import { stripeProvider } from '../payments/stripeProvider';
import { billingRoutes } from './api';
import { type BillingRun, startBillingRun } from './billingRun';
import { billingRunWakeups, onBillingRunWakeups } from './billingRunWakeups';
import { recordBoundaryInvoices } from './recordBoundaryInvoices';

/** Metering's internal API, asked for usage when billing: its address and the token every app shares. */
function meteringApi(env: InvoicingServiceEnv): InternalApi {
  return { url: env.METERING_SERVICE_URL, token: env.INTERNAL_API_TOKEN };
}

/**
 * Billing: the upcoming-invoice and stuck-boundary reads, and (where `BILLING_RUN_ENABLED`) the billing run as the
 * slice's background work, handed to `started` once it runs. The run records invoices with every projection of the
 * service (`projections`, asked once the service runs), as the commands consumer would.
 */
export function billingSlice(
  env: InvoicingServiceEnv,
  started: (run: BillingRun) => void,
  projections: () => readonly Projection[],
): Slice {
  return {
    name: 'billing',
    projections: [billingRunWakeups],
    routes: ({ pool }) => billingRoutes({ db: pool, metering: meteringApi(env) }),
    background: env.BILLING_RUN_ENABLED
      ? [
          async (context) => {
            const billing = await startBilling(context, env, projections);
            started(billing.billingRun);
            return billing;
          },
        ]
      : [],
  };
}

/** Stripe for the run's off-session charges, opened with the deployment's PAYMENT_SECRETS_KEY; none without one. */
function chargeProviders(env: InvoicingServiceEnv): ChargeProviders | null {
  const secretsKey = env.PAYMENT_SECRETS_KEY;
  if (!secretsKey) return null;
  return {
    providerFor: (tenant, stripe) =>
      stripeProvider(openStripeSecretKey(secretsKey, stripe, tenant), env.STRIPE_API_BASE),
  };
}

/** The billing run, sending its commands through a producer of its own and woken by the projections. */
async function startBilling(
  context: ServiceContext,
  env: InvoicingServiceEnv,
  projections: () => readonly Projection[],
) {
  const producer = await context.kafka.createProducer();
  const commandsTopic = context.kafka.topic(Topics.invoiceCommands);
  const recorder = {
    pool: context.pools.background,
    schema: context.schema,
    eventsTopic: context.kafka.topic(Topics.invoiceEvents),
    projections,
  };
  const billingRun = startBillingRun({
    db: context.pools.background,
    metering: meteringApi(env),
    publicUrl: env.PUBLIC_URL,
    defaultGracePeriodMs: env.BILLING_GRACE_PERIOD_SECONDS * 1000,
    intervalMs: env.BILLING_RUN_INTERVAL_MS,
    maxCommandsPerPass: env.BILLING_RUN_MAX_COMMANDS_PER_PASS,
    boundaryRetryMs: env.BILLING_BOUNDARY_RETRY_MS,
    logger: context.logger,
    registry: context.metrics.registry,
    now: () => new Date(),
    charges: chargeProviders(env),
    recordInvoices: (invoices) => recordBoundaryInvoices(recorder, invoices),
    async sendCommand(key, command) {
      await producer.send({ topic: commandsTopic, acks: -1, messages: [{ key, value: JSON.stringify(command) }] });
    },
  });
  const stopWakeups = await onBillingRunWakeups({
    pool: context.pools.background,
    schema: context.schema,
    wake: billingRun.wake,
    logger: context.logger,
  });
  return {
    billingRun,
    async stop() {
      await stopWakeups();
      await billingRun.stop();
    },
  };
}

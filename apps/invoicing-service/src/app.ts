import { fileURLToPath } from 'node:url';
import { Topics } from '@afternoon/contracts/topics';
import { projectionsOf, type RunningService, type Slice, startService } from '@afternoon/service-kit';
import { billingSlice } from './billing';
import type { BillingRun } from './billing/billingRun';
import { billingSettingsSlice } from './billingSettings';
import { creditGrantsSlice } from './creditGrants';
import { customersSlice } from './customers';
import { InvoicingServiceEnv } from './env';
import { invoicesSlice } from './invoices';
import { overpaymentCreditsSlice } from './overpaymentCredits';
import { paymentLinksSlice } from './paymentLinks';
import { paymentSettingsSlice } from './paymentSettings';
import { paymentsSlice } from './payments';
import { stripeWebhooksSlice } from './payments/stripeWebhooks';
import { plansSlice } from './plans';
import { pricingUnitsSlice } from './pricingUnits';
import { ratingSlice } from './rating';
import { subscriptionsSlice } from './subscriptions';
import { testClocksSlice } from './testClocks';

/** The slices no setting shapes. */
const invoicingSlices = [
  customersSlice,
  invoicesSlice,
  plansSlice,
  subscriptionsSlice,
  testClocksSlice,
  pricingUnitsSlice,
  ratingSlice,
  paymentSettingsSlice,
  overpaymentCreditsSlice,
  paymentLinksSlice,
];
export const invoicingProjections = projectionsOf([
  ...invoicingSlices,
  billingSettingsSlice({ invoiceGracePeriodSeconds: billingDefaults().BILLING_GRACE_PERIOD_SECONDS }),
  creditGrantsSlice(null),
]);
export const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));
/** The service's name: its consumer groups and logs are named after it. */
export const invoicingServiceName = 'invoicing-service';

type BillingSettings =
  | 'METERING_SERVICE_URL'
  | 'PUBLIC_URL'
  | 'BILLING_GRACE_PERIOD_SECONDS'
  | 'BILLING_RUN_ENABLED'
  | 'BILLING_RUN_INTERVAL_MS'
  | 'BILLING_RUN_MAX_COMMANDS_PER_PASS'
  | 'BILLING_BOUNDARY_RETRY_MS';

/** The parsed env; a caller that never bills usage (a test) may leave the billing settings at their defaults. */
export type InvoicingServiceOptions = Omit<InvoicingServiceEnv, BillingSettings> &
  Partial<Pick<InvoicingServiceEnv, BillingSettings>>;

function billingDefaults() {
  const settings = { METERING_SERVICE_URL: true, PUBLIC_URL: true, BILLING_GRACE_PERIOD_SECONDS: true } as const;
  const run = {
    BILLING_RUN_ENABLED: true,
    BILLING_RUN_INTERVAL_MS: true,
    BILLING_RUN_MAX_COMMANDS_PER_PASS: true,
    BILLING_BOUNDARY_RETRY_MS: true,
  } as const;
  return InvoicingServiceEnv.pick({ ...settings, ...run }).parse({});
}

export interface RunningInvoicingService extends RunningService {
  /** Null where `BILLING_RUN_ENABLED` is false. */
  billingRun: BillingRun | null;
}

export async function startInvoicingService(options: InvoicingServiceOptions): Promise<RunningInvoicingService> {
  const env: InvoicingServiceEnv = { ...billingDefaults(), ...options };
  let billingRun: BillingRun | null = null;
  const slices: Slice[] = [
    ...invoicingSlices,
    billingSettingsSlice({ invoiceGracePeriodSeconds: env.BILLING_GRACE_PERIOD_SECONDS }),
    paymentsSlice({ secretsKey: env.PAYMENT_SECRETS_KEY ?? null, stripeApiBase: env.STRIPE_API_BASE }),
    stripeWebhooksSlice(env.PAYMENT_SECRETS_KEY, env.STRIPE_API_BASE),
    billingSlice(
      env,
      (run) => {
        billingRun = run;
      },
      () => projectionsOf(slices),
    ),
    // Grants expire on the customer's clock where the billing run keeps time, at its interval and bound.
    creditGrantsSlice(
      env.BILLING_RUN_ENABLED
        ? { intervalMs: env.BILLING_RUN_INTERVAL_MS, maxCommandsPerPass: env.BILLING_RUN_MAX_COMMANDS_PER_PASS }
        : null,
    ),
  ];
  const service = await startService({
    name: invoicingServiceName,
    env,
    migrationsDir,
    commands: {
      commandsTopic: Topics.invoiceCommands,
      deadLetterTopic: Topics.invoiceCommandsDeadLetter,
      eventsTopic: Topics.invoiceEvents,
      repliesTopic: Topics.gatewayReplies,
    },
    slices,
  });
  return { ...service, billingRun };
}

import { fileURLToPath } from 'node:url';
import { Topics } from '@afternoon/contracts/topics';
import { type InternalApi, type RunningService, startService } from '@afternoon/service-kit';
import { billingRoutes } from './billing/api';
import { type BillingRun, startBillingRun } from './billing/billingRun';
import { onBillingRunWakeups } from './billing/billingRunWakeups';
import { billingSettingsAggregate, billingSettingsProjection, billingSettingsRoutes } from './billingSettings';
import { customersConsumer } from './customers/knownCustomers';
import { InvoicingServiceEnv } from './env';
import { invoiceAggregate, invoiceRoutes, invoicesProjection } from './invoices';
import { metersConsumer, planAggregate, planRoutes, plansProjection } from './plans';
import { subscriptionAggregate, subscriptionRoutes, subscriptionsProjection } from './subscriptions';
import { testClockAggregate, testClockRoutes, testClocksProjection } from './testClocks';

export const invoicingProjections = [
  invoicesProjection,
  plansProjection,
  subscriptionsProjection,
  testClocksProjection,
  billingSettingsProjection,
];
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

/** Metering's internal API, asked for usage when billing: its address and the token every app shares. */
function meteringApi(env: InvoicingServiceEnv): InternalApi {
  return { url: env.METERING_SERVICE_URL, token: env.INTERNAL_API_TOKEN };
}

export interface RunningInvoicingService extends RunningService {
  /** Null where `BILLING_RUN_ENABLED` is false. */
  billingRun: BillingRun | null;
}

export async function startInvoicingService(options: InvoicingServiceOptions): Promise<RunningInvoicingService> {
  const env: InvoicingServiceEnv = { ...billingDefaults(), ...options };
  const service = await startService({
    name: invoicingServiceName,
    env,
    migrationsDir,
    topics: [
      Topics.invoiceCommands,
      Topics.invoiceEvents,
      Topics.invoiceCommandsDeadLetter,
      Topics.gatewayReplies,
      Topics.customerEvents,
      Topics.meterEvents,
      Topics.consumerDeadLetter,
    ],
    commands: {
      commandsTopic: Topics.invoiceCommands,
      deadLetterTopic: Topics.invoiceCommandsDeadLetter,
      eventsTopic: Topics.invoiceEvents,
      repliesTopic: Topics.gatewayReplies,
      aggregates: [
        invoiceAggregate,
        planAggregate,
        subscriptionAggregate,
        testClockAggregate,
        billingSettingsAggregate,
      ],
    },
    consumers: [customersConsumer, metersConsumer],
    projections: invoicingProjections,
    routes: (deps) => [
      invoiceRoutes(deps),
      planRoutes(deps),
      subscriptionRoutes(deps),
      testClockRoutes(deps),
      billingSettingsRoutes({ pool: deps.pool, invoiceGracePeriodSeconds: env.BILLING_GRACE_PERIOD_SECONDS }),
      billingRoutes({ db: deps.pool, metering: meteringApi(env) }),
    ],
  });
  if (!env.BILLING_RUN_ENABLED) return { ...service, billingRun: null };
  const { billingRun, stop } = await startBilling(service, env);
  return {
    ...service,
    billingRun,
    async stop() {
      await stop();
      await service.stop();
    },
  };
}

/** The billing run, sending its commands through a producer of its own and woken by the projections. */
async function startBilling(service: RunningService, env: InvoicingServiceEnv) {
  const producer = await service.kafka.createProducer();
  const commandsTopic = service.kafka.topic(Topics.invoiceCommands);
  const billingRun = startBillingRun({
    db: service.pools.background,
    metering: meteringApi(env),
    publicUrl: env.PUBLIC_URL,
    defaultGracePeriodMs: env.BILLING_GRACE_PERIOD_SECONDS * 1000,
    intervalMs: env.BILLING_RUN_INTERVAL_MS,
    maxCommandsPerPass: env.BILLING_RUN_MAX_COMMANDS_PER_PASS,
    boundaryRetryMs: env.BILLING_BOUNDARY_RETRY_MS,
    logger: service.logger,
    now: () => new Date(),
    async sendCommand(key, command) {
      await producer.send({ topic: commandsTopic, acks: -1, messages: [{ key, value: JSON.stringify(command) }] });
    },
  });
  const stopWakeups = await onBillingRunWakeups({
    pool: service.pools.background,
    schema: env.DB_SCHEMA,
    wake: billingRun.wake,
    logger: service.logger,
  });
  return {
    billingRun,
    async stop() {
      await stopWakeups();
      await billingRun.stop();
    },
  };
}

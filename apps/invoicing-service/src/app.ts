import { fileURLToPath } from 'node:url';
import { Topics } from '@afternoon/contracts/topics';
import { type RunningService, startService } from '@afternoon/service-kit';
import { billingRoutes } from './billing/api';
import { customersConsumer } from './customers/knownCustomers';
import { defaultMeteringServiceUrl, type InvoicingServiceEnv } from './env';
import { invoiceAggregate, invoiceRoutes, invoicesProjection } from './invoices';
import { planAggregate, planRoutes, plansProjection } from './plans';
import { subscriptionAggregate, subscriptionRoutes, subscriptionsProjection } from './subscriptions';

export const invoicingProjections = [invoicesProjection, plansProjection, subscriptionsProjection];
export const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

/** The parsed env; a caller that never bills usage (a test) may leave metering's address at its default. */
export type InvoicingServiceOptions = Omit<InvoicingServiceEnv, 'METERING_SERVICE_URL'> &
  Partial<Pick<InvoicingServiceEnv, 'METERING_SERVICE_URL'>>;

export function startInvoicingService(env: InvoicingServiceOptions): Promise<RunningService> {
  return startService({
    name: 'invoicing-service',
    env,
    migrationsDir,
    topics: [
      Topics.invoiceCommands,
      Topics.invoiceEvents,
      Topics.invoiceCommandsDeadLetter,
      Topics.gatewayReplies,
      Topics.customerEvents,
      Topics.consumerDeadLetter,
    ],
    commands: {
      commandsTopic: Topics.invoiceCommands,
      deadLetterTopic: Topics.invoiceCommandsDeadLetter,
      eventsTopic: Topics.invoiceEvents,
      repliesTopic: Topics.gatewayReplies,
      aggregates: [invoiceAggregate, planAggregate, subscriptionAggregate],
    },
    consumers: [customersConsumer],
    projections: invoicingProjections,
    routes: (deps) => [
      invoiceRoutes(deps),
      planRoutes(deps),
      subscriptionRoutes(deps),
      billingRoutes({ db: deps.pool, meteringServiceUrl: env.METERING_SERVICE_URL ?? defaultMeteringServiceUrl }),
    ],
  });
}

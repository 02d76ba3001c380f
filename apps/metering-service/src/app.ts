import { fileURLToPath } from 'node:url';
import { Topics } from '@afternoon/contracts/topics';
import { type RunningService, startService } from '@afternoon/service-kit';
import { customersConsumer } from './customers/knownCustomers';
import type { MeteringServiceEnv } from './env';
import { usageRoutes } from './usage/api';
import { usageConsumer } from './usage/meterUsage';

export const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

const customersCatchUpMs = 5_000;

/** Meters usage: the ingest topic into `usage_events` once per idempotency key, and the read API over it. */
export async function startMeteringService(env: MeteringServiceEnv): Promise<RunningService> {
  // The consumers and routes start inside startService, before the service they catch up through exists.
  let markStarted: (service: RunningService) => void = () => undefined;
  const started = new Promise<RunningService>((resolve) => {
    markStarted = resolve;
  });
  const catchUpCustomers = async () =>
    (await started).catchUp(customersConsumer.name, Topics.customerEvents, customersCatchUpMs);

  const service = await startService({
    name: 'metering-service',
    env,
    migrationsDir,
    topics: [Topics.usageIngest, Topics.usageIngestDeadLetter, Topics.customerEvents, Topics.consumerDeadLetter],
    consumers: [
      customersConsumer,
      usageConsumer({
        schema: env.DB_SCHEMA,
        deadLetterTopic: `${env.TOPIC_PREFIX}${Topics.usageIngestDeadLetter.name}`,
        catchUpCustomers,
      }),
    ],
    routes: ({ pool }) => [usageRoutes({ pool, catchUpCustomers })],
  });
  markStarted(service);
  return service;
}

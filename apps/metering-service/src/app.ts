import { fileURLToPath } from 'node:url';
import { Topics } from '@afternoon/contracts/topics';
import { consumerGroupId, type RunningService, startService } from '@afternoon/service-kit';
import { customersConsumer, knownCustomersCatchingUp } from './customers/knownCustomers';
import type { MeteringServiceEnv } from './env';
import { meterAggregate, meterRoutes, metersProjection } from './meters';
import { startRollupBuilder } from './meters/rollups/buildRollup';
import { usageRoutes } from './usage/api';
import type { IngestProgress } from './usage/eventSummary';
import { ingestInFlight } from './usage/ingestInFlight';
import { usageConsumer, usageConsumerName } from './usage/meterUsage';

export const meteringServiceName = 'metering-service';
export const meteringProjections = [metersProjection];
/** What each of metering's consumers reads; replaying these from the start derives its tables again. */
export const meteringConsumedTopics = {
  [customersConsumer.name]: Topics.customerEvents,
  [usageConsumerName]: Topics.usageIngest,
};
export const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

const customersCatchUpMs = 5_000;

/** Meters usage: the ingest topic into `usage_events` once per idempotency key, meters, and the reads over them. */
export async function startMeteringService(env: MeteringServiceEnv): Promise<RunningService> {
  // The consumers and routes start inside startService, before the service they ask exists.
  let markStarted: (service: RunningService) => void = () => undefined;
  const started = new Promise<RunningService>((resolve) => {
    markStarted = resolve;
  });
  const catchUpCustomers = async () =>
    (await started).catchUp(customersConsumer.name, Topics.customerEvents, customersCatchUpMs);
  let customersWaiter: ((instant: Date, timeoutMs: number) => Promise<boolean>) | undefined;
  const customersHandledBefore = async (instant: Date) => {
    customersWaiter ??= (await started).processedThroughWaiter(customersConsumer.name, Topics.customerEvents);
    return customersWaiter(instant, customersCatchUpMs);
  };
  const usage = usageConsumer({
    schema: env.DB_SCHEMA,
    deadLetterTopic: `${env.TOPIC_PREFIX}${Topics.usageIngestDeadLetter.name}`,
    catchUpCustomers,
    customersHandledBefore,
  });
  const processedThrough = async () =>
    (await (await started).processedThrough(usage.name, Topics.usageIngest)).toISOString();
  const ingestProgress: IngestProgress = {
    processedThrough: async () => (await started).processedThrough(usage.name, Topics.usageIngest),
    inFlight: async (from, to) => {
      const { pools, kafka } = await started;
      const groupId = consumerGroupId(env.TOPIC_PREFIX, meteringServiceName, usage.name);
      return ingestInFlight({ pool: pools.queries, kafka, groupId, topic: Topics.usageIngest }, from, to);
    },
  };

  const service = await startService({
    name: meteringServiceName,
    env,
    migrationsDir,
    topics: [
      Topics.usageIngest,
      Topics.usageIngestDeadLetter,
      Topics.customerEvents,
      Topics.consumerDeadLetter,
      Topics.meterCommands,
      Topics.meterEvents,
      Topics.meterCommandsDeadLetter,
      Topics.gatewayReplies,
    ],
    commands: {
      commandsTopic: Topics.meterCommands,
      deadLetterTopic: Topics.meterCommandsDeadLetter,
      eventsTopic: Topics.meterEvents,
      repliesTopic: Topics.gatewayReplies,
      aggregates: [meterAggregate],
    },
    projections: meteringProjections,
    consumers: [customersConsumer, usage],
    routes: ({ pool }) => {
      const knownCustomers = knownCustomersCatchingUp(pool, catchUpCustomers);
      return [
        usageRoutes({ pool, knownCustomers, ingestProgress }),
        meterRoutes({ pool, knownCustomers, processedThrough }),
      ];
    },
  });
  markStarted(service);
  const rollups = startRollupBuilder({ pool: service.pools.background, logger: service.logger });
  return {
    ...service,
    async stop() {
      await rollups.stop();
      await service.stop();
    },
  };
}

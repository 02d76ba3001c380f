import { Topics } from '@afternoon/contracts/topics';
import { notifiedWait, type RouteDeps, type Slice } from '@afternoon/service-kit';
import { knownCustomersCatchingUp } from '../customers/knownCustomers';
import { usageRoutes } from './api';
import type { IngestProgress } from './eventSummary';
import { ingestInFlight } from './ingestInFlight';
import { usageConsumer, usageConsumerName } from './meterUsage';
import { usageOutcomesChannel } from './usageOutcome';

/** How far the usage consumer has got with the ingest topic, read on the routes' pool. */
function ingestProgress(deps: RouteDeps): IngestProgress {
  return {
    processedThrough: () => deps.processedThrough(usageConsumerName, Topics.usageIngest),
    inFlight: (from, to) =>
      ingestInFlight(
        { pool: deps.pool, kafka: deps.kafka, groupId: deps.groupId(usageConsumerName), topic: Topics.usageIngest },
        from,
        to,
      ),
  };
}

/** Usage events: the ingest topic stored once per idempotency key, and the reads over the stored and rejected. */
export const usageSlice: Slice = {
  name: 'usage',
  consumers: [usageConsumer],
  produces: [Topics.usageMetered],
  routes: (deps) =>
    usageRoutes({
      pool: deps.pool,
      knownCustomers: knownCustomersCatchingUp(deps),
      ingestProgress: ingestProgress(deps),
      outcomes: notifiedWait(deps.pool, usageOutcomesChannel(deps.schema)),
    }),
};

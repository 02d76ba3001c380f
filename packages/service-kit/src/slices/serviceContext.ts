import type pg from 'pg';
import { waitUntilCaughtUp } from '../consumer/catchUp';
import { consumerGroupId } from '../consumer/consumerGroupId';
import { type ProcessedThroughWaiter, processedThrough, processedThroughWaiter } from '../consumer/processedThrough';
import type { KafkaConnection } from '../kafka/kafka';
import type { Logger } from '../logger';
import type { ServiceMetrics } from '../metrics';
import type { ServicePools } from '../postgres/servicePools';
import type { ServiceContext } from './slice';

export interface ServiceParts {
  name: string;
  schema: string;
  topicPrefix: string;
  pools: ServicePools;
  kafka: KafkaConnection;
  logger: Logger;
  metrics: ServiceMetrics;
}

/**
 * The context slices get, its progress reads on `pool`: the ingest pool for consumers and background work, the
 * queries pool for read routes, so a slow read never starves a consumer of connections. Waiters are shared per
 * consumer and topic, so a wait for an instant already passed costs nothing on any later call.
 */
export function serviceContext(parts: ServiceParts, pool: pg.Pool): ServiceContext {
  const { name, schema, topicPrefix, pools, kafka, logger, metrics } = parts;
  const groupId = (consumerName: string) => consumerGroupId(topicPrefix, name, consumerName);
  const waiters = new Map<string, ProcessedThroughWaiter>();
  return {
    name,
    schema,
    pools,
    kafka,
    logger,
    metrics,
    groupId,
    catchUp: (consumerName, topic, timeoutMs) =>
      waitUntilCaughtUp({ pool, kafka, groupId: groupId(consumerName), topic, timeoutMs }),
    processedThrough: (consumerName, topic) => processedThrough({ pool, kafka, groupId: groupId(consumerName), topic }),
    processedThroughWaiter(consumerName, topic) {
      const key = `${consumerName}\n${topic.name}`;
      let waiter = waiters.get(key);
      if (!waiter) {
        waiter = processedThroughWaiter({ pool, kafka, groupId: groupId(consumerName), topic });
        waiters.set(key, waiter);
      }
      return waiter;
    },
  };
}

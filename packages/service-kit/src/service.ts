import type { TopicSpec } from '@afternoon/contracts/topics';
import type { Router } from 'express';
import type pg from 'pg';
import type { AggregateDefinition } from './commands/commandHandler';
import { createCommandRecordHandler } from './commands/commandHandler';
import { waitUntilCaughtUp } from './consumer/catchUp';
import { commandsConsumerName, consumerGroupId } from './consumer/consumerGroupId';
import { consumersReady } from './consumer/consumerHealth';
import {
  type BatchHandler,
  type RecordHandler,
  type RunningConsumer,
  startIdempotentConsumer,
} from './consumer/idempotentConsumer';
import { processedThrough, processedThroughWaiter } from './consumer/processedThrough';
import type { ServiceEnv } from './env';
import { closeServer, startServiceHttp } from './http/serviceHttp';
import { connectKafka, type KafkaConnection } from './kafka/kafka';
import { kafkaSecurity } from './kafka/kafkaSecurity';
import { createLogger, type Logger } from './logger';
import { createServiceMetrics, type ServiceMetrics } from './metrics';
import { type OutboxRelay, startOutboxRelay } from './outbox/outboxRelay';
import { migrate } from './postgres/migrate';
import { createServicePools, endPools, type ServicePools } from './postgres/servicePools';
import type { Projection } from './projections/projection';

export interface CommandSide {
  commandsTopic: TopicSpec;
  deadLetterTopic: TopicSpec;
  eventsTopic: TopicSpec;
  repliesTopic: TopicSpec;
  // biome-ignore lint/suspicious/noExplicitAny: aggregates of different types share one dispatcher
  aggregates: readonly AggregateDefinition<any, any, any>[];
}

/** A consumer of another service's topic (or of raw input) feeding this service's own tables. */
export interface ConsumerDefinition {
  /** Names the consumer group: `<TOPIC_PREFIX><service>.<name>`. */
  name: string;
  topics: readonly TopicSpec[];
  deadLetterTopic: TopicSpec;
  handle: RecordHandler;
  /** Optional batch mode (see `BatchHandler`); `handle` still isolates the records of a batch that fails. */
  handleBatch?: BatchHandler;
}

/** What a service's read routes get: its queries pool, and a wait for one of its consumers to catch up with a topic. */
export interface RouteDeps {
  pool: pg.Pool;
  catchUp(consumerName: string, topic: TopicSpec, timeoutMs: number): Promise<boolean>;
}

export interface ServiceDefinition {
  name: string;
  env: ServiceEnv & { PORT: number; DB_SCHEMA: string };
  migrationsDir: string;
  /** Topics this service creates at start if they are missing (the ones it owns or consumes). */
  topics: readonly TopicSpec[];
  commands?: CommandSide;
  consumers?: readonly ConsumerDefinition[];
  projections?: readonly Projection[];
  routes?: (deps: RouteDeps) => Router[];
}

export interface RunningService {
  name: string;
  port: number;
  /** Ingest (consumed records), queries (read routes) and background work, each with its own connections. */
  pools: ServicePools;
  /** The queries pool, for the reads of tools and tests. */
  pool: pg.Pool;
  kafka: KafkaConnection;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Waits until the named consumer has handled everything on `topic` as of now; false after `timeoutMs` (ingest pool). */
  catchUp(consumerName: string, topic: TopicSpec, timeoutMs: number): Promise<boolean>;
  /** The instant before which every record appended to `topic` has been handled by the named consumer. */
  processedThrough(consumerName: string, topic: TopicSpec): Promise<Date>;
  /** A wait until the named consumer has handled everything appended to `topic` before a given instant. */
  processedThroughWaiter(
    consumerName: string,
    topic: TopicSpec,
  ): (instant: Date, timeoutMs: number) => Promise<boolean>;
  stop(): Promise<void>;
}

/** Boots a service the same way for every app: migrate, topics, outbox relay, command consumer, HTTP. */
export async function startService(definition: ServiceDefinition): Promise<RunningService> {
  const { env, name } = definition;
  const logger = createLogger(name, env.LOG_LEVEL);
  const metrics = createServiceMetrics(name);
  const pools = createServicePools(env, name, logger);
  await migrate(pools.background, env.DB_SCHEMA, definition.migrationsDir);

  const kafka = connectKafka({
    clientId: name,
    brokers: env.KAFKA_BROKERS,
    topicPrefix: env.TOPIC_PREFIX,
    logger,
    replication: { factor: env.KAFKA_REPLICATION_FACTOR, minInsyncReplicas: env.KAFKA_MIN_INSYNC_REPLICAS },
    security: kafkaSecurity(env),
  });
  await kafka.ensureTopics(definition.topics);
  const producer = await kafka.createProducer();
  const relay: OutboxRelay = startOutboxRelay({
    pool: pools.background,
    schema: env.DB_SCHEMA,
    createProducer: () => kafka.createProducer(),
    logger,
    publishLast: definition.commands ? [kafka.topic(definition.commands.repliesTopic)] : [],
    onPublished: (count) => metrics.outboxPublished.inc(count),
    onSetAside: (topic) => metrics.outboxSetAside.inc({ topic }),
  });

  const groupId = (consumerName: string) => consumerGroupId(env.TOPIC_PREFIX, name, consumerName);
  const catchUpOn = (pool: pg.Pool) => (consumerName: string, topic: TopicSpec, timeoutMs: number) =>
    waitUntilCaughtUp({ pool, kafka, groupId: groupId(consumerName), topic, timeoutMs });
  // Consumers wait on the ingest pool, never on the pool a slow read can exhaust.
  const catchUp = catchUpOn(pools.ingest);
  const consumers: RunningConsumer[] = [];
  for (const consumer of definition.consumers ?? []) {
    consumers.push(
      await startIdempotentConsumer({
        kafka,
        pool: pools.ingest,
        groupId: groupId(consumer.name),
        topics: consumer.topics.map((topic) => kafka.topic(topic)),
        deadLetterTopic: kafka.topic(consumer.deadLetterTopic),
        producer,
        logger,
        metrics,
        handle: consumer.handle,
        ...(consumer.handleBatch ? { handleBatch: consumer.handleBatch } : {}),
      }),
    );
  }
  if (definition.commands) {
    const side = definition.commands;
    consumers.push(
      await startIdempotentConsumer({
        kafka,
        pool: pools.ingest,
        groupId: groupId(commandsConsumerName),
        topics: [kafka.topic(side.commandsTopic)],
        deadLetterTopic: kafka.topic(side.deadLetterTopic),
        producer,
        logger,
        metrics,
        handle: createCommandRecordHandler({
          schema: env.DB_SCHEMA,
          eventsTopic: kafka.topic(side.eventsTopic),
          repliesTopic: kafka.topic(side.repliesTopic),
          aggregates: side.aggregates,
          projections: definition.projections ?? [],
          context: { catchUp },
        }),
      }),
    );
  }

  const http = await startServiceHttp({
    host: env.INTERNAL_HOST,
    port: env.PORT,
    token: env.INTERNAL_API_TOKEN,
    routers: definition.routes?.({ pool: pools.queries, catchUp: catchUpOn(pools.queries) }) ?? [],
    metrics,
    logger,
    readiness: [
      { name: 'postgres', check: async () => (await pools.queries.query('SELECT 1')).rowCount === 1 },
      { name: 'kafka', check: async () => (await (await kafka.admin()).describeCluster()).brokers.length > 0 },
      { name: 'consumers', check: () => consumersReady(consumers) },
    ],
  });
  await Promise.all(consumers.map((consumer) => consumer.joined));
  logger.info({ host: env.INTERNAL_HOST, port: http.port }, `${name} ready`);

  return {
    name,
    port: http.port,
    pools,
    pool: pools.queries,
    kafka,
    logger,
    metrics,
    catchUp,
    processedThrough: (consumerName, topic) =>
      processedThrough({ pool: pools.ingest, kafka, groupId: groupId(consumerName), topic }),
    processedThroughWaiter: (consumerName, topic) =>
      processedThroughWaiter({ pool: pools.ingest, kafka, groupId: groupId(consumerName), topic }),
    async stop() {
      await closeServer(http.server);
      await Promise.allSettled(consumers.map((consumer) => consumer.stop()));
      await relay.stop();
      await kafka.close();
      await endPools(pools);
    },
  };
}

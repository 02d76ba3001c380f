import type { TopicSpec } from '@afternoon/contracts/topics';
import type pg from 'pg';
import { createCommandHandlers } from './commands/commandHandler';
import { commandsConsumerName } from './consumer/consumerGroupId';
import { consumersReady } from './consumer/consumerHealth';
import { type RunningConsumer, startIdempotentConsumer } from './consumer/idempotentConsumer';
import { type BatchHandler, eachRecordOfBatch, type RecordHandler } from './consumer/records';
import type { ServiceEnv } from './env';
import { closeServer, type ReadinessCheck, startServiceHttp } from './http/serviceHttp';
import { connectKafka, type KafkaConnection, type Producer } from './kafka/kafka';
import { kafkaSecurity } from './kafka/kafkaSecurity';
import { createLogger, type Logger } from './logger';
import { createServiceMetrics } from './metrics';
import { startOutboxRelay } from './outbox/outboxRelay';
import { migrate } from './postgres/migrate';
import { createServicePools, endPools } from './postgres/servicePools';
import { startTableMaintenance, type TableMaintenanceOptions } from './postgres/tableMaintenance';
import type { Stoppable } from './slices/backgroundLoop';
import { type CommandTopics, type ComposedSlices, composeSlices } from './slices/composition';
import { serviceContext } from './slices/serviceContext';
import type { ConsumerDefinition, ServiceContext, Slice } from './slices/slice';
import { startTracing, type Tracing } from './tracing/tracing';

export interface ServiceDefinition {
  name: string;
  env: ServiceEnv & { PORT: number; DB_SCHEMA: string };
  migrationsDir: string;
  /** Where the slices' aggregates get their commands and send their events and replies. */
  commands?: CommandTopics;
  slices: readonly Slice[];
  /** What the service's tables need of their maintenance beyond autovacuum's rules (`startTableMaintenance`). */
  tableMaintenance?: TableMaintenanceOptions;
}

/** A started service: its context (consumers' waits on the ingest pool), its port, and its one way down. */
export interface RunningService extends ServiceContext {
  port: number;
  /** The queries pool, for the reads of tools and tests. */
  pool: pg.Pool;
  stop(): Promise<void>;
}

/**
 * Boots a service from its slices the same way for every app: migrate, topics, outbox relay, one consumer for all
 * the slices' commands and one per consumer, HTTP with every slice's routes, then the background work (the
 * tables' maintenance first). Stops in the reverse order.
 */
export async function startService(definition: ServiceDefinition): Promise<RunningService> {
  const { env, name } = definition;
  const composed = composeSlices(definition.slices, definition.commands);
  const logger = createLogger(name, env.LOG_LEVEL);
  const metrics = createServiceMetrics(name);
  const tracing = startTracing({
    endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
    serviceName: env.OTEL_SERVICE_NAME ?? name,
  });
  const pools = createServicePools(env, name, logger);
  await migrate(pools.background, env.DB_SCHEMA, definition.migrationsDir);

  const kafka = serviceKafka(definition, logger);
  await kafka.ensureTopics(composed.topics);
  const producer = await kafka.createProducer();
  const relay = startOutboxRelay({
    pool: pools.background,
    schema: env.DB_SCHEMA,
    createProducer: () => kafka.createProducer(),
    logger,
    publishLast: definition.commands ? [kafka.topic(definition.commands.repliesTopic)] : [],
    onPublished: (count) => metrics.outboxPublished.inc(count),
    onSetAside: (topic) => metrics.outboxSetAside.inc({ topic }),
    onBacklog: (messages) => metrics.outboxBacklog.set(messages),
    tracing,
  });

  const parts = { name, schema: env.DB_SCHEMA, topicPrefix: env.TOPIC_PREFIX, pools, kafka, logger, metrics };
  // Consumers and background work wait on the ingest pool, never on the pool a slow read can exhaust.
  const context = serviceContext(parts, pools.ingest);
  const consumers = await startConsumers(composed, definition, { context, producer, tracing });
  // Read routes wait on the queries pool, so a slow read never takes an ingest connection.
  const routeDeps = { ...serviceContext(parts, pools.queries), pool: pools.queries };
  const http = await startServiceHttp({
    host: env.INTERNAL_HOST,
    port: env.PORT,
    token: env.INTERNAL_API_TOKEN,
    routers: definition.slices.flatMap((slice) => (slice.routes ? [slice.routes(routeDeps)] : [])),
    metrics,
    tracing,
    logger,
    readiness: readinessChecks(context, consumers),
  });
  await Promise.all(consumers.map((consumer) => consumer.joined));
  const maintenance = startTableMaintenance({ ...definition.tableMaintenance, pool: pools.background, logger });
  const background: Stoppable[] = [maintenance];
  for (const work of composed.background) background.push(await work(context));
  logger.info({ host: env.INTERNAL_HOST, port: http.port }, `${name} ready`);

  return {
    ...context,
    port: http.port,
    pool: pools.queries,
    async stop() {
      await Promise.allSettled(background.map((work) => work.stop()));
      await closeServer(http.server);
      await Promise.allSettled(consumers.map((consumer) => consumer.stop()));
      await relay.stop();
      await kafka.close();
      await endPools(pools);
      await tracing.shutdown();
    },
  };
}

function serviceKafka({ name, env }: ServiceDefinition, logger: Logger): KafkaConnection {
  return connectKafka({
    clientId: name,
    brokers: env.KAFKA_BROKERS,
    topicPrefix: env.TOPIC_PREFIX,
    logger,
    replication: { factor: env.KAFKA_REPLICATION_FACTOR, minInsyncReplicas: env.KAFKA_MIN_INSYNC_REPLICAS },
    security: kafkaSecurity(env),
  });
}

/** What /readyz asks: Postgres answers, Kafka has brokers, and every consumer is in its group and not retrying. */
function readinessChecks({ pools, kafka }: ServiceContext, consumers: readonly RunningConsumer[]): ReadinessCheck[] {
  return [
    { name: 'postgres', check: async () => (await pools.queries.query('SELECT 1')).rowCount === 1 },
    { name: 'kafka', check: async () => (await (await kafka.admin()).describeCluster()).brokers.length > 0 },
    { name: 'consumers', check: () => consumersReady(consumers) },
  ];
}

/** One consumer per slice consumer, each handler given the service's context, then the one commands consumer. */
async function startConsumers(
  composed: ComposedSlices,
  definition: ServiceDefinition,
  { context, producer, tracing }: { context: ServiceContext; producer: Producer; tracing: Tracing },
): Promise<RunningConsumer[]> {
  const { kafka, pools, logger, metrics } = context;
  const start = (consumerName: string, topics: readonly TopicSpec[], deadLetterTopic: TopicSpec) => ({
    kafka,
    pool: pools.ingest,
    groupId: context.groupId(consumerName),
    topics: topics.map((topic) => kafka.topic(topic)),
    deadLetterTopic: kafka.topic(deadLetterTopic),
    producer,
    logger,
    metrics,
    tracing,
  });
  const consumers: RunningConsumer[] = [];
  for (const consumer of composed.consumers) {
    consumers.push(
      await startIdempotentConsumer({
        ...start(consumer.name, consumer.topics, consumer.deadLetterTopic),
        ...withContext(consumer, context),
        gathersRecords: consumer.gathersRecords,
      }),
    );
  }
  const side = definition.commands;
  if (side && composed.aggregates.length > 0) {
    consumers.push(
      await startIdempotentConsumer({
        ...start(commandsConsumerName, [side.commandsTopic], side.deadLetterTopic),
        ...createCommandHandlers({
          schema: context.schema,
          eventsTopic: kafka.topic(side.eventsTopic),
          repliesTopic: kafka.topic(side.repliesTopic),
          aggregates: composed.aggregates,
          projections: composed.projections,
          context,
        }),
      }),
    );
  }
  return consumers;
}

/**
 * The consumer's handlers as the idempotent consumer calls them, each call given the service's context too. A
 * consumer without a batch handler of its own still works by the batch: every pending record of a fetched batch
 * goes through `handle`, in order and each in its own trace, in one transaction with the offset (ADR 0035); a batch
 * that fails is taken again record by record, as any batch is.
 */
function withContext(
  consumer: ConsumerDefinition,
  context: ServiceContext,
): { handle: RecordHandler; handleBatch: BatchHandler; traceEachRecord?: boolean } {
  const handle: RecordHandler = (tx, record, recordContext) =>
    consumer.handle(tx, record, { ...context, ...recordContext });
  const { handleBatch } = consumer;
  if (handleBatch)
    return { handle, handleBatch: (tx, records, batch) => handleBatch(tx, records, { ...context, ...batch }) };
  return { handle, handleBatch: eachRecordOfBatch(handle), traceEachRecord: true };
}

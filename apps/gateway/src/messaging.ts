import { Topics } from '@afternoon/contracts/topics';
import {
  connectKafka,
  consumersReady,
  type KafkaConnection,
  kafkaSecurity,
  type Logger,
  type Producer,
  type ReadinessCheck,
  type ServiceMetrics,
  type ServicePools,
  type Stoppable,
  type Tracing,
} from '@afternoon/service-kit';
import { type CommandBus, startCommandBus } from './commands/commandBus';
import type { GatewayEnv } from './env';
import { startUsageCustomers, type UsageCustomers } from './usage/usageCustomers';

/** The gateway's Kafka side: commands out and their replies back, and the usage customers it projects. */
export interface GatewayMessaging extends Stoppable {
  kafka: KafkaConnection;
  producer: Producer;
  bus: CommandBus;
  usageCustomers: UsageCustomers;
  /** What `/readyz` asks of Kafka, the replies consumer and the usage customers projection. */
  readiness: ReadinessCheck[];
}

const gatewayTopics = [
  Topics.gatewayReplies,
  Topics.customerCommands,
  Topics.invoiceCommands,
  Topics.meterCommands,
  Topics.notificationCommands,
  Topics.usageIngest,
  Topics.customerEvents,
  Topics.invoiceEvents,
  Topics.consumerDeadLetter,
];

/** Connects to Kafka, makes sure the gateway's topics exist, and starts the command bus and the usage customers. */
export async function startMessaging(
  env: GatewayEnv,
  context: { logger: Logger; metrics: ServiceMetrics; pools: ServicePools; tracing: Tracing },
): Promise<GatewayMessaging> {
  const { logger, metrics, pools, tracing } = context;
  const kafka = connectKafka({
    clientId: 'gateway',
    brokers: env.KAFKA_BROKERS,
    topicPrefix: env.TOPIC_PREFIX,
    logger,
    replication: { factor: env.KAFKA_REPLICATION_FACTOR, minInsyncReplicas: env.KAFKA_MIN_INSYNC_REPLICAS },
    security: kafkaSecurity(env),
  });
  await kafka.ensureTopics(gatewayTopics);
  const producer = await kafka.createProducer();
  const usageCustomers = await startUsageCustomers({
    kafka,
    pools: { ingest: pools.ingest, queries: pools.queries },
    producer,
    topicPrefix: env.TOPIC_PREFIX,
    logger,
    metrics,
    tracing,
  });
  const bus = await startCommandBus({
    kafka,
    producer,
    repliesTopic: Topics.gatewayReplies,
    timeoutMs: env.COMMAND_TIMEOUT_MS,
    produceTimeoutMs: env.PRODUCE_TIMEOUT_MS,
    logger,
    registry: metrics.registry,
    tracing,
  });
  return {
    kafka,
    producer,
    bus,
    usageCustomers,
    readiness: readiness(kafka, bus, usageCustomers),
    async stop() {
      await bus.stop();
      await usageCustomers.stop();
      await kafka.close();
    },
  };
}

function readiness(kafka: KafkaConnection, bus: CommandBus, usageCustomers: UsageCustomers): ReadinessCheck[] {
  return [
    { name: 'kafka', check: async () => (await (await kafka.admin()).describeCluster()).brokers.length > 0 },
    { name: 'replies', check: async () => bus.isReady() },
    { name: 'usage customers', check: () => consumersReady([usageCustomers]) },
  ];
}

import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Topics } from '@afternoon/contracts/topics';
import {
  closeServer,
  connectKafka,
  createLogger,
  createPool,
  createServiceMetrics,
  type Logger,
  listen,
  migrate,
  operationalRoutes,
} from '@afternoon/service-kit';
import express from 'express';
import type pg from 'pg';
import { pinoHttp } from 'pino-http';
import { authenticate } from './auth/authenticate';
import { billingSettingsRoutes } from './billingSettings/billingSettingsRoutes';
import { startCommandBus } from './commands/commandBus';
import { customerRoutes } from './customers/customerRoutes';
import { databaseOutage } from './databaseOutage';
import { deadLetterRoutes } from './deadLetters/deadLetterRoutes';
import type { GatewayEnv } from './env';
import { hostedInvoiceRoutes } from './hostedInvoices/hostedInvoiceRoutes';
import { errorHandler, unknownRoute } from './http/errorHandler';
import { assignRequestId } from './http/requestContext';
import { refuseUnstorableInput } from './http/storableInput';
import { forgetExpiredIdempotencyKeys } from './idempotency/idempotencyStore';
import { invoiceRoutes } from './invoices/invoiceRoutes';
import { meterRoutes } from './meters/meterRoutes';
import { adminRoutes } from './organizations/adminRoutes';
import { resolveAdminToken } from './organizations/adminToken';
import { planRoutes } from './plans/planRoutes';
import type { RouteDeps } from './routeDeps';
import { type ServedRoute, servedRoutes } from './routeTable';
import { subscriptionRoutes } from './subscriptions/subscriptionRoutes';
import { testClockRoutes } from './testClocks/testClockRoutes';
import { usageRoutes } from './usage/usageRoutes';

export const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

export interface RunningGateway {
  port: number;
  adminToken: string;
  pool: pg.Pool;
  logger: Logger;
  /** Every method and path this gateway serves, read from its router. */
  routes(): ServedRoute[];
  stop(): Promise<void>;
}

const bodyLimit = '1mb';
const hour = 60 * 60 * 1000;

/** The HTTP edge: authenticates, validates, sends commands over Kafka and forwards queries to services. */
export async function startGateway(env: GatewayEnv): Promise<RunningGateway> {
  const logger = createLogger('gateway', env.LOG_LEVEL);
  const metrics = createServiceMetrics('gateway');
  const pool = createPool({ url: env.DATABASE_URL, schema: env.DB_SCHEMA, applicationName: 'gateway', logger });
  await migrate(pool, env.DB_SCHEMA, migrationsDir, { kitTables: false });
  const admin = await resolveAdminToken(env.ADMIN_TOKEN, env.LOCAL_DIR);
  if (admin.generated) logger.warn({ path: admin.path }, `ADMIN_TOKEN not set; generated one into ${admin.path}`);

  const kafka = connectKafka({
    clientId: 'gateway',
    brokers: env.KAFKA_BROKERS,
    topicPrefix: env.TOPIC_PREFIX,
    logger,
    replication: { factor: env.KAFKA_REPLICATION_FACTOR, minInsyncReplicas: env.KAFKA_MIN_INSYNC_REPLICAS },
  });
  await kafka.ensureTopics([
    Topics.gatewayReplies,
    Topics.customerCommands,
    Topics.invoiceCommands,
    Topics.meterCommands,
    Topics.usageIngest,
  ]);
  const producer = await kafka.createProducer();
  const bus = await startCommandBus({
    kafka,
    producer,
    repliesTopic: Topics.gatewayReplies,
    timeoutMs: env.COMMAND_TIMEOUT_MS,
    produceTimeoutMs: env.PRODUCE_TIMEOUT_MS,
    logger,
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(
    operationalRoutes({
      metrics,
      readiness: [
        { name: 'postgres', check: async () => (await pool.query('SELECT 1')).rowCount === 1 },
        { name: 'kafka', check: async () => (await (await kafka.admin()).describeCluster()).brokers.length > 0 },
        { name: 'replies', check: async () => bus.isReady() },
      ],
    }),
  );
  app.use(assignRequestId);
  app.use(pinoHttp({ logger, genReqId: (_request, response) => response.locals.requestId, quietReqLogger: true }));
  app.use(express.json({ limit: bodyLimit }));
  app.use(refuseUnstorableInput);
  app.use(adminRoutes(pool, admin.token));
  app.use(deadLetterRoutes({ kafka, pool, topicPrefix: env.TOPIC_PREFIX }, admin.token));
  app.use(hostedInvoiceRoutes({ pool, invoicingUrl: env.INVOICING_SERVICE_URL }));
  app.use('/v1', authenticate(pool));
  const deps: RouteDeps = {
    pool,
    bus,
    kafka,
    producer,
    produceTimeoutMs: env.PRODUCE_TIMEOUT_MS,
    serviceUrls: {
      customers: env.CUSTOMER_SERVICE_URL,
      metering: env.METERING_SERVICE_URL,
      invoicing: env.INVOICING_SERVICE_URL,
    },
    publicUrl: env.PUBLIC_URL,
  };
  app.use(customerRoutes(deps));
  app.use(usageRoutes(deps));
  app.use(meterRoutes(deps));
  app.use(planRoutes(deps));
  app.use(subscriptionRoutes(deps));
  app.use(testClockRoutes(deps));
  app.use(billingSettingsRoutes(deps));
  app.use(invoiceRoutes(deps));
  app.use(unknownRoute);
  app.use(databaseOutage);
  app.use(errorHandler(logger));

  const http: { server: Server; port: number } = await listen(app, env.PORT);
  const cleanup = setInterval(() => {
    forgetExpiredIdempotencyKeys(pool, env.IDEMPOTENCY_RETENTION_HOURS).catch((error) =>
      logger.warn({ err: error }, 'could not forget expired idempotency keys'),
    );
  }, hour);
  cleanup.unref();
  logger.info({ port: http.port }, 'gateway ready');

  return {
    port: http.port,
    adminToken: admin.token,
    pool,
    logger,
    routes: () => servedRoutes(app),
    async stop() {
      clearInterval(cleanup);
      await closeServer(http.server);
      await bus.stop();
      await kafka.close();
      if (!pool.ended) await pool.end();
    },
  };
}

import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Topics } from '@afternoon/contracts/topics';
import {
  closeServer,
  connectKafka,
  consumersReady,
  createLogger,
  createServiceMetrics,
  createServicePool,
  endPools,
  type InternalApi,
  kafkaSecurity,
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
import { jsonBody } from './http/jsonBody';
import { refuseConnect } from './http/refuseConnect';
import { assignRequestId } from './http/requestContext';
import { refuseUnreadablePath } from './http/requestPath';
import { refuseUnstorableInput } from './http/storableInput';
import { forgetExpiredIdempotencyKeys } from './idempotency/idempotencyStore';
import { invoiceRoutes } from './invoices/invoiceRoutes';
import { meterRoutes } from './meters/meterRoutes';
import { adminPort } from './organizations/adminPort';
import { adminRoutes } from './organizations/adminRoutes';
import { resolveAdminToken } from './organizations/adminToken';
import { planRoutes } from './plans/planRoutes';
import { limitRequests } from './rateLimits/limitRequests';
import { requestWindows } from './rateLimits/requestWindows';
import type { RouteDeps } from './routeDeps';
import { type ServedRoute, servedRoutes } from './routeTable';
import { subscriptionRoutes } from './subscriptions/subscriptionRoutes';
import { testClockRoutes } from './testClocks/testClockRoutes';
import { startUsageCustomers } from './usage/usageCustomers';
import { usageRoutes } from './usage/usageRoutes';

export const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

export interface RunningGateway {
  port: number;
  /** The admin API's own port (ADMIN_PORT); undefined when it shares the public one. */
  adminPort: number | undefined;
  adminToken: string;
  /** The pool requests use (API keys, Idempotency-Keys, organizations). */
  pool: pg.Pool;
  logger: Logger;
  /** Every method and path this gateway serves, read from its router. */
  routes(): ServedRoute[];
  stop(): Promise<void>;
}

const hour = 60 * 60 * 1000;

/** The HTTP edge: authenticates, validates, sends commands over Kafka and forwards queries to services. */
export async function startGateway(env: GatewayEnv): Promise<RunningGateway> {
  const logger = createLogger('gateway', env.LOG_LEVEL);
  const metrics = createServiceMetrics('gateway');
  // Requests, consumed records (the usage customers projection) and background work (migrations, forgetting keys)
  // each get their own connections (ADR 0007).
  const pool = createServicePool(env, 'queries', 'gateway', logger);
  const ingest = createServicePool(env, 'ingest', 'gateway', logger);
  const background = createServicePool(env, 'background', 'gateway', logger);
  await migrate(background, env.DB_SCHEMA, migrationsDir);
  const admin = await resolveAdminToken(env.ADMIN_TOKEN, env.LOCAL_DIR);
  if (admin.generated) logger.warn({ path: admin.path }, `ADMIN_TOKEN not set; generated one into ${admin.path}`);

  const kafka = connectKafka({
    clientId: 'gateway',
    brokers: env.KAFKA_BROKERS,
    topicPrefix: env.TOPIC_PREFIX,
    logger,
    replication: { factor: env.KAFKA_REPLICATION_FACTOR, minInsyncReplicas: env.KAFKA_MIN_INSYNC_REPLICAS },
    security: kafkaSecurity(env),
  });
  await kafka.ensureTopics([
    Topics.gatewayReplies,
    Topics.customerCommands,
    Topics.invoiceCommands,
    Topics.meterCommands,
    Topics.usageIngest,
    Topics.customerEvents,
    Topics.invoiceEvents,
    Topics.consumerDeadLetter,
  ]);
  const producer = await kafka.createProducer();
  const usageCustomers = await startUsageCustomers({
    kafka,
    pools: { ingest, queries: pool },
    producer,
    topicPrefix: env.TOPIC_PREFIX,
    logger,
    metrics,
  });
  const bus = await startCommandBus({
    kafka,
    producer,
    repliesTopic: Topics.gatewayReplies,
    timeoutMs: env.COMMAND_TIMEOUT_MS,
    produceTimeoutMs: env.PRODUCE_TIMEOUT_MS,
    logger,
  });

  const services = internalApis(env);
  const adminDoor = adminPort(env.ADMIN_PORT !== undefined);
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
        { name: 'usage customers', check: () => consumersReady([usageCustomers]) },
      ],
    }),
  );
  app.use(assignRequestId);
  app.use(pinoHttp({ logger, genReqId: (_request, response) => response.locals.requestId, quietReqLogger: true }));
  app.use('/v1/admin', adminDoor.adminOnly);
  app.use(refuseUnreadablePath);
  app.use(jsonBody);
  app.use(refuseUnstorableInput);
  app.use(adminRoutes(pool, admin.token));
  app.use(deadLetterRoutes({ kafka, pool, topicPrefix: env.TOPIC_PREFIX }, admin.token));
  // An admin request no admin route serves ends here, not at the API-key check below.
  app.use('/v1/admin', unknownRoute);
  app.use(adminDoor.adminPortServesNothingElse);
  app.use(hostedInvoiceRoutes({ pool, invoicing: services.invoicing }));
  app.use('/v1', authenticate(pool));
  const windows = requestWindows(pool, env.DB_SCHEMA);
  app.use(
    '/v1',
    limitRequests({ windows, defaultPerMinute: env.RATE_LIMIT_PER_MINUTE, logger, registry: metrics.registry }),
  );
  const deps: RouteDeps = {
    pool,
    bus,
    kafka,
    producer,
    produceTimeoutMs: env.PRODUCE_TIMEOUT_MS,
    // A command waits at most for the broker's ack and then for its reply.
    idempotencyClaimMs: env.PRODUCE_TIMEOUT_MS + env.COMMAND_TIMEOUT_MS,
    services,
    publicUrl: env.PUBLIC_URL,
    usageCustomers,
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
  const adminHttp = env.ADMIN_PORT === undefined ? undefined : await listen(app, env.ADMIN_PORT, env.INTERNAL_HOST);
  if (adminHttp) adminDoor.listening(adminHttp.server);
  for (const server of [http.server, adminHttp?.server]) server?.on('connect', refuseConnect);
  const cleanup = setInterval(() => {
    forgetExpiredIdempotencyKeys(background, env.IDEMPOTENCY_RETENTION_HOURS).catch((error) =>
      logger.warn({ err: error }, 'could not forget expired idempotency keys'),
    );
    windows
      .forgetEnded(hour)
      .catch((error) => logger.warn({ err: error }, 'could not forget ended rate-limit windows'));
  }, hour);
  cleanup.unref();
  logger.info({ port: http.port, admin_port: adminHttp?.port }, 'gateway ready');

  return {
    port: http.port,
    adminPort: adminHttp?.port,
    adminToken: admin.token,
    pool,
    logger,
    routes: () => servedRoutes(app),
    async stop() {
      clearInterval(cleanup);
      await closeServer(http.server);
      if (adminHttp) await closeServer(adminHttp.server);
      await bus.stop();
      await usageCustomers.stop();
      await kafka.close();
      await endPools({ queries: pool, ingest, background });
    },
  };
}

/** The services' internal read APIs: where each answers, and the token they all ask. */
function internalApis(env: GatewayEnv): RouteDeps['services'] {
  const api = (url: string): InternalApi => ({ url, token: env.INTERNAL_API_TOKEN });
  return {
    customers: api(env.CUSTOMER_SERVICE_URL),
    metering: api(env.METERING_SERVICE_URL),
    invoicing: api(env.INVOICING_SERVICE_URL),
  };
}

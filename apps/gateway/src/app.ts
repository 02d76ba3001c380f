import { fileURLToPath } from 'node:url';
import {
  createLogger,
  createPool,
  createServiceMetrics,
  createServicePools,
  endPools,
  type Logger,
  migrate,
  operationalRoutes,
  type ReadinessCheck,
  requestTelemetry,
  type ServiceMetrics,
  type ServicePools,
  startTracing,
  type Tracing,
} from '@afternoon/service-kit';
import type pg from 'pg';
import { adminApi } from './adminApi';
import { apiReferenceRoutes } from './apiReference/apiReferenceRoutes';
import { authenticate } from './auth/authenticate';
import { type CallerCache, callerCache } from './auth/callerCache';
import { type GatewayEdge, gatewayApp } from './edge';
import type { GatewayEnv } from './env';
import { hostedInvoiceRoutes } from './hostedInvoices/hostedInvoiceRoutes';
import { startHousekeeping } from './housekeeping';
import { gatewayBodyBudget } from './http/bodiesInFlight';
import { type GatewayMessaging, startMessaging } from './messaging';
import { type AdminPort, adminPort } from './organizations/adminPort';
import { resolveAdminToken } from './organizations/adminToken';
import { listenOnPorts } from './ports';
import { publicApi, routeDeps } from './publicApi';
import { limitRequests } from './rateLimits/limitRequests';
import { rateLimitPool } from './rateLimits/rateLimitPool';
import { type RequestWindows, requestWindows } from './rateLimits/requestWindows';
import { type ServedRoute, servedRoutes } from './routeTable';
import { stripeWebhookRoutes } from './stripeWebhooks/stripeWebhookRoutes';

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

/** The HTTP edge: authenticates, validates, sends commands over Kafka and forwards queries to services. */
export async function startGateway(env: GatewayEnv): Promise<RunningGateway> {
  const gateway = await openGateway(env);
  const { logger, pools } = gateway;
  const counting = rateLimitPool(env, logger);
  const windows = requestWindows(counting, env.DB_SCHEMA);
  const adminDoor = adminPort(env.ADMIN_PORT !== undefined);
  // A connection of its own, held for the notices, so no pool's work ever waits for it (ADR 0056).
  const keyChanges = createPool({
    url: env.DATABASE_URL,
    schema: env.DB_SCHEMA,
    max: 1,
    applicationName: 'gateway:key-changes',
    logger,
  });
  const callers = callerCache(keyChanges, env.DB_SCHEMA, logger);
  const app = gatewayApp(gatewayEdge(env, gateway, { windows, adminDoor, callers }));
  const ports = await listenOnPorts(app, env, adminDoor);
  const housekeeping = startHousekeeping({
    logger,
    background: pools.background,
    retentionHours: env.IDEMPOTENCY_RETENTION_HOURS,
    windows,
  });
  logger.info({ port: ports.port, admin_port: ports.adminPort }, 'gateway ready');

  return {
    port: ports.port,
    adminPort: ports.adminPort,
    adminToken: gateway.adminToken,
    pool: pools.queries,
    logger,
    routes: () => servedRoutes(app),
    async stop() {
      await housekeeping.stop();
      await callers.stop();
      await keyChanges.end();
      await ports.close();
      await gateway.messaging.stop();
      await endPools(pools);
      await counting.end();
      await gateway.tracing.shutdown();
    },
  };
}

/** What the gateway holds while it runs, before it serves anything. */
interface OpenGateway {
  logger: Logger;
  metrics: ServiceMetrics;
  tracing: Tracing;
  pools: ServicePools;
  adminToken: string;
  messaging: GatewayMessaging;
}

/** Opens the gateway's pools, migrates its schema, finds its admin token and starts its Kafka side. */
async function openGateway(env: GatewayEnv): Promise<OpenGateway> {
  const logger = createLogger('gateway', env.LOG_LEVEL);
  const metrics = createServiceMetrics('gateway');
  const tracing = startTracing({
    endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
    serviceName: env.OTEL_SERVICE_NAME ?? 'gateway',
  });
  // Requests, consumed records (the usage customers projection) and background work (migrations, forgetting keys)
  // each get their own connections (ADR 0007).
  const pools = createServicePools(env, 'gateway', logger);
  await migrate(pools.background, env.DB_SCHEMA, migrationsDir);
  const admin = await resolveAdminToken(env.ADMIN_TOKEN, env.LOCAL_DIR);
  if (admin.generated) logger.warn({ path: admin.path }, `ADMIN_TOKEN not set; generated one into ${admin.path}`);
  if (!env.PAYMENT_SECRETS_KEY) logger.warn('PAYMENT_SECRETS_KEY not set: payment provider secrets are refused (503)');
  const messaging = await startMessaging(env, { logger, metrics, pools, tracing });
  return { logger, metrics, tracing, pools, adminToken: admin.token, messaging };
}

/** Builds each part of the Express app over the open gateway; `gatewayApp` puts them in order. */
function gatewayEdge(
  env: GatewayEnv,
  { logger, metrics, tracing, pools, adminToken, messaging }: OpenGateway,
  { windows, adminDoor, callers }: { windows: RequestWindows; adminDoor: AdminPort; callers: CallerCache },
): GatewayEdge {
  const pool = pools.queries;
  const deps = routeDeps(env, pool, messaging);
  return {
    logger,
    operational: operationalRoutes({ metrics, readiness: [postgresReady(pool), ...messaging.readiness] }),
    telemetry: requestTelemetry({ metrics, tracing }),
    adminDoor,
    adminApi: adminApi({ kafka: messaging.kafka, pool, topicPrefix: env.TOPIC_PREFIX }, adminToken, callers),
    hostedInvoices: hostedInvoiceRoutes({ pool, invoicing: deps.services.invoicing, logger }),
    apiReference: apiReferenceRoutes(),
    stripeWebhooks: stripeWebhookRoutes(deps),
    bodyBudget: gatewayBodyBudget,
    authenticate: authenticate(pool, callers),
    rateLimits: limitRequests({
      windows,
      defaultPerMinute: env.RATE_LIMIT_PER_MINUTE,
      logger,
      registry: metrics.registry,
    }),
    publicApi: publicApi(deps),
  };
}

function postgresReady(pool: pg.Pool): ReadinessCheck {
  return { name: 'postgres', check: async () => (await pool.query('SELECT 1')).rowCount === 1 };
}

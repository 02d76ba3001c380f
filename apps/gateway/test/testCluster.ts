import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCustomerService } from '@afternoon/customer-service';
import { startInvoicingService } from '@afternoon/invoicing-service';
import { startMeteringService } from '@afternoon/metering-service';
import { startNotificationService } from '@afternoon/notification-service';
import type { RunningService } from '@afternoon/service-kit';
import { dropSchemas, dropTopics, freePort, GatewayClient, serviceEnv, uniqueName } from '@afternoon/testkit';
import { type RunningGateway, startGateway } from '../src/app';
import type { GatewayEnv } from '../src/env';

export interface TestOrganization {
  id: string;
  live: GatewayClient;
  test: GatewayClient;
  keys: { live: string; test: string };
}

export interface TestClusterOptions {
  commandTimeoutMs?: number;
  produceTimeoutMs?: number;
  withCustomerService?: boolean;
  billingGracePeriodSeconds?: number;
  billingRunIntervalMs?: number;
  billingRunMaxCommandsPerPass?: number;
  databaseUrl?: string;
  kafkaBrokers?: string[];
  rateLimitPerMinute?: number;
  separateAdminPort?: boolean;
  /** Starts notification-service too (webhooks), sending to loopback receivers over http. */
  withNotificationService?: boolean;
  /** The SMTP server notification-service sends invoice emails through (SMTP_URL); none by default. */
  smtpUrl?: string;
  /** Where invoicing's Stripe client sends its requests (STRIPE_API_BASE): a local stand-in, Stripe being unreachable. */
  stripeApiBase?: string;
  /** Where every app sends its spans (OTEL_EXPORTER_OTLP_ENDPOINT); tracing is off when not given. */
  otlpEndpoint?: string;
}

const urlOf = (service: RunningService | undefined) => `http://127.0.0.1:${service?.port ?? 1}`;

const billingEnv = (options: TestClusterOptions) => ({
  BILLING_RUN_INTERVAL_MS: options.billingRunIntervalMs ?? 200,
  BILLING_GRACE_PERIOD_SECONDS: options.billingGracePeriodSeconds ?? 3600,
  ...(options.billingRunMaxCommandsPerPass
    ? { BILLING_RUN_MAX_COMMANDS_PER_PASS: options.billingRunMaxCommandsPerPass }
    : {}),
});

/** An app's env on its schema: the test infra's, or the private server, broker and span collector the options name. */
const appEnv = (options: TestClusterOptions, topicPrefix: string) => (schema: string) => ({
  ...serviceEnv(schema, topicPrefix),
  ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
  ...(options.kafkaBrokers ? { KAFKA_BROKERS: options.kafkaBrokers } : {}),
  ...(options.otlpEndpoint ? { OTEL_EXPORTER_OTLP_ENDPOINT: options.otlpEndpoint } : {}),
});

/** A schema of its own for each app of one cluster. */
const clusterSchemas = () => ({
  customers: uniqueName('customers'),
  metering: uniqueName('metering'),
  invoicing: uniqueName('invoicing'),
  gateway: uniqueName('gateway'),
  notifications: uniqueName('notifications'),
});

/** Webhooks to the tests' receivers: plain http on loopback. */
const loopbackWebhooksEnv = <T>(env: T) => ({ ...env, WEBHOOK_ALLOW_HTTP: true, WEBHOOK_ALLOW_PRIVATE_NETWORKS: true });

/**
 * notification-service's env on `port`, started after the gateway: invoice emails attach the PDFs the gateway serves.
 */
const notificationEnv = <T>(env: T, port: number, gateway: { port: number }, options: TestClusterOptions) => ({
  ...loopbackWebhooksEnv(env),
  PORT: port,
  GATEWAY_INTERNAL_URL: `http://127.0.0.1:${gateway.port}`,
  ...(options.smtpUrl ? { SMTP_URL: options.smtpUrl } : {}),
});

/** Seals payment providers' secrets in every test cluster's gateway, as the key npm start generates does. */
export const testPaymentSecretsKey = randomBytes(32);

/**
 * Invoicing bills, opens the payment secrets the gateway seals (npm start passes both the same key) and calls
 * Stripe (or the stand-in `stripeApiBase` names).
 */
const invoicingEnv = (options: TestClusterOptions) => ({
  ...billingEnv(options),
  PAYMENT_SECRETS_KEY: testPaymentSecretsKey,
  ...(options.stripeApiBase ? { STRIPE_API_BASE: options.stripeApiBase } : {}),
});

const gatewayOptionsEnv = (options: TestClusterOptions) => ({
  PUBLIC_URL: 'http://localhost:3000',
  COMMAND_TIMEOUT_MS: options.commandTimeoutMs ?? 15_000,
  PRODUCE_TIMEOUT_MS: options.produceTimeoutMs ?? 5_000,
  IDEMPOTENCY_RETENTION_HOURS: 24,
  RATE_LIMIT_PER_MINUTE: options.rateLimitPerMinute ?? 0,
  PAYMENT_SECRETS_KEY: testPaymentSecretsKey,
  ...(options.separateAdminPort ? { ADMIN_PORT: 0 } : {}),
});

/**
 * The gateway and every service in this process, on the real cluster, with their own schemas and topic
 * namespace, so test files never see each other's data. `withCustomerService: false` leaves customer-service
 * to be started later (commands wait on its topic; its reads are not served until then). Subscriptions are
 * checked for due billing every 200 ms unless `billingRunIntervalMs` says otherwise. `databaseUrl` and
 * `kafkaBrokers` put the cluster on a private server or broker a fault test may stop (nothing is dropped there).
 * Requests are not rate-limited unless `rateLimitPerMinute` says so (RATE_LIMIT_PER_MINUTE).
 * `separateAdminPort` serves the admin API on a port of its own (ADMIN_PORT), where `admin` then asks.
 */
export async function startTestCluster(options: TestClusterOptions = {}) {
  const topicPrefix = `${uniqueName('e2e')}.`;
  const schemas = clusterSchemas();
  const envOf = appEnv(options, topicPrefix);
  let customerService: RunningService | undefined;
  const startCustomers = async () => {
    customerService = await startCustomerService(envOf(schemas.customers));
    return customerService;
  };
  if (options.withCustomerService !== false) await startCustomers();
  let meteringService: RunningService | undefined = await startMeteringService(envOf(schemas.metering));
  const meteringPort = meteringService.port;
  const invoicingService = await startInvoicingService({
    ...envOf(schemas.invoicing),
    ...invoicingEnv(options),
    METERING_SERVICE_URL: urlOf(meteringService),
  });
  const notificationPort = options.withNotificationService ? await freePort() : undefined;

  const adminToken = uniqueName('admin_token_for_tests');
  const localDir = mkdtempSync(join(tmpdir(), 'afternoon-gateway-'));
  const gatewayEnv = {
    ...envOf(schemas.gateway),
    ...gatewayOptionsEnv(options),
    ADMIN_TOKEN: adminToken,
    LOCAL_DIR: localDir,
    CUSTOMER_SERVICE_URL: urlOf(customerService),
    METERING_SERVICE_URL: urlOf(meteringService),
    INVOICING_SERVICE_URL: urlOf(invoicingService),
    NOTIFICATION_SERVICE_URL: `http://127.0.0.1:${notificationPort ?? 1}`,
  };
  const gateway: RunningGateway = await startGateway(gatewayEnv);
  const notificationService = notificationPort
    ? await startNotificationService(notificationEnv(envOf(schemas.notifications), notificationPort, gateway, options))
    : undefined;
  const replicas: RunningGateway[] = [];
  const baseUrl = `http://127.0.0.1:${gateway.port}`;
  const anonymous = new GatewayClient(baseUrl);
  const adminUrl = gateway.adminPort === undefined ? baseUrl : `http://127.0.0.1:${gateway.adminPort}`;
  const admin = new GatewayClient(adminUrl).as(adminToken);

  return {
    gateway,
    topicPrefix,
    schemas,
    baseUrl,
    adminUrl,
    anonymous,
    admin,
    services: {
      get metering(): RunningService {
        if (!meteringService) throw new Error('metering-service is stopped');
        return meteringService;
      },
      invoicing: invoicingService,
      notifications: notificationService,
      customers: () => customerService,
    },
    startCustomerService: startCustomers,
    /** Stops metering-service (as if killed between deploys); `startMeteringService` brings it back on its port. */
    async stopMeteringService() {
      await meteringService?.stop();
      meteringService = undefined;
    },
    async startMeteringService() {
      meteringService = await startMeteringService({ ...envOf(schemas.metering), PORT: meteringPort });
    },
    /** Another gateway on the same schema and topics, as a second replica; `envChanges` sets it up differently. */
    async startGatewayReplica(envChanges: Partial<GatewayEnv> = {}) {
      const replica = await startGateway({ ...gatewayEnv, ...envChanges });
      replicas.push(replica);
      return { gateway: replica, client: new GatewayClient(`http://127.0.0.1:${replica.port}`) };
    },
    async createOrganization(name = 'Acme Inc.'): Promise<TestOrganization> {
      const response = await admin.post('/v1/admin/organizations', { name });
      if (response.status !== 201) throw new Error(`could not create organization: ${JSON.stringify(response.body)}`);
      const keys = response.body.api_keys as { live: string; test: string };
      return { id: response.body.organization.id, keys, live: anonymous.as(keys.live), test: anonymous.as(keys.test) };
    },
    async stop() {
      await Promise.all(replicas.map((replica) => replica.stop()));
      await gateway.stop();
      const services = [customerService, meteringService, invoicingService, notificationService];
      await Promise.all(services.map((service) => service?.stop()));
      if (!options.databaseUrl) await dropSchemas(...Object.values(schemas));
      if (!options.kafkaBrokers) await dropTopics(topicPrefix);
      rmSync(localDir, { recursive: true, force: true });
    },
  };
}
export type TestCluster = Awaited<ReturnType<typeof startTestCluster>>;

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  dropSchemas,
  dropTopics,
  type ExitStatus,
  freePort,
  GatewayClient,
  serviceEnv,
  uniqueName,
} from '@afternoon/testkit';
import { type AppEnv, type AppName, appNames, type CompiledApp, spawnCompiledApp } from './compiledApp';

const schemaPrefixes: Record<AppName, string> = {
  'customer-service': 'customers',
  'metering-service': 'metering',
  'invoicing-service': 'invoicing',
  'notification-service': 'notifications',
  gateway: 'gateway',
};

/** Each app's environment, as a deployment would give it: the test cluster's settings, every address filled in. */
function clusterEnvs(ports: Record<AppName, number>, topicPrefix: string, localDir: string) {
  const url = (name: AppName) => `http://127.0.0.1:${ports[name]}`;
  const paymentSecretsKey = randomBytes(32);
  const adminToken = uniqueName('admin_token_for_tests');
  const base = (name: AppName) => ({ ...serviceEnv(uniqueName(schemaPrefixes[name]), topicPrefix), PORT: ports[name] });
  const envs: Record<AppName, AppEnv> = {
    'customer-service': base('customer-service'),
    'metering-service': base('metering-service'),
    'invoicing-service': {
      ...base('invoicing-service'),
      METERING_SERVICE_URL: url('metering-service'),
      PAYMENT_SECRETS_KEY: paymentSecretsKey,
      BILLING_RUN_INTERVAL_MS: 200,
    },
    'notification-service': { ...base('notification-service'), GATEWAY_INTERNAL_URL: url('gateway') },
    gateway: {
      ...base('gateway'),
      ADMIN_TOKEN: adminToken,
      LOCAL_DIR: localDir,
      PAYMENT_SECRETS_KEY: paymentSecretsKey,
      RATE_LIMIT_PER_MINUTE: 0,
      CUSTOMER_SERVICE_URL: url('customer-service'),
      METERING_SERVICE_URL: url('metering-service'),
      INVOICING_SERVICE_URL: url('invoicing-service'),
      NOTIFICATION_SERVICE_URL: url('notification-service'),
    },
  };
  return { envs, adminToken };
}

/**
 * The five apps as `node dist/main.js` processes (what the image runs; customer-service as its systemd unit runs it),
 * started together on the test cluster's Kafka and Postgres with schemas and a topic namespace of their own; resolves
 * once all are ready.
 */
export async function startCompiledCluster() {
  const topicPrefix = `${uniqueName('compiled')}.`;
  const localDir = mkdtempSync(join(tmpdir(), 'afternoon-compiled-'));
  const portList = await Promise.all(appNames.map(() => freePort()));
  const ports = Object.fromEntries(appNames.map((name, index) => [name, portList[index]])) as Record<AppName, number>;
  const { envs, adminToken } = clusterEnvs(ports, topicPrefix, localDir);
  // customer-service goes through `npm run service`'s script and an env file, as the systemd units start every app.
  const envFile = (name: AppName) => (name === 'customer-service' ? join(localDir, `${name}.env`) : undefined);
  const apps = appNames.map((name) => spawnCompiledApp(name, envs[name], envFile(name)));
  const stopAll = () => Promise.all(apps.map((app) => app.stop()));
  const cleanUp = async () => {
    await stopAll();
    await dropSchemas(...Object.values(envs).map((env) => String(env.DB_SCHEMA)));
    await dropTopics(topicPrefix);
    rmSync(localDir, { recursive: true, force: true });
  };
  try {
    await Promise.all(apps.map((app) => app.ready(ports[app.name])));
  } catch (error) {
    await cleanUp();
    throw error;
  }
  const baseUrl = `http://127.0.0.1:${ports.gateway}`;
  const anonymous = new GatewayClient(baseUrl);
  return {
    baseUrl,
    apps,
    /** A new organization and its live-mode client, through the admin API. */
    async createOrganization(name: string) {
      const response = await anonymous.as(adminToken).post('/v1/admin/organizations', { name });
      if (response.status !== 201) throw new Error(`could not create organization: ${JSON.stringify(response.body)}`);
      return { live: anonymous.as(response.body.api_keys.live as string) };
    },
    /** SIGTERM to every app; the exit status of each, by name. */
    async stop(): Promise<Record<AppName, ExitStatus>> {
      const statuses = await stopAll();
      return Object.fromEntries(apps.map((app, index) => [app.name, statuses[index]])) as Record<AppName, ExitStatus>;
    },
    /** Stops whatever still runs, then drops the cluster's schemas, topics and consumer groups. */
    cleanUp,
  };
}
export type CompiledCluster = Awaited<ReturnType<typeof startCompiledCluster>>;
export type { CompiledApp };

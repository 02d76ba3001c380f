// The bench's own copy of Afternoon: Kafka and Postgres started or reused as `npm start` does, the four apps on
// ports of their own (gateway 3900, services 4901-4903 unless BENCH_*PORT says otherwise) with a schema per app and
// a topic prefix made for this run, so neither a running `npm start` nor an earlier run is disturbed. On stop the
// apps go first, then the run's schemas, topics and consumer groups, then Kafka/Postgres if this run started them.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeExit, killAllNow, portTaken, spawnApp, stopApp, waitUntilReady } from '../lib/apps.mjs';
import { bringUpInfrastructure, log as logAs, stopKafka, stopPostgres } from '../lib/workspace.mjs';

const log = (message) => logAs('bench', message);

function portFrom(env, name, fallback) {
  const port = Number(env[name] ?? fallback);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name}=${env[name]} is not a port number`);
  return port;
}

/** Variables a developer's shell or .env may hold for `npm start` that must not reach the bench's apps. */
const NOT_INHERITED = [
  'PORT',
  'DB_SCHEMA',
  'TOPIC_PREFIX',
  'ADMIN_TOKEN',
  'LOCAL_DIR',
  'PUBLIC_URL',
  'CUSTOMER_SERVICE_URL',
  'METERING_SERVICE_URL',
  'INVOICING_SERVICE_URL',
  'CUSTOMER_SERVICE_PORT',
  'METERING_SERVICE_PORT',
  'INVOICING_SERVICE_PORT',
];

export function createCluster(env) {
  const runId = `bench_${randomBytes(4).toString('hex')}`;
  const gatewayPort = portFrom(env, 'BENCH_PORT', 3900);
  const services = [
    { name: 'customer-service', dir: 'apps/customer-service', key: 'customers' },
    { name: 'metering-service', dir: 'apps/metering-service', key: 'metering' },
    { name: 'invoicing-service', dir: 'apps/invoicing-service', key: 'invoicing' },
  ].map((app, index) => {
    const portVar = `BENCH_${app.key.toUpperCase()}_PORT`;
    return { ...app, portVar, port: portFrom(env, portVar, 4901 + index), schema: `${runId}_${app.key}` };
  });
  const gateway = {
    name: 'gateway',
    dir: 'apps/gateway',
    key: 'gateway',
    portVar: 'BENCH_PORT',
    port: gatewayPort,
    schema: `${runId}_gateway`,
  };
  const apps = [...services, gateway];
  const width = Math.max(...apps.map((app) => app.name.length));
  const readyTimeoutMs = Number(env.START_TIMEOUT_SECONDS ?? 120) * 1000;
  const stopTimeoutMs = Number(env.STOP_TIMEOUT_SECONDS ?? 15) * 1000;

  const cluster = {
    runId,
    topicPrefix: `${runId}.`,
    apps,
    gateway,
    baseUrl: `http://127.0.0.1:${gatewayPort}`,
    adminToken: `adm_${randomBytes(24).toString('base64url')}`,
    localDir: undefined,
    kafkaBrokers: undefined,
    databaseUrl: undefined,
    kafkaOurs: false,
    postgresOurs: false,
    stopping: false,
    /** Called once if an app exits while the cluster is up. */
    onAppExit: undefined,

    async start() {
      for (const app of apps) {
        if (await portTaken(app.port)) {
          throw new Error(
            `port ${app.port} (${app.name}, ${app.portVar}) is already in use: is another \`npm run bench\` running? ` +
              `Set ${app.portVar} to a free port.`,
          );
        }
      }
      await bringUpInfrastructure(env, this);
      if (this.stopping) return;
      this.localDir = mkdtempSync(join(tmpdir(), 'afternoon-bench-'));
      log(`run ${runId}: schemas ${apps.map((app) => app.schema).join(', ')}; topic prefix ${this.topicPrefix}`);
      await this.launch(services);
      if (this.stopping) return;
      await this.launch([gateway]);
    },

    appEnv(app) {
      const inherited = { ...env };
      for (const name of NOT_INHERITED) delete inherited[name];
      const common = {
        ...inherited,
        DATABASE_URL: this.databaseUrl,
        KAFKA_BROKERS: this.kafkaBrokers,
        TOPIC_PREFIX: this.topicPrefix,
        DB_SCHEMA: app.schema,
        PORT: String(app.port),
        LOG_LEVEL: env.BENCH_LOG_LEVEL ?? 'warn',
      };
      if (app !== gateway) return common;
      return {
        ...common,
        ADMIN_TOKEN: this.adminToken,
        LOCAL_DIR: this.localDir,
        CUSTOMER_SERVICE_URL: `http://127.0.0.1:${services[0].port}`,
        METERING_SERVICE_URL: `http://127.0.0.1:${services[1].port}`,
        INVOICING_SERVICE_URL: `http://127.0.0.1:${services[2].port}`,
        PUBLIC_URL: this.baseUrl,
      };
    },

    launch(group) {
      for (const app of group) {
        spawnApp(app, this.appEnv(app), apps.indexOf(app), width);
        app.exited.then((status) => {
          if (this.stopping) return;
          const onExit = this.onAppExit;
          this.onAppExit = undefined;
          onExit?.(new Error(`${app.name} ${describeExit(status)} unexpectedly`));
        });
      }
      const deadline = Date.now() + readyTimeoutMs;
      return Promise.all(
        group.map(async (app) => {
          const started = Date.now();
          await waitUntilReady(app, deadline);
          log(`${app.name} ready on :${app.port} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
        }),
      );
    },

    /** Stops what start() started, in reverse; safe to call at any point and more than once. */
    async stop() {
      this.stopping = true;
      await stopApp(gateway, stopTimeoutMs);
      await Promise.all(services.map((app) => stopApp(app, stopTimeoutMs)));
      if (apps.some((app) => app.child)) log('apps stopped');
      if (this.localDir) rmSync(this.localDir, { recursive: true, force: true });
      if (env.BENCH_KEEP_DATA === '1') {
        log(`BENCH_KEEP_DATA=1: leaving schemas ${runId}_* and topics ${this.topicPrefix}*`);
      } else {
        await dropSchemas(
          this.databaseUrl,
          apps.map((app) => app.schema),
        ).catch((error) => log(`could not drop the run's schemas: ${error.message}`));
        await deleteTopics(this.kafkaBrokers, this.topicPrefix).catch((error) =>
          log(`could not delete the run's topics: ${error.message}`),
        );
      }
      if (this.kafkaOurs) {
        log('stopping the Kafka broker this run started');
        await stopKafka(env);
      }
      if (this.postgresOurs) {
        log('stopping the Postgres server this run started');
        await stopPostgres(env);
      }
    },

    killNow() {
      killAllNow(apps);
    },
  };
  return cluster;
}

async function dropSchemas(databaseUrl, schemas) {
  if (!databaseUrl) return;
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'afternoon-bench' });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

async function deleteTopics(brokers, prefix) {
  if (!brokers) return;
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({
    clientId: 'afternoon-bench',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 10_000 });
    const { groups } = await admin.listGroups();
    const ours = groups.map((group) => group.groupId).filter((id) => id.startsWith(prefix));
    if (ours.length) await admin.deleteGroups(ours);
  } finally {
    await admin.disconnect();
  }
}

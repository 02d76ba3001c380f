#!/usr/bin/env node
// `npm start`: dependencies, Kafka, Postgres, then the four apps natively, until Ctrl-C; an app that exits once it
// was ready is restarted with backoff (infra/lib/supervise.mjs).
// Stops only what it started: a Kafka broker or Postgres server that was already running is left running.
import { join, resolve } from 'node:path';
import {
  describeExit,
  internalApiToken,
  killAllNow,
  paymentSecretsKey,
  portTaken,
  spawnApp,
  stopApp,
  waitUntilReady,
} from './lib/apps.mjs';
import { createSupervisor } from './lib/supervise.mjs';
import {
  bringUpInfrastructure,
  ensureDependencies,
  LOCAL_DIR,
  loadDotEnv,
  log as logAs,
  ROOT,
  stopKafka,
  stopPostgres,
} from './lib/workspace.mjs';

const log = (message) => logAs('start', message);

loadDotEnv();
const env = process.env;

function portFrom(name, fallback) {
  const port = Number(env[name] ?? fallback);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    log(`${name}=${env[name]} is not a port number`);
    process.exit(2);
  }
  return port;
}

const services = [
  {
    name: 'customer-service',
    dir: 'apps/customer-service',
    port: portFrom('CUSTOMER_SERVICE_PORT', 4001),
    portVar: 'CUSTOMER_SERVICE_PORT',
  },
  {
    name: 'metering-service',
    dir: 'apps/metering-service',
    port: portFrom('METERING_SERVICE_PORT', 4002),
    portVar: 'METERING_SERVICE_PORT',
  },
  {
    name: 'invoicing-service',
    dir: 'apps/invoicing-service',
    port: portFrom('INVOICING_SERVICE_PORT', 4003),
    portVar: 'INVOICING_SERVICE_PORT',
  },
  {
    name: 'notification-service',
    dir: 'apps/notification-service',
    port: portFrom('NOTIFICATION_SERVICE_PORT', 4004),
    portVar: 'NOTIFICATION_SERVICE_PORT',
  },
];
const gateway = { name: 'gateway', dir: 'apps/gateway', port: portFrom('PORT', 3000), portVar: 'PORT' };
// The admin API's own port when ADMIN_PORT is set (on INTERNAL_HOST); else it shares the gateway's.
const adminPort = env.ADMIN_PORT ? portFrom('ADMIN_PORT') : undefined;
const apps = [...services, gateway];
const readyTimeoutMs = Number(env.START_TIMEOUT_SECONDS ?? 120) * 1000;
const stopTimeoutMs = Number(env.STOP_TIMEOUT_SECONDS ?? 15) * 1000;
const localDir = env.LOCAL_DIR ? resolve(ROOT, env.LOCAL_DIR) : LOCAL_DIR;

// kafkaOurs/postgresOurs: nothing answered before this run asked the scripts for them, so this run stops them.
const state = {
  stopping: undefined,
  kafkaOurs: false,
  postgresOurs: false,
  kafkaBrokers: undefined,
  databaseUrl: undefined,
  internalApiToken: undefined,
  paymentSecretsKey: undefined,
};

const width = Math.max(...apps.map((app) => app.name.length));
const supervisor = createSupervisor({
  spawn: (app, appEnvironment) => spawnApp(app, appEnvironment, apps.indexOf(app), width),
  env: appEnv,
  waitReady: (app, run) => waitUntilReady(app, run, Date.now() + readyTimeoutMs),
  stop: (app, run) => stopApp(app, run, stopTimeoutMs),
  report: logSupervision,
});

process.on('exit', () => killAllNow(supervisor.runs()));
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (state.stopping) {
      log(`${signal} again: killing the apps now`);
      killAllNow(supervisor.runs());
      return;
    }
    log(`${signal}: stopping (press Ctrl-C again to kill the apps at once)`);
    shutdown(0);
  });
}

// npm runs this under `sh -c`, which dies of a SIGTERM sent to npm without passing it on: when the parent goes,
// stop as if signalled rather than leave the apps running.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid === parentPid || state.stopping) return;
  log('parent process exited: stopping');
  shutdown(0);
}, 1000).unref();

/**
 * Stops the apps (gateway first, and none waiting for a restart is started again), then Kafka and Postgres if this
 * run started them; exits with `code`.
 */
function shutdown(code) {
  state.stopping ??= (async () => {
    await supervisor.stop();
    if (supervisor.runs().length > 0) log('apps stopped');
    if (state.kafkaOurs) {
      log('stopping the Kafka broker this run started');
      await stopKafka(env);
    }
    if (state.postgresOurs) {
      log('stopping the Postgres server this run started');
      await stopPostgres(env);
    }
    process.exit(code);
  })();
  return state.stopping;
}

async function checkPortsFree() {
  for (const app of [gateway, ...services]) {
    if (!(await portTaken(app.port))) continue;
    if (app === gateway) {
      log(
        `port ${app.port} (the gateway's PORT) is already in use: is Afternoon already running (another \`npm start\`)? ` +
          `Stop that one, or start on another port, e.g. PORT=${app.port + 100} npm start. Nothing was started.`,
      );
    } else {
      log(
        `port ${app.port} (${app.name}, ${app.portVar}) is already in use; set ${app.portVar} to a free port. Nothing was started.`,
      );
    }
    process.exit(1);
  }
  if (adminPort && (await portTaken(adminPort))) {
    log(
      `port ${adminPort} (the gateway's ADMIN_PORT) is already in use; set ADMIN_PORT to a free port. Nothing was started.`,
    );
    process.exit(1);
  }
}

function appEnv(app) {
  const { DB_SCHEMA: _sharedSchemaWouldMixServices, ...inherited } = env;
  const common = {
    ...inherited,
    DATABASE_URL: state.databaseUrl,
    KAFKA_BROKERS: state.kafkaBrokers,
    PORT: String(app.port),
    INTERNAL_API_TOKEN: state.internalApiToken,
    // Invoicing asks metering for usage; the gateway asks every service.
    METERING_SERVICE_URL: env.METERING_SERVICE_URL ?? `http://127.0.0.1:${services[1].port}`,
    // Hosted invoice links: the gateway serves them; invoicing builds them for the invoices subscriptions make.
    PUBLIC_URL: env.PUBLIC_URL ?? `http://localhost:${gateway.port}`,
  };
  // Invoice emails attach the PDF the gateway serves. npm start runs a development machine, where a webhook receiver
  // is usually on localhost: private addresses are allowed unless the environment says otherwise.
  if (app.name === 'notification-service')
    return {
      ...common,
      GATEWAY_INTERNAL_URL: env.GATEWAY_INTERNAL_URL ?? `http://127.0.0.1:${gateway.port}`,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: env.WEBHOOK_ALLOW_PRIVATE_NETWORKS ?? 'true',
    };
  // Invoicing is to open the payment secrets the gateway seals, to call the payment provider (issue 15).
  if (app.name === 'invoicing-service') return { ...common, PAYMENT_SECRETS_KEY: state.paymentSecretsKey };
  if (app !== gateway) return common;
  return {
    ...common,
    LOCAL_DIR: localDir,
    PAYMENT_SECRETS_KEY: state.paymentSecretsKey,
    CUSTOMER_SERVICE_URL: env.CUSTOMER_SERVICE_URL ?? `http://127.0.0.1:${services[0].port}`,
    INVOICING_SERVICE_URL: env.INVOICING_SERVICE_URL ?? `http://127.0.0.1:${services[2].port}`,
    NOTIFICATION_SERVICE_URL: env.NOTIFICATION_SERVICE_URL ?? `http://127.0.0.1:${services[3].port}`,
  };
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)}s`;

function logSupervision(event) {
  const { app } = event;
  switch (event.type) {
    case 'ready':
      return log(
        event.attempt === 0
          ? `${app.name} ready on :${app.port} (${seconds(event.ms)})`
          : `${app.name} ready again on :${app.port} after restart ${event.attempt}`,
      );
    case 'exited':
      return log(
        `${app.name} ${describeExit(event.status)} unexpectedly: restart ${event.attempt} in ${seconds(event.delayMs)}`,
      );
    case 'restarted':
      return log(`${app.name} restarted (restart ${event.attempt}, pid ${event.pid})`);
    case 'not-ready':
      return log(`${app.name} not ready after restart ${event.attempt}: ${event.error.message}`);
    case 'restart-cancelled':
      return log(`${app.name} was waiting to be restarted: not restarting it`);
  }
}

function redact(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

function banner() {
  const base = `http://localhost:${gateway.port}`;
  const adminBase = adminPort ? `http://127.0.0.1:${adminPort}` : base;
  const tokenFile = join(localDir, 'admin-token');
  const bearer = env.ADMIN_TOKEN ? '$ADMIN_TOKEN' : `$(cat ${tokenFile})`;
  const kafkaNote = env.KAFKA_BROKERS
    ? 'from KAFKA_BROKERS'
    : state.kafkaOurs
      ? 'started by this run, stopped on exit'
      : 'already running, left running on exit';
  const postgresNote = state.postgresOurs ? 'started by this run, stopped on exit' : 'left running on exit';
  const lines = [
    '',
    '='.repeat(78),
    `  Afternoon is running.  Gateway: ${base}`,
    '',
    `  services     ${services.map((app) => `${app.name} :${app.port}`).join(', ')}`,
    `  kafka        ${state.kafkaBrokers} (${kafkaNote})`,
    `  postgres     ${redact(state.databaseUrl)} (${postgresNote})`,
    `  admin token  ${env.ADMIN_TOKEN ? 'ADMIN_TOKEN from the environment' : tokenFile}`,
    `  payment key  ${env.PAYMENT_SECRETS_KEY ? 'PAYMENT_SECRETS_KEY from the environment' : join(localDir, 'payment-secrets-key')}`,
    ...(adminPort ? [`  admin API    ${adminBase} (ADMIN_PORT; the public port answers 404 for it)`] : []),
    '',
    '  Create an organization (the answer holds its live and test API keys):',
    '',
    `    curl -sS -X POST ${adminBase}/v1/admin/organizations \\`,
    `      -H "Authorization: Bearer ${bearer}" \\`,
    `      -H 'Content-Type: application/json' -d '{"name":"Acme Inc"}'`,
    '',
    '  or with the CLI:',
    '',
    `    npm run cli -- organizations create --name "Acme Inc"`,
    '',
    '  An app that exits is restarted. Ctrl-C stops the apps (and whatever this run started).',
    '='.repeat(78),
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main() {
  await checkPortsFree();
  if (!(await ensureDependencies())) return shutdown(1);
  if (state.stopping) return;

  await bringUpInfrastructure(env, state);
  if (state.stopping) return;
  state.internalApiToken = await internalApiToken(env, localDir);
  state.paymentSecretsKey = await paymentSecretsKey(env, localDir);

  await supervisor.launch(services);
  if (state.stopping) return;
  await supervisor.launch([gateway]);
  if (state.stopping) return;
  banner();
}

main().catch((error) => {
  if (state.stopping) return;
  log(error.message);
  shutdown(1);
});

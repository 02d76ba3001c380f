// The bench's own copy of Afternoon: Kafka and Postgres started or reused as `npm start` does, the four apps on
// ports of their own (gateway 3900, services 4901-4904 unless BENCH_*PORT says otherwise) with a schema per app and
// a topic prefix made for this run, so neither a running `npm start` nor an earlier run is disturbed. On stop the
// apps go first, then the run's schemas, topics and consumer groups, then Kafka/Postgres if this run started them.
// A scenario may stop and restart one app (metering, to let records pile up in its topic first), start a second
// instance of an app on a port of its own (same schema, topics and consumer groups: scale-out) or move the apps
// to a kept identity of fixed schemas and topics (the usage-query seed, reused across runs and never dropped).
// With BENCH_PROFILE=1 every app runs under the CPU profiler and writes its profile when it exits.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeExit, killAllNow, portTaken, spawnApp, stopApp, waitUntilReady } from '../lib/apps.mjs';
import { bringUpInfrastructure, log as logAs, stopKafka, stopPostgres } from '../lib/workspace.mjs';
import { startBenchBroker } from './broker.mjs';

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
  'ADMIN_PORT',
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
    { name: 'notification-service', dir: 'apps/notification-service', key: 'notifications' },
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
  const stopRun = async (app) => {
    if (app.run) await stopApp(app, app.run, stopTimeoutMs);
  };

  const schemaOf = (identity, app) => `${identity}_${app.key}`;
  const cluster = {
    runId,
    /** The identity the apps run under now: this run's, or a kept one after useIdentity(). */
    identity: runId,
    topicPrefix: `${runId}.`,
    /** Schemas this run made for itself (the apps' and the bench's own), dropped at the end. */
    ownSchemas: [...apps.map((app) => app.schema), `${runId}_bench`],
    apps,
    gateway,
    baseUrl: `http://127.0.0.1:${gatewayPort}`,
    adminToken: `adm_${randomBytes(24).toString('base64url')}`,
    internalApiToken: `int_${randomBytes(24).toString('base64url')}`,
    /** Where each app writes its CPU profiles (`<dir>/<app>/<pid>.cpuprofile`) when BENCH_PROFILE=1. */
    profileDir: env.BENCH_PROFILE === '1' ? mkdtempSync(join(tmpdir(), 'afternoon-bench-profile-')) : undefined,
    /**
     * The apps run as production runs them, bundled (`npm run build`, ADR 0024); under the profiler they run their
     * sources through tsx, so a profile names the source files.
     */
    compiled: env.BENCH_PROFILE !== '1',
    localDir: undefined,
    kafkaBrokers: undefined,
    databaseUrl: undefined,
    kafkaOurs: false,
    /** The bench's own broker (broker.mjs), unless KAFKA_BROKERS is set or BENCH_KAFKA=shared. */
    ownBroker: undefined,
    postgresOurs: false,
    stopping: false,
    /** Called once if an app exits while the cluster is up. */
    onAppExit: undefined,
    /** Second instances started by startInstance(), stopped by stopInstance() or stop(). */
    extras: [],
    /** When each service's instances last stopped, started or became ready on purpose (by service name). */
    membershipChangedAt: {},

    async start() {
      for (const app of apps) {
        if (await portTaken(app.port)) {
          throw new Error(
            `port ${app.port} (${app.name}, ${app.portVar}) is already in use: is another \`npm run bench\` running? ` +
              `Set ${app.portVar} to a free port.`,
          );
        }
      }
      if (!env.KAFKA_BROKERS && env.BENCH_KAFKA !== 'shared') {
        this.ownBroker = await startBenchBroker(env);
        if (this.stopping) return;
        await bringUpInfrastructure({ ...env, KAFKA_BROKERS: this.ownBroker.brokers }, this);
      } else {
        await bringUpInfrastructure(env, this);
      }
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
        INTERNAL_API_TOKEN: this.internalApiToken,
        // Invoicing asks metering for usage and builds hosted links; the gateway asks every service.
        METERING_SERVICE_URL: `http://127.0.0.1:${services[1].port}`,
        PUBLIC_URL: this.baseUrl,
      };
      Object.assign(common, this.profilerEnv(app));
      if (app.key !== 'gateway') return common;
      return {
        ...common,
        ADMIN_TOKEN: this.adminToken,
        LOCAL_DIR: this.localDir,
        // The load points send far more than 1,000 requests a minute; rate-limit-overhead turns it on per organization.
        RATE_LIMIT_PER_MINUTE: '0',
        CUSTOMER_SERVICE_URL: `http://127.0.0.1:${services[0].port}`,
        INVOICING_SERVICE_URL: `http://127.0.0.1:${services[2].port}`,
        NOTIFICATION_SERVICE_URL: `http://127.0.0.1:${services[3].port}`,
      };
    },

    /** Node refuses --cpu-prof in NODE_OPTIONS, so the profiler is a preload (cpu-profile-preload.cjs). */
    profilerEnv(app) {
      if (!this.profileDir) return {};
      const dir = join(this.profileDir, app.name);
      mkdirSync(dir, { recursive: true });
      const preload = fileURLToPath(new URL('./cpu-profile-preload.cjs', import.meta.url));
      return { NODE_OPTIONS: `--require ${preload}`, BENCH_PROFILE_DIR: dir };
    },

    launch(group) {
      for (const app of group) {
        app.stoppedOnPurpose = false;
        app.starting = true;
        this.membershipChangedAt[app.service ?? app.name] = Date.now();
        app.run = spawnApp(
          app,
          { ...this.appEnv(app), ...app.extraEnv },
          apps.indexOf(this.app(app.service ?? app.name)),
          width,
          { compiled: this.compiled },
        );
        app.run.exited.then((status) => {
          if (this.stopping || app.stoppedOnPurpose) return;
          const onExit = this.onAppExit;
          this.onAppExit = undefined;
          onExit?.(new Error(`${app.name} ${describeExit(status)} unexpectedly`));
        });
      }
      const deadline = Date.now() + readyTimeoutMs;
      return Promise.all(
        group.map(async (app) => {
          const started = Date.now();
          await waitUntilReady(app, app.run, deadline);
          app.starting = false;
          this.membershipChangedAt[app.service ?? app.name] = Date.now();
          log(`${app.name} ready on :${app.port} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
        }),
      );
    },

    app(name) {
      const app = apps.find((candidate) => candidate.name === name);
      if (!app) throw new Error(`no app named ${name}`);
      return app;
    },

    /** Stops one app on purpose (its exit does not stop the bench). */
    async stopApp(name) {
      const app = this.app(name);
      app.stoppedOnPurpose = true;
      this.membershipChangedAt[name] = Date.now();
      await stopRun(app);
      app.run = undefined;
      this.membershipChangedAt[name] = Date.now();
    },

    /** Every instance running now: the apps and the extra instances. */
    running() {
      return [...apps, ...this.extras].filter((app) => app.run && !app.run.exitStatus);
    },

    /**
     * Whether the bench stopped, started or readied an instance of `service` within `graceMs`, holds it stopped or is
     * still starting it.
     */
    membershipSettling(service, graceMs) {
      const stopped = apps.some((app) => app.name === service && !app.run);
      const starting = [...apps, ...this.extras].some((app) => (app.service ?? app.name) === service && app.starting);
      return stopped || starting || Date.now() - (this.membershipChangedAt[service] ?? 0) < graceMs;
    },

    /** Starts a second instance of `name` on `port`: the same schema, topics and consumer groups. */
    async startInstance(name, port) {
      const base = this.app(name);
      if (await portTaken(port)) throw new Error(`port ${port} (a second ${name}) is already in use`);
      const instance = this.extras.filter((other) => other.service === name).length + 2;
      const extra = { ...base, name: `${name}-${instance}`, service: name, port, extraEnv: {} };
      this.extras.push(extra);
      await this.launch([extra]);
      return extra;
    },

    /** Stops an instance startInstance() started. */
    async stopInstance(extra) {
      extra.stoppedOnPurpose = true;
      this.membershipChangedAt[extra.service] = Date.now();
      await stopRun(extra);
      this.extras = this.extras.filter((candidate) => candidate !== extra);
      this.membershipChangedAt[extra.service] = Date.now();
    },

    /** Starts one app again, with `extraEnv` on top of its usual environment; resolves once it is ready. */
    startApp(name, extraEnv = {}) {
      const app = this.app(name);
      app.extraEnv = extraEnv;
      return this.launch([app]);
    },

    /**
     * Restarts every app under another identity: schemas `<identity>_<app>` and topic prefix `<identity>.`. Kept at
     * the end (the caller owns them) unless it starts with this run's id. The gateway keeps this run's admin token.
     * Postgres backends still working for the apps just stopped are ended, so they do not load the next measurement.
     */
    async useIdentity(identity) {
      for (const app of apps) {
        app.stoppedOnPurpose = true;
        this.membershipChangedAt[app.name] = Date.now();
      }
      await stopRun(gateway);
      await Promise.all(services.map(stopRun));
      await endBackends(
        this.databaseUrl,
        apps.map((app) => app.schema),
      );
      if (identity.startsWith(runId)) this.ownSchemas.push(...apps.map((app) => schemaOf(identity, app)));
      for (const app of apps) {
        app.schema = schemaOf(identity, app);
        app.extraEnv = {};
      }
      this.identity = identity;
      this.topicPrefix = `${identity}.`;
      const fate = identity.startsWith(runId) ? 'dropped at the end' : 'kept';
      log(`apps moved to identity ${identity}: schemas ${identity}_*, topic prefix ${this.topicPrefix} (${fate})`);
      await this.launch(services);
      if (this.stopping) return;
      await this.launch([gateway]);
    },

    /** Stops what start() started, in reverse; safe to call at any point and more than once. */
    async stop() {
      this.stopping = true;
      await Promise.all(this.extras.map(stopRun));
      await stopRun(gateway);
      await Promise.all(services.map(stopRun));
      if (apps.some((app) => app.run)) log('apps stopped');
      if (this.profileDir)
        log(
          `CPU profiles of every app in ${this.profileDir}/<app>/ (the largest file per app is the app's own; ` +
            'read one with node infra/bench/profile-summary.mjs <file>)',
        );
      if (this.localDir) rmSync(this.localDir, { recursive: true, force: true });
      await endBackends(this.databaseUrl, this.ownSchemas).catch(() => undefined);
      if (env.BENCH_KEEP_DATA === '1') {
        log(`BENCH_KEEP_DATA=1: leaving schemas ${runId}_* and topics ${runId}.*`);
      } else {
        await dropSchemas(this.databaseUrl, this.ownSchemas).catch((error) =>
          log(`could not drop the run's schemas: ${error.message}`),
        );
        // This run's topics and groups, and those of the identities it made for itself (`<runId>_…`).
        await deleteTopics(this.kafkaBrokers, runId).catch((error) =>
          log(`could not delete the run's topics: ${error.message}`),
        );
      }
      if (this.ownBroker) {
        log("stopping the bench's own Kafka broker");
        await this.ownBroker.stop();
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
      killAllNow([...apps, ...this.extras].map((app) => app.run));
      this.ownBroker?.killNow();
    },
  };
  return cluster;
}

/**
 * Ends the Postgres backends holding locks in `schemas`: a stopped app's statement runs on in its backend until it
 * tries to answer (a slow one for minutes), loading the machine and blocking DROP SCHEMA.
 */
async function endBackends(databaseUrl, schemas) {
  if (!databaseUrl) return;
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'afternoon-bench' });
  await client.connect();
  try {
    await client.query(
      `SELECT pg_terminate_backend(pid) FROM (
         SELECT DISTINCT l.pid FROM pg_locks l
           JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = ANY($1::text[]) AND l.pid <> pg_backend_pid()) held`,
      [schemas],
    );
  } finally {
    await client.end();
  }
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

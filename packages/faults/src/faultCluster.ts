import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  freePort,
  type PrivateKafka,
  type PrivatePostgres,
  startPrivateKafka,
  startPrivatePostgres,
} from '@afternoon/testkit/faults';
import { createSupervisor, type SupervisorEvent } from '../../../infra/lib/supervise.mjs';
import { type AppName, appNames } from './faultPlan';

const repoRoot = resolve(import.meta.dirname, '../../..');
const tsx = join(repoRoot, 'node_modules/.bin/tsx');
const readyTimeoutMs = 180_000;
const stopGraceMs = 10_000;
const interrupts: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
/**
 * The run's webhook receivers listen on loopback over http. A receiver that hangs holds one of its endpoint's two
 * sends in flight until the timeout, so a short one keeps the run's deliveries flowing (its length is not measured).
 */
const webhookEnv = {
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
  WEBHOOK_TIMEOUT_MS: '2000',
};

interface FaultApp {
  name: AppName;
  dir: string;
  port: number;
}

interface AppRun {
  pid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Afternoon as a deployment runs it: five processes under npm start's supervisor, on a Postgres and a broker of its own. */
export interface FaultCluster {
  baseUrl: string;
  adminToken: string;
  postgres: PrivatePostgres;
  kafka: PrivateKafka;
  /** Where each app's output goes. */
  logDir: string;
  /** The process group of the app's current run. */
  pidOf(app: AppName): number | undefined;
  /** Restarts the supervisor made after an exit, by app. */
  restarts: Map<AppName, number>;
  readiness(): Promise<Map<AppName, boolean>>;
  /** Stops everything it started; the apps' logs are deleted unless `keepLogs` (a failed run's, to read). */
  stop(options?: { keepLogs?: boolean }): Promise<void>;
}

export async function startFaultCluster(log: (line: string) => void): Promise<FaultCluster> {
  const postgres = await startPrivatePostgres();
  const kafka = await startPrivateKafka();
  const logDir = mkdtempSync(join(tmpdir(), 'afternoon-faults-'));
  const adminToken = `adm_${randomBytes(24).toString('base64url')}`;
  const internalApiToken = `int_${randomBytes(24).toString('base64url')}`;
  const apps: FaultApp[] = [];
  for (const name of appNames) apps.push({ name, dir: join(repoRoot, 'apps', name), port: await freePort() });
  const portOf = (name: AppName) => apps.find((app) => app.name === name)?.port as number;
  const baseUrl = `http://127.0.0.1:${portOf('gateway')}`;
  const env = (app: FaultApp) => ({
    ...process.env,
    DATABASE_URL: postgres.url,
    KAFKA_BROKERS: kafka.brokers,
    TOPIC_PREFIX: '',
    PORT: String(app.port),
    LOG_LEVEL: 'warn',
    ADMIN_TOKEN: adminToken,
    INTERNAL_API_TOKEN: internalApiToken,
    LOCAL_DIR: logDir,
    PUBLIC_URL: baseUrl,
    CUSTOMER_SERVICE_URL: `http://127.0.0.1:${portOf('customer-service')}`,
    METERING_SERVICE_URL: `http://127.0.0.1:${portOf('metering-service')}`,
    INVOICING_SERVICE_URL: `http://127.0.0.1:${portOf('invoicing-service')}`,
    NOTIFICATION_SERVICE_URL: `http://127.0.0.1:${portOf('notification-service')}`,
    BILLING_RUN_INTERVAL_MS: '1000',
    // The load sends far more than a tenant's 1,000 requests a minute; faults are what this run measures.
    RATE_LIMIT_PER_MINUTE: '0',
    ...(app.name === 'notification-service' ? webhookEnv : {}),
  });
  const restarts = new Map<AppName, number>();
  const supervisor = createSupervisor<FaultApp, AppRun>({
    spawn: (app, appEnv) => spawnApp(app, appEnv, logDir),
    env,
    waitReady: (app, run) => untilReady(app, run),
    stop: (_app, run) => stopRun(run),
    report: (event: SupervisorEvent<FaultApp>) => {
      if (event.type === 'restarted') restarts.set(event.app.name, (restarts.get(event.app.name) ?? 0) + 1);
      if (event.type === 'exited' || event.type === 'restarted') log(`supervisor: ${event.app.name} ${event.type}`);
    },
  });
  const stopAll = async () => {
    for (const signal of interrupts) process.removeListener(signal, interrupted);
    await supervisor.stop();
    await kafka.destroy();
    await postgres.destroy();
  };
  // Ctrl-C stops what the run started: the apps run in process groups of their own and would outlive it.
  const interrupted = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the apps, the broker and Postgres`);
    void stopAll().finally(() => process.exit(130));
  };
  for (const signal of interrupts) process.once(signal, interrupted);
  try {
    await supervisor.launch(apps.filter((app) => app.name !== 'gateway'));
    await supervisor.launch(apps.filter((app) => app.name === 'gateway'));
  } catch (error) {
    await stopAll();
    throw new Error(`the cluster did not start (app logs in ${logDir}): ${(error as Error).message}`);
  }
  return {
    baseUrl,
    adminToken,
    postgres,
    kafka,
    logDir,
    pidOf: (name) => supervisor.runOf(name)?.pid,
    restarts,
    async readiness() {
      const answers = await Promise.all(apps.map(async (app) => [app.name, await isReady(app.port)] as const));
      return new Map(answers);
    },
    async stop({ keepLogs = false } = {}) {
      await stopAll();
      if (!keepLogs) rmSync(logDir, { recursive: true, force: true });
    },
  };
}

function spawnApp(app: FaultApp, env: NodeJS.ProcessEnv, logDir: string): AppRun {
  const output = createWriteStream(join(logDir, `${app.name}.log`), { flags: 'a' });
  const child: ChildProcess = spawn(tsx, ['src/main.ts'], {
    cwd: app.dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.pipe(output, { end: false });
  child.stderr?.pipe(output, { end: false });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once('exit', (code, signal) => done({ code, signal }));
  });
  return { pid: child.pid as number, exited };
}

async function isReady(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

async function untilReady(app: FaultApp, run: AppRun): Promise<void> {
  let exited = false;
  void run.exited.then(() => {
    exited = true;
  });
  const deadline = Date.now() + readyTimeoutMs;
  while (!exited && Date.now() < deadline) {
    if (await isReady(app.port)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${app.name} ${exited ? 'exited' : 'was not ready in time'}`);
}

async function stopRun(run: AppRun): Promise<void> {
  signalGroup(run.pid, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(run.pid, 'SIGKILL'), stopGraceMs);
  await run.exited;
  clearTimeout(timer);
  signalGroup(run.pid, 'SIGKILL');
}

export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

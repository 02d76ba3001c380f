// What infra/start.mjs, test.mjs and cli.mjs share: the repo's paths, dependency install, child processes and
// the local Kafka/Postgres scripts. Plain Node, no npm dependencies: these run before `pnpm install`.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const LOCAL_DIR = join(ROOT, '.local');
export const KAFKA_SH = join(ROOT, 'infra', 'kafka', 'kafka.sh');
export const POSTGRES_SH = join(ROOT, 'infra', 'postgres', 'postgres.sh');
export const binPath = (name) => join(ROOT, 'node_modules', '.bin', name);

/** `pnpm@<version>` from the root package.json's packageManager, run through npx (no global pnpm here). */
const PNPM = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).packageManager ?? 'pnpm@10';

/** Progress goes to stderr so stdout stays the command's own output (the CLI's JSON, vitest's reporters). */
export function log(scope, message) {
  process.stderr.write(`[${scope}] ${message}\n`);
}

/**
 * Reads <repo>/.env, or `file` (KEY=value lines, # comments, optional quotes), without overriding what the shell
 * already set. Used by start, cli and service; tests resolve their own infrastructure.
 */
export function loadDotEnv(env = process.env, file = join(ROOT, '.env')) {
  if (!existsSync(file)) return;
  for (const raw of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(raw);
    if (!match) continue;
    let value = match[2];
    const quoted = /^(['"])(.*)\1$/.exec(value);
    value = quoted ? quoted[2] : value.replace(/\s+#.*$/, '');
    // An empty value means unset (ADMIN_TOKEN= must not become a too-short token).
    if (value !== '' && env[match[1]] === undefined) env[match[1]] = value;
  }
}

/**
 * Runs a command to completion; resolves with its exit code (128+n when killed by signal n).
 * With `relaySignals`, this process outlives Ctrl-C (the terminal sends SIGINT to the child too, which decides how
 * to stop) and relays SIGTERM/SIGHUP, which are sent to this process alone, to the child.
 */
export function run(command, args, { relaySignals = false, ...options } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit', ...options });
    const relays = relaySignals
      ? [
          ['SIGINT', () => {}],
          ['SIGTERM', () => child.kill('SIGTERM')],
          ['SIGHUP', () => child.kill('SIGHUP')],
        ]
      : [];
    for (const [signal, handler] of relays) process.on(signal, handler);
    const settle = (result) => {
      for (const [signal, handler] of relays) process.off(signal, handler);
      result instanceof Error ? reject(result) : resolve(result);
    };
    child.once('error', settle);
    child.once('exit', (code, signal) => settle(code ?? 128 + signalNumber(signal)));
  });
}

/** Runs a command and captures its stdout (stderr passes through to ours). */
export function capture(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], ...options });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code: code ?? 128 + signalNumber(signal), stdout }));
  });
}

function signalNumber(signal) {
  return { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 }[signal] ?? 1;
}

/** `pnpm <args>` through npx, with the repo's pinned pnpm version. Its stdout goes where `stdout` says. */
export function pnpm(args, { stdout = 'inherit', env = process.env } = {}) {
  return run('npx', ['-y', PNPM, ...args], { stdio: ['inherit', stdout, 'inherit'], env, relaySignals: true });
}

function mtimeMs(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Installs dependencies when node_modules is missing or older than pnpm-lock.yaml. Install output goes to stderr.
 * Returns false when the install failed.
 */
export async function ensureDependencies() {
  const marker = join(ROOT, 'node_modules', '.modules.yaml');
  const lockfile = join(ROOT, 'pnpm-lock.yaml');
  const installedAt = mtimeMs(marker);
  const lockedAt = mtimeMs(lockfile);
  if (installedAt !== undefined && (lockedAt === undefined || installedAt >= lockedAt)) return true;
  log('deps', installedAt === undefined ? 'node_modules missing: installing' : 'pnpm-lock.yaml changed: installing');
  const code = await pnpm(['install', '--frozen-lockfile'], { stdout: 2 });
  if (code !== 0) {
    log('deps', `${PNPM} install --frozen-lockfile failed (exit ${code})`);
    return false;
  }
  // pnpm leaves .modules.yaml alone when nothing changed; touch it so an up-to-date tree is not reinstalled every run.
  if ((mtimeMs(marker) ?? 0) < (mtimeMs(lockfile) ?? 0)) {
    const now = new Date();
    utimesSync(marker, now, now);
  }
  return true;
}

/** True when something accepts TCP connections on host:port. */
export function tcpOpen(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (open) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when a Kafka broker answers on KAFKA_PORT (infra/kafka/kafka.sh status). */
export async function kafkaAnswers(env) {
  return (await run(KAFKA_SH, ['status'], { stdio: 'ignore', env })) === 0;
}

/** Starts the local broker, or reuses one already answering; resolves with its KAFKA_BROKERS value. */
export async function startKafka(env) {
  const { code, stdout } = await capture(KAFKA_SH, ['start'], { env });
  const brokers = /^KAFKA_BROKERS=(\S+)$/m.exec(stdout)?.[1];
  if (code !== 0 || !brokers) {
    throw new Error(
      `infra/kafka/kafka.sh start failed (exit ${code})${brokers ? '' : ' and printed no KAFKA_BROKERS line'}`,
    );
  }
  return brokers;
}

export function stopKafka(env) {
  return run(KAFKA_SH, ['stop'], { stdio: ['ignore', 2, 'inherit'], env });
}

/** True when this checkout's own Postgres server (POSTGRES_PORT, default 5433) answers. */
export function ownPostgresAnswers(env) {
  return tcpOpen('127.0.0.1', Number(env.POSTGRES_PORT ?? 5433));
}

/**
 * The DATABASE_URL to use: `infra/postgres/postgres.sh url`, which honours DATABASE_URL, else uses the server on
 * 5432, else starts one of this checkout's own.
 */
export async function postgresUrl(env) {
  const { code, stdout } = await capture(POSTGRES_SH, ['url'], { env });
  const url = stdout.trim().split('\n').pop();
  if (code !== 0 || !url) throw new Error(`infra/postgres/postgres.sh url failed (exit ${code})`);
  return url;
}

/**
 * Brings up Kafka and Postgres (or takes KAFKA_BROKERS / DATABASE_URL), writing into `state` as it goes
 * (`kafkaBrokers`, `kafkaOurs`, `databaseUrl`, `postgresOurs`). Ownership is recorded before each script runs, so
 * a Ctrl-C while they start still stops what they brought up; it returns early once `state.stopping` is set.
 */
export async function bringUpInfrastructure(env, state) {
  if (env.KAFKA_BROKERS) {
    state.kafkaBrokers = env.KAFKA_BROKERS;
  } else {
    state.kafkaOurs = !(await kafkaAnswers(env));
    state.kafkaBrokers = await startKafka(env);
  }
  if (state.stopping) return;
  if (env.DATABASE_URL) {
    state.databaseUrl = env.DATABASE_URL;
  } else {
    const ownPort = String(env.POSTGRES_PORT ?? 5433);
    state.postgresOurs = !(await ownPostgresAnswers(env));
    state.databaseUrl = await postgresUrl(env);
    // The server on PG_SYSTEM_PORT (5432) is never this run's to stop.
    state.postgresOurs &&= new URL(state.databaseUrl).port === ownPort;
  }
}

export function stopPostgres(env) {
  return run(POSTGRES_SH, ['stop'], { stdio: ['ignore', 2, 'inherit'], env });
}

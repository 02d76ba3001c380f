// Running the apps natively for `npm start`: spawn with tsx, prefix their output, wait for /readyz, stop them.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { constants } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { binPath, ROOT, tcpOpen } from './workspace.mjs';

const colors = [36, 35, 33, 32, 34];

/**
 * The token every app's internal requests carry: INTERNAL_API_TOKEN when set, else one generated once into
 * `<localDir>/internal-api-token` (as the gateway keeps its admin token), so restarts and every app share it.
 */
export async function internalApiToken(env, localDir) {
  if (env.INTERNAL_API_TOKEN) return env.INTERNAL_API_TOKEN;
  const path = join(localDir, 'internal-api-token');
  const stored = (await readFile(path, 'utf8').catch(() => '')).trim();
  if (stored) return stored;
  const token = `int_${randomBytes(24).toString('base64url')}`;
  await mkdir(localDir, { recursive: true });
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  return token;
}

/**
 * The key the gateway seals payment providers' secrets with (and invoicing opens them with): PAYMENT_SECRETS_KEY when
 * set, else 32 random bytes generated once into `<localDir>/payment-secrets-key` in base64, as the internal API token
 * is, so secrets stored before a restart still open after it.
 */
export async function paymentSecretsKey(env, localDir) {
  if (env.PAYMENT_SECRETS_KEY) return env.PAYMENT_SECRETS_KEY;
  const path = join(localDir, 'payment-secrets-key');
  const stored = (await readFile(path, 'utf8').catch(() => '')).trim();
  if (stored) return stored;
  const key = randomBytes(32).toString('base64');
  await mkdir(localDir, { recursive: true });
  await writeFile(path, `${key}\n`, { mode: 0o600 });
  return key;
}

/** True when `port` cannot be listened on the way the apps listen (all interfaces) or something answers on it. */
export async function portTaken(port) {
  const bindFails = await new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error) => resolve(error.code === 'EADDRINUSE' || error.code === 'EACCES'));
    server.listen(port, () => server.close(() => resolve(false)));
  });
  return bindFails || (await tcpOpen('127.0.0.1', port));
}

/**
 * V8's old space for every app, wherever it runs (ADR 0044; the Dockerfile and the systemd units carry the same
 * option). Without a bound V8 sizes its heap for the machine (4 GB here) and grows it up to fourfold past what is
 * live; with one it collects sooner, and the apps stay at a half to two thirds of their unbounded peaks. 384 MB is
 * over twice the largest live heap the bench saw, and fits the Kubernetes pods' 512 MiB limit.
 */
export const APP_HEAP_OPTION = '--max-old-space-size=384';

/** `env` with `APP_HEAP_OPTION` added to NODE_OPTIONS, unless that already bounds the old space. */
export function withAppHeapBound(env) {
  const given = env.NODE_OPTIONS ?? '';
  if (given.includes('--max-old-space-size')) return env;
  return { ...env, NODE_OPTIONS: `${given} ${APP_HEAP_OPTION}`.trim() };
}

/**
 * Spawns `tsx src/main.ts` (or, `compiled`, the bundle `node dist/main.js`) in the app's folder, in its own process group (so a Ctrl-C reaches only the
 * supervisor, which then stops the apps in order), with every output line prefixed by the app's name.
 * Returns the run: {pid, child, exited (a promise of {code, signal}), exitStatus once it has exited}.
 */
export function spawnApp(app, env, index, width, { compiled = false } = {}) {
  const tty = process.stdout.isTTY;
  const label = app.name.padEnd(width);
  const prefix = tty ? `\x1b[${colors[index % colors.length]}m${label} |\x1b[0m ` : `${label} | `;
  const [command, args] = compiled ? [process.execPath, ['dist/main.js']] : [binPath('tsx'), ['src/main.ts']];
  const child = spawn(command, args, {
    cwd: join(ROOT, app.dir),
    env: withAppHeapBound(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  for (const [stream, target] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ]) {
    createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
      target.write(`${prefix}${line}\n`);
    });
  }
  const run = { pid: child.pid, child, exitStatus: undefined };
  run.exited = new Promise((resolve) => {
    child.once('error', (error) => {
      run.exitStatus ??= { code: 127, signal: null, error };
      resolve(run.exitStatus);
    });
    child.once('exit', (code, signal) => {
      run.exitStatus ??= { code, signal };
      resolve(run.exitStatus);
    });
  });
  return run;
}

export function describeExit({ code, signal, error }) {
  if (error) return `could not be started: ${error.message}`;
  if (signal) return `was killed by ${signal}`;
  // tsx exits with 128+n when the app's Node process dies of signal n (137: a kill -9).
  const killedBy = Object.entries(constants.signals).find(([, number]) => code === 128 + number)?.[0];
  return killedBy ? `exited with code ${code} (killed by ${killedBy})` : `exited with code ${code}`;
}

/** Polls the app's /readyz until it answers 200; throws if the run exits first or the deadline passes. */
export async function waitUntilReady(app, run, deadline) {
  const url = `http://127.0.0.1:${app.port}/readyz`;
  let last = 'no answer yet';
  while (!run.exitStatus) {
    if (Date.now() > deadline) throw new Error(`${app.name} was not ready at ${url} in time (last: ${last})`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      const body = await response.text();
      if (response.status === 200) return;
      last = `${response.status} ${body.slice(0, 200)}`;
    } catch (error) {
      last = error.cause?.code ?? error.message;
    }
    await delay(250);
  }
  throw new Error(`${app.name} ${describeExit(run.exitStatus)} before it was ready`);
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {}
}

/**
 * SIGTERM to the app (tsx relays it to the Node process running main.ts, which shuts down gracefully), then
 * SIGKILL to its whole process group if it has not exited within graceMs.
 */
export async function stopApp(app, run, graceMs) {
  if (!run.pid) return;
  if (!run.exitStatus) {
    run.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      process.stderr.write(`[start] ${app.name} still running after ${graceMs / 1000}s: SIGKILL\n`);
      signalGroup(run.pid, 'SIGKILL');
    }, graceMs);
    await run.exited;
    clearTimeout(timer);
  }
  // Whatever the app's process group still holds (a grandchild that outlived tsx) goes too.
  signalGroup(run.pid, 'SIGKILL');
}

/** Last resort when the supervisor itself exits: nothing it spawned may outlive it. */
export function killAllNow(runs) {
  for (const run of runs) if (run?.pid) signalGroup(run.pid, 'SIGKILL');
}

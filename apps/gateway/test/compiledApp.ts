import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type ExitStatus, eventually, spawnNode } from '@afternoon/testkit';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

export const appNames = [
  'customer-service',
  'metering-service',
  'invoicing-service',
  'notification-service',
  'gateway',
] as const;
export type AppName = (typeof appNames)[number];

/** `npm run build` itself (infra/build.mjs): every app's dist/ from the current sources. */
export async function buildApps() {
  await promisify(execFile)(process.execPath, ['infra/build.mjs'], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
}

export type AppEnv = Record<string, string | number | boolean | readonly string[] | Buffer | undefined>;

/** The variables as a process gets them: lists comma-separated, bytes in base64, nothing inherited but PATH. */
function processEnv(env: AppEnv): Record<string, string> {
  const entries = Object.entries(env).flatMap(([name, value]) => {
    if (value === undefined) return [];
    if (Buffer.isBuffer(value)) return [[name, value.toString('base64')]];
    return [[name, Array.isArray(value) ? value.join(',') : String(value)]];
  });
  return { PATH: process.env.PATH ?? '', ...Object.fromEntries(entries) };
}

/**
 * The command line and environment of one compiled app: `node dist/main.js` in the app's folder, as the image runs
 * it; or, given `envFile`, `node infra/service.mjs <app> --env <envFile>` from the repository, as the systemd
 * units run it, with the environment written to that file.
 */
function launch(name: AppName, env: AppEnv, envFile: string | undefined) {
  const variables = processEnv(env);
  if (!envFile) return { args: ['dist/main.js'], cwd: join(repoRoot, 'apps', name), env: variables };
  const { PATH, ...fromFile } = variables;
  writeFileSync(
    envFile,
    Object.entries(fromFile)
      .map(([key, value]) => `${key}=${value}\n`)
      .join(''),
    { mode: 0o600 },
  );
  return { args: ['infra/service.mjs', name, '--env', envFile], cwd: repoRoot, env: { PATH } };
}

/** One app compiled by `npm run build`, run as the image (or, given `envFile`, a systemd unit) runs it. */
export function spawnCompiledApp(name: AppName, env: AppEnv, envFile?: string) {
  const { args, cwd, env: variables } = launch(name, env, envFile);
  const { child, exited, output: lastOutput, isRunning } = spawnNode(args, { cwd, env: variables });
  return {
    name,
    pid: child.pid,
    exited,
    /** Resolves once /readyz answers 200; rejects, with the app's last output, if it exits first or takes too long. */
    async ready(port: number, timeout = 120_000) {
      const exitedEarly = exited.then((status) => {
        throw new Error(`${name} exited (${JSON.stringify(status)}) before it was ready:\n${lastOutput()}`);
      });
      const answers = eventually(
        async () => {
          const response = await fetch(`http://127.0.0.1:${port}/readyz`);
          if (response.status !== 200) throw new Error(`${response.status} ${await response.text()}`);
        },
        { timeout, interval: 100, label: `${name} ready` },
      );
      await Promise.race([answers, exitedEarly]);
    },
    /** SIGTERM, as `docker stop` and systemd send it; SIGKILL after `graceMs` (the exit status then says so). */
    async stop(graceMs = 15_000): Promise<ExitStatus> {
      if (isRunning()) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const status = await exited;
      clearTimeout(timer);
      return status;
    },
    lastOutput,
  };
}
export type CompiledApp = ReturnType<typeof spawnCompiledApp>;

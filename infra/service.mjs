#!/usr/bin/env node
// `npm run service -- <app> [--env <file>]`: one app alone, compiled (`npm run build` first), in this very process,
// with its environment from the process (what systemd's EnvironmentFile= sets) and, when given, an env file (KEY=value
// lines; the process's own variables win; not `--env-file`, which Node 20 reads itself wherever it stands). No Kafka,
// Postgres or other app is started: the environment names them. The app checks its environment itself at boot.
// systemd units run `node infra/service.mjs <app>` directly (infra/deploy/systemd/): npm's `sh -c` would not pass
// systemd's SIGTERM on.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadDotEnv, log as logAs, ROOT } from './lib/workspace.mjs';

const log = (message) => logAs('service', message);
const APPS = ['gateway', 'customer-service', 'metering-service', 'invoicing-service', 'notification-service'];

function parseArguments(args) {
  const [app, ...rest] = args;
  if (!APPS.includes(app)) return { error: `which app? one of: ${APPS.join(', ')}` };
  if (rest.length === 0) return { app };
  if (rest[0] === '--env' && rest.length === 2) return { app, envFile: resolve(rest[1]) };
  return { error: `unexpected arguments: ${rest.join(' ')}` };
}

const { app, envFile, error } = parseArguments(process.argv.slice(2));
if (error) {
  log(`${error}\nusage: npm run service -- <app> [--env <file>]`);
  process.exit(2);
}
if (envFile && !existsSync(envFile)) {
  log(`no env file at ${envFile}`);
  process.exit(2);
}
const main = join(ROOT, 'apps', app, 'dist', 'main.js');
if (!existsSync(main)) {
  log(`${app} is not built (no ${main}): run \`npm run build\` first`);
  process.exit(1);
}
if (envFile) loadDotEnv(process.env, envFile);
process.env.NODE_ENV ??= 'production';
// The app runs here, not in a child: its own SIGTERM handler stops it gracefully, and there is no process to relay to.
await import(pathToFileURL(main).href);

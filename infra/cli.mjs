#!/usr/bin/env node
// `npm run cli -- <args>`: the gateway's admin CLI (apps/gateway/src/cli.ts) against the local database and broker
// (dead-letters list|replay), or
// `npm run cli -- rebuild <service>`: drop what that service derived and derive it again (its src/rebuild.ts).
// Only the CLI's own output goes to stdout, so `npm run -s cli -- ... | jq` works.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { binPath, ensureDependencies, LOCAL_DIR, loadDotEnv, log, postgresUrl, ROOT, run } from './lib/workspace.mjs';

loadDotEnv();
const shellEnv = process.env;
const gatewayDir = join(ROOT, 'apps', 'gateway');
if (!existsSync(join(gatewayDir, 'src', 'cli.ts'))) {
  log('cli', 'apps/gateway/src/cli.ts is missing');
  process.exit(1);
}
if (!(await ensureDependencies())) process.exit(1);

const url = await postgresUrl(shellEnv).catch((error) => {
  log('cli', error.message);
  process.exit(1);
});
const env = {
  ...shellEnv,
  DATABASE_URL: url,
  KAFKA_BROKERS: shellEnv.KAFKA_BROKERS || `127.0.0.1:${shellEnv.KAFKA_PORT || 9092}`,
  LOCAL_DIR: shellEnv.LOCAL_DIR ? resolve(ROOT, shellEnv.LOCAL_DIR) : LOCAL_DIR,
};

const [first, service] = process.argv.slice(2);
if (first === 'rebuild') {
  const serviceDir = join(ROOT, 'apps', service ?? '');
  if (!service || !existsSync(join(serviceDir, 'src', 'rebuild.ts'))) {
    log(
      'cli',
      `usage: npm run cli -- rebuild <service>; services that can rebuild: customer-service, metering-service, invoicing-service and notification-service (stop the last three first; they need Kafka)`,
    );
    process.exit(2);
  }
  process.exit(await run(binPath('tsx'), ['src/rebuild.ts'], { cwd: serviceDir, env, relaySignals: true }));
}
const args = ['src/cli.ts', ...process.argv.slice(2)];
process.exit(await run(binPath('tsx'), args, { cwd: gatewayDir, env, relaySignals: true }));

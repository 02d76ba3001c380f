#!/usr/bin/env node
// Startup time (spawn → /readyz 200) and resident memory once ready, of each app compiled (`node dist/main.js`, after
// `npm run build`) and from sources (`tsx src/main.ts`, as `npm start` runs them), one app at a time, each run on a
// schema and topic namespace of its own (dropped at the end). Prints a markdown table for docs/deploying.md.
//   KAFKA_BROKERS and DATABASE_URL (required)   STARTUP_RUNS (3) runs per app and mode, the median is reported
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { portTaken } from '../lib/apps.mjs';
import { binPath, ROOT } from '../lib/workspace.mjs';

const env = process.env;
const { KAFKA_BROKERS, DATABASE_URL } = env;
if (!KAFKA_BROKERS || !DATABASE_URL) throw new Error('set KAFKA_BROKERS and DATABASE_URL');
const runs = Number(env.STARTUP_RUNS ?? 3);
const apps = ['customer-service', 'metering-service', 'invoicing-service', 'notification-service', 'gateway'];
const modes = { compiled: [process.execPath, ['dist/main.js']], tsx: [binPath('tsx'), ['src/main.ts']] };
const topicPrefix = `startup_${randomBytes(4).toString('hex')}.`;
const schemas = [];

/** Resident memory of a process and all its descendants (tsx runs the app in a child node process), in MiB. */
function treeRssMiB(pid) {
  const children = readdirSync(`/proc/${pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
  );
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return rssKiB / 1024 + children.reduce((sum, child) => sum + treeRssMiB(child), 0);
}

async function freePort() {
  for (let port = 4950; port < 5050; port++) if (!(await portTaken(port))) return port;
  throw new Error('no free port in 4950-5049');
}

async function measure(app, mode) {
  const port = await freePort();
  const schema = `startup_${randomBytes(4).toString('hex')}`;
  schemas.push(schema);
  const appEnv = {
    PATH: env.PATH,
    DATABASE_URL,
    KAFKA_BROKERS,
    TOPIC_PREFIX: topicPrefix,
    DB_SCHEMA: schema,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    INTERNAL_API_TOKEN: 'internal_api_token_for_startup_bench',
    ADMIN_TOKEN: 'admin_token_for_the_startup_bench',
  };
  const [command, args] = modes[mode];
  const started = performance.now();
  const child = spawn(command, args, { cwd: join(ROOT, 'apps', app), env: appEnv, stdio: 'ignore' });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${app} (${mode}) exited with ${child.exitCode}`);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      await delay(20);
    }
    const ms = performance.now() - started;
    await delay(1000);
    return { ms, rss: treeRssMiB(child.pid) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve()));
  }
}

const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function dropAll() {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
  const admin = new Kafka({ brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(topicPrefix));
  if (topics.length > 0) await admin.deleteTopics({ topics });
  const groups = (await admin.listGroups()).groups
    .map((group) => group.groupId)
    .filter((id) => id.startsWith(topicPrefix));
  if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
  await admin.disconnect();
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => dropAll().finally(() => process.exit(130)));
}

const rows = [];
try {
  for (const app of apps) {
    const results = {};
    for (const mode of Object.keys(modes)) {
      const samples = [];
      for (let run = 0; run < runs; run++) samples.push(await measure(app, mode));
      results[mode] = { ms: median(samples.map((s) => s.ms)), rss: median(samples.map((s) => s.rss)) };
    }
    const { compiled, tsx } = results;
    rows.push(
      `| ${app} | ${(compiled.ms / 1000).toFixed(2)} s | ${(tsx.ms / 1000).toFixed(2)} s | ${compiled.rss.toFixed(0)} MiB | ${tsx.rss.toFixed(0)} MiB |`,
    );
    process.stderr.write(`${rows.at(-1)}\n`);
  }
} finally {
  await dropAll();
}
const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load ${loadavg()[0].toFixed(1)}`;
console.log(`${new Date().toISOString().slice(0, 10)} — ${machine}; median of ${runs} runs per app and mode\n`);
console.log(
  '| app | startup, compiled | startup, tsx | RSS when ready, compiled | RSS when ready, tsx (both processes) |',
);
console.log('| --- | --- | --- | --- | --- |');
console.log(rows.join('\n'));

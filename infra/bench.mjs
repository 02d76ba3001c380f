#!/usr/bin/env node
// `npm run bench`: dependencies, Kafka and Postgres (started or reused as `npm start` does), the four apps on the
// bench's own ports with this run's own schemas and topics, then each scenario of infra/bench/scenarios at each of
// its client counts for a bounded time against 127.0.0.1. Prints a markdown table and appends it, with the date and
// the machine, to docs/benchmarks.md. Measures; asserts nothing (the exit code is 0 even when a goal is missed).
// Stops everything it started at the end and on Ctrl-C (and then records nothing).
//
//   BENCH_DURATION_SECONDS (10)  per load point     BENCH_WARMUP_SECONDS (3)  per scenario, results discarded
//   BENCH_SCENARIOS=id,id        only these          BENCH_RECORD=0            print only, leave docs alone
//   BENCH_PORT (3900), BENCH_CUSTOMERS_PORT / BENCH_METERING_PORT / BENCH_INVOICING_PORT (4901-4903)
//   BENCH_LOG_LEVEL (warn)       the apps' LOG_LEVEL BENCH_KEEP_DATA=1         keep the run's schemas and topics
import { loadavg } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { ensureDependencies, loadDotEnv, log as logAs } from './lib/workspace.mjs';

const log = (message) => logAs('bench', message);

loadDotEnv();
const env = process.env;

function seconds(name, fallback) {
  const value = Number(env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0 || value > 600) {
    log(`${name}=${env[name]} is not a number of seconds (0-600)`);
    process.exit(2);
  }
  return value;
}
const durationSeconds = seconds('BENCH_DURATION_SECONDS', 10) || 1;
const warmupSeconds = seconds('BENCH_WARMUP_SECONDS', 3);

if (!(await ensureDependencies())) process.exit(1);

// Only now: these import autocannon, pg and kafkajs, which the install above provides.
const { createCluster } = await import('./bench/cluster.mjs');
const { runLoad } = await import('./bench/load.mjs');
const { appendSection, BENCHMARKS_MD, section, table, goalLines } = await import('./bench/report.mjs');
const { scenarios: allScenarios } = await import('./bench/scenarios/index.mjs');

const wanted = env.BENCH_SCENARIOS?.split(',')
  .map((id) => id.trim())
  .filter(Boolean);
const scenarios = wanted ? allScenarios.filter((scenario) => wanted.includes(scenario.id)) : allScenarios;
if (scenarios.length === 0) {
  log(`no scenario matches BENCH_SCENARIOS=${env.BENCH_SCENARIOS}; known: ${allScenarios.map((s) => s.id).join(', ')}`);
  process.exit(2);
}

const cluster = createCluster(env);
const state = { stopping: undefined, load: undefined };

function shutdown(code) {
  state.stopping ??= (async () => {
    state.load?.stop();
    await cluster.stop();
    process.exit(code);
  })();
  return state.stopping;
}

process.on('exit', () => cluster.killNow());
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (state.stopping) {
      log(`${signal} again: killing the apps now`);
      cluster.killNow();
      process.exit(130);
    }
    log(`${signal}: stopping; nothing is recorded (press Ctrl-C again to kill the apps at once)`);
    shutdown(130);
  });
}
// As in start.mjs: npm's `sh -c` can die without passing a SIGTERM on; stop rather than leave the apps running.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid === parentPid || state.stopping) return;
  log('parent process exited: stopping');
  shutdown(1);
}, 1000).unref();

async function createOrganization() {
  const response = await fetch(`${cluster.baseUrl}/v1/admin/organizations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${cluster.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `Bench ${cluster.runId}` }),
  });
  const body = await response.json().catch(() => undefined);
  if (response.status !== 201) {
    throw new Error(`creating the bench organization answered ${response.status}: ${JSON.stringify(body)}`);
  }
  return { id: body.organization.id, keys: body.api_keys };
}

/** Runs one load point; resolves undefined when the bench is stopping. */
async function load(request, connections, durationSeconds) {
  if (state.stopping) return undefined;
  state.load = runLoad({ baseUrl: cluster.baseUrl, request, connections, durationSeconds });
  try {
    const result = await state.load.done;
    return state.stopping ? undefined : result;
  } finally {
    state.load = undefined;
  }
}

async function main() {
  const startedAt = new Date();
  const loadBefore = loadavg()[0];
  cluster.onAppExit = (error) => {
    log(`${error.message}: stopping`);
    shutdown(1);
  };
  await cluster.start();
  if (state.stopping) return;
  const organization = await createOrganization();
  const context = { baseUrl: cluster.baseUrl, adminToken: cluster.adminToken, organization };

  const rows = [];
  for (const scenario of scenarios) {
    const request = await scenario.prepare(context);
    if (warmupSeconds > 0) {
      const warmupClients = Math.min(Math.max(...scenario.connections), 10);
      log(`${scenario.id}: warming up, ${warmupClients} clients for ${warmupSeconds} s`);
      await load(request, warmupClients, warmupSeconds);
    }
    for (const connections of scenario.connections) {
      await delay(500);
      log(`${scenario.id}: ${connections} client${connections === 1 ? '' : 's'} for ${durationSeconds} s`);
      const result = await load(request, connections, durationSeconds);
      if (!result) return;
      log(
        `${scenario.id} @${connections}: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ` +
          `${result.requestsPerSecond.toFixed(1)} req/s, ${result.errors} errors, ${result.non2xx} non-2xx`,
      );
      rows.push({ scenario, result });
    }
  }
  if (state.stopping) return;

  process.stdout.write(`\n${table(rows)}\n\n${goalLines(rows, scenarios).join('\n')}\n\n`);
  if (env.BENCH_RECORD === '0') {
    log('BENCH_RECORD=0: docs/benchmarks.md left alone');
  } else {
    appendSection(section({ startedAt, loadBefore, rows, scenarios, durationSeconds, warmupSeconds }));
    log(`appended to ${BENCHMARKS_MD}`);
  }
  await shutdown(0);
}

main().catch((error) => {
  if (state.stopping) return;
  log(error.message);
  shutdown(1);
});

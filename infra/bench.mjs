#!/usr/bin/env node
// `npm run bench`: dependencies, Kafka and Postgres (started or reused as `npm start` does), the four apps on the
// bench's own ports with this run's own schemas and topics, then each scenario of infra/bench/scenarios at each of
// its client counts for a bounded time against 127.0.0.1. Prints a markdown table and appends it, with the date and
// the machine, to docs/benchmarks.md. Measures; asserts nothing (the exit code is 0 even when a goal is missed).
// Stops everything it started at the end and on Ctrl-C (and then records nothing).
//
//   BENCH_DURATION_SECONDS (10)  per load point     BENCH_WARMUP_SECONDS (3)  per scenario, results discarded
//   BENCH_SCENARIOS=id,id        only these          BENCH_RECORD=0            print only, leave docs alone
//   BENCH_PORT (3900), BENCH_CUSTOMERS_PORT / BENCH_METERING_PORT / BENCH_INVOICING_PORT / BENCH_NOTIFICATIONS_PORT (4901-4904)
//   BENCH_LOG_LEVEL (warn)       the apps' LOG_LEVEL BENCH_KEEP_DATA=1         keep the run's schemas and topics
//   BENCH_EVENTS (10000000)      usage-query's seed size (kept across runs as bench_seed_<n>_*), and the default
//                                of BENCH_KAFKA_EVENTS (the smaller of 1,000,000 and BENCH_EVENTS)
//   BENCH_DRAIN_TIMEOUT_SECONDS (300)  how long the ingest scenarios wait for metering to store what they sent
//   BENCH_PROFILE=1              run every app under the CPU profiler (profiles listed at the end); the apps then run
//                                their sources through tsx, otherwise the bundles production runs (`npm run build`)
//   BENCH_SUBSCRIPTIONS (1000)   how many subscriptions subscription-billing bills at one period end
//   BENCH_QUERYABLE_RATE (2500)  events/s event-to-queryable sends when no HTTP ingest scenario ran before it
//   BENCH_SUSTAIN_SECONDS (60)   http-sustained's confirming run at the rate found (probes: BENCH_PROBE_SECONDS, 10)
//   BENCH_EXTRA_PORT (BENCH_PORT+1), BENCH_EXTRA_METERING_PORT (4905)  scale-out's second gateway and metering
//   BENCH_KAFKA_START_TIMEOUT (120)  seconds the bench's own broker may take to start (START_TIMEOUT_SECONDS: each app)
// Every scenario also reports the consumer-group rebalances seen during it and each app's peak resident memory.
import { loadavg } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { buildApps } from './lib/build.mjs';
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
const drainTimeoutSeconds = seconds('BENCH_DRAIN_TIMEOUT_SECONDS', 300);
const events = Number(env.BENCH_EVENTS ?? 10_000_000);
if (!Number.isInteger(events) || events < 1000 || events > 100_000_000) {
  log(`BENCH_EVENTS=${env.BENCH_EVENTS} is not a whole number of events (1,000-100,000,000)`);
  process.exit(2);
}

if (!(await ensureDependencies())) process.exit(1);
if (env.BENCH_PROFILE !== '1') {
  log('building the apps as production runs them (npm run build)');
  if ((await buildApps()) !== 0) process.exit(1);
}

// Only now: these import autocannon, pg and kafkajs, which the install above provides.
const { createCluster } = await import('./bench/cluster.mjs');
const { runLoad } = await import('./bench/load.mjs');
const { appendSection, BENCHMARKS_MD, section, table, goalLines, measurementsTable, healthTable, healthGoalLines } =
  await import('./bench/report.mjs');
const { groupWatch } = await import('./bench/lib/groupWatch.mjs');
const { warmBroker } = await import('./bench/lib/brokerWarmup.mjs');
const { cpuShare } = await import('./bench/lib/cpuShare.mjs');
const { memoryWatch } = await import('./bench/lib/memory.mjs');
const { scenarios: allScenarios } = await import('./bench/scenarios/index.mjs');
const { createOrganization } = await import('./bench/lib/api.mjs');

const wanted = env.BENCH_SCENARIOS?.split(',')
  .map((id) => id.trim())
  .filter(Boolean);
const scenarios = wanted ? allScenarios.filter((scenario) => wanted.includes(scenario.id)) : allScenarios;
if (scenarios.length === 0) {
  log(`no scenario matches BENCH_SCENARIOS=${env.BENCH_SCENARIOS}; known: ${allScenarios.map((s) => s.id).join(', ')}`);
  process.exit(2);
}

const cluster = createCluster(env);
const state = { stopping: undefined, loads: new Set() };

function shutdown(code) {
  state.stopping ??= (async () => {
    for (const running of state.loads) running.stop();
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

const loadAverages = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');

/** Runs one load point (against the gateway, or `baseUrl`); resolves undefined when the bench is stopping. */
async function load(request, connections, durationSeconds, baseUrl = cluster.baseUrl) {
  if (state.stopping) return undefined;
  const running = runLoad({ baseUrl, request, connections, durationSeconds });
  state.loads.add(running);
  const from = process.hrtime.bigint() / 1000n;
  const cpu = cpuShare(cluster);
  try {
    const result = await running.done;
    const point = `${request.method ?? 'GET'} ${request.path} @${connections}`;
    log(`${point}: ${cpu.stop()}`);
    if (cluster.profileDir) log(`${point} in the CPU profiles: --window ${from}-${process.hrtime.bigint() / 1000n}`);
    return state.stopping ? undefined : result;
  } finally {
    state.loads.delete(running);
  }
}

async function main() {
  const startedAt = new Date();
  const loadBefore = loadavg()[0];
  const loadAveragesBefore = loadAverages();
  cluster.onAppExit = (error) => {
    log(`${error.message}: stopping`);
    shutdown(1);
  };
  await cluster.start();
  if (state.stopping) return;
  const warmed = cluster.ownBroker ? await warmBroker({ cluster }) : undefined;
  if (warmed) log(warmed);
  if (state.stopping) return;
  const organization = await createOrganization(cluster.baseUrl, cluster.adminToken, `Bench ${cluster.runId}`);
  const context = {
    baseUrl: cluster.baseUrl,
    adminToken: cluster.adminToken,
    organization,
    cluster,
    env,
    events,
    durationSeconds,
    warmupSeconds,
    drainTimeoutSeconds,
    results: {},
    shared: {},
    load: (request, connections, seconds, baseUrl) => load(request, connections, seconds, baseUrl),
    log,
    stopping: () => Boolean(state.stopping),
  };

  const rows = [];
  const measured = [];
  const health = [];
  const runMemory = memoryWatch(cluster);
  for (const scenario of scenarios) {
    const groups = groupWatch(cluster);
    const memory = memoryWatch(cluster);
    await runScenario(scenario, context, rows, measured);
    health.push({ scenario, rebalanced: await groups.stop(), memory: memory.stop() });
    if (state.stopping) return;
  }
  const memoryOfRun = runMemory.stop();
  if (state.stopping) return;

  if (rows.length) process.stdout.write(`\n${table(rows)}\n\n${goalLines(rows, scenarios).join('\n')}\n\n`);
  if (measured.length) process.stdout.write(`\n${measurementsTable(measured)}\n\n`);
  const healthText = `${healthTable(health)}\n\n${healthGoalLines(health, memoryOfRun).join('\n')}`;
  process.stdout.write(`\n${healthText}\n\n`);
  const notes = [
    `Load averages (1, 5, 15 min) before the run: ${loadAveragesBefore}; after: ${loadAverages()}.`,
    ...(measured.length ? [`BENCH_EVENTS=${events}.`] : []),
    ...(warmed ? [`Before the first scenario, the bench's own ${warmed}.`] : []),
  ];
  process.stdout.write(`${notes.join('\n')}\n\n`);
  if (env.BENCH_RECORD === '0') {
    log('BENCH_RECORD=0: docs/benchmarks.md left alone');
  } else {
    appendSection(
      section({ startedAt, loadBefore, rows, measured, healthText, scenarios, durationSeconds, warmupSeconds, notes }),
    );
    log(`appended to ${BENCHMARKS_MD}`);
  }
  await shutdown(0);
}

/** One scenario: a measured one answers its own rows; a load one runs its request at each of its client counts. */
async function runScenario(scenario, context, rows, measured) {
  if (scenario.measure) {
    for (const measurement of await scenario.measure(context)) measured.push({ scenario, measurement });
    return;
  }
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

main().catch((error) => {
  if (state.stopping) return;
  log(error.message);
  shutdown(1);
});

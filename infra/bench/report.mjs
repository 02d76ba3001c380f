// The machine, the table and the section appended to docs/benchmarks.md.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../lib/workspace.mjs';

export const BENCHMARKS_MD = join(ROOT, 'docs', 'benchmarks.md');

/** Kafka's version is the one infra/kafka/pom.xml pins (the broker `npm start` and the bench run). */
function kafkaVersion() {
  try {
    const pom = readFileSync(join(ROOT, 'infra', 'kafka', 'pom.xml'), 'utf8');
    return /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function machine() {
  const list = cpus();
  return {
    cpu: `${list[0]?.model?.trim() ?? 'unknown CPU'} × ${list.length} cores`,
    ram: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM`,
    node: `Node ${process.version}`,
    kafka: `Kafka ${kafkaVersion()}`,
    platform: `${process.platform}/${process.arch}, kernel ${release()}`,
  };
}

const fixed = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

export function table(rows) {
  const lines = [
    '| scenario | clients | p50 (ms) | p99 (ms) | requests/s | requests | errors / non-2xx |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const { scenario, result } of rows) {
    const failed = result.errors + result.non2xx;
    const codes = Object.entries(result.statusCodes)
      .filter(([code]) => !code.startsWith('2'))
      .map(([code, count]) => `${code}×${count}`)
      .join(' ');
    lines.push(
      `| ${scenario.title} | ${result.connections} | ${fixed(result.p50Ms)} | ${fixed(result.p99Ms)} | ` +
        `${fixed(result.requestsPerSecond, 1)} | ${result.requests} | ${failed}${codes ? ` (${codes})` : ''} |`,
    );
  }
  return lines.join('\n');
}

/** One plain sentence per goal of a load scenario: met or not, with the numbers it was judged on. */
export function goalLines(rows, scenarios) {
  const lines = [];
  for (const scenario of scenarios) {
    for (const { connections, p99Ms, requestsPerSecond } of scenario.goals ?? (scenario.goal ? [scenario.goal] : [])) {
      const row = rows.find((r) => r.scenario === scenario && r.result.connections === connections);
      const rate = requestsPerSecond ? `≥ ${requestsPerSecond} requests/s with ` : '';
      const goal = `${rate}p99 < ${p99Ms} ms at ${connections} client${connections === 1 ? '' : 's'}`;
      if (!row) {
        lines.push(`- ${scenario.title}: goal (${goal}) not measured in this run.`);
        continue;
      }
      const { result } = row;
      const failed = result.errors + result.non2xx;
      const met = failed === 0 && result.p99Ms < p99Ms && result.requestsPerSecond >= (requestsPerSecond ?? 0);
      const measured = `p99 was ${fixed(result.p99Ms)} ms, ${fixed(result.requestsPerSecond, 1)} requests/s`;
      lines.push(
        `- ${scenario.title}: goal (${goal}) **${met ? 'met' : 'not met'}**: ${measured}` +
          `${failed ? `, ${failed} requests failed` : ''}.`,
      );
    }
  }
  return lines;
}

const goalText = (goal, unit) => {
  if (unit === 'check') return 'yes';
  const suffix = unit === 'ratio' ? '×' : unit;
  return goal.atLeast !== undefined
    ? `≥ ${goal.atLeast.toLocaleString('en')} ${suffix}`
    : `< ${goal.below.toLocaleString('en')} ${suffix}`;
};

function measuredValue({ value, unit }) {
  if (!Number.isFinite(value)) return value === Number.POSITIVE_INFINITY ? 'not all seen' : 'n/a';
  if (unit === 'ratio') return value.toFixed(2);
  if (unit === 'check') return value ? 'yes' : 'no';
  if (unit === 's') return `${value.toFixed(0)} s`;
  return `${Math.round(value).toLocaleString('en')} ${unit}`;
}

/** 'yes', '**no**' or '' (no goal): a missed goal is never left for the reader to work out. */
export function goalMet({ value, goal }) {
  if (!goal) return '';
  const met = goal.atLeast !== undefined ? value >= goal.atLeast : value < goal.below;
  return Number.isFinite(value) && met ? 'yes' : '**no**';
}

/** The measured scenarios' table: one row per measurement, with its goal and whether it was met. */
export function measurementsTable(measured) {
  const lines = ['| scenario | measured | result | goal | met? | details |', '| --- | --- | ---: | --- | --- | --- |'];
  for (const { scenario, measurement } of measured) {
    const goal = measurement.goal ? goalText(measurement.goal, measurement.unit) : '';
    lines.push(
      `| ${scenario.title} | ${measurement.measured} | ${measuredValue(measurement)} | ${goal} | ` +
        `${goalMet(measurement)} | ${(measurement.details ?? '').replaceAll('|', '\\|')} |`,
    );
  }
  return lines.join('\n');
}

/** Per scenario: the consumer-group rebalances seen during it and each app's peak resident memory (MB). */
export function healthTable(health) {
  const names = [...new Set(health.flatMap(({ memory }) => [...memory.keys()]))].sort();
  const lines = [
    `| scenario | rebalances | ${names.map((name) => `${name} peak RSS (MB)`).join(' | ')} |`,
    `| --- | --- | ${names.map(() => '---:').join(' | ')} |`,
  ];
  for (const { scenario, rebalanced, memory } of health) {
    const rebalances = rebalanced.length
      ? `**${rebalanced.map(({ group, rebalances, seen }) => `${group} ×${rebalances} (${seen.join(', ')})`).join('; ')}**`
      : '0';
    const peaks = names.map((name) => fixed(memory.get(name)?.peakMb));
    lines.push(`| ${scenario.title} | ${rebalances} | ${peaks.join(' | ')} |`);
  }
  return lines.join('\n');
}

const GATEWAY_PEAK_MB = 250;

/** The run's two health goals: no rebalance in any scenario, and the gateway's peak resident memory. */
export function healthGoalLines(health, memoryOfRun) {
  const rebalancing = health.filter(({ rebalanced }) => rebalanced.length > 0);
  const peaks = [...memoryOfRun]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, { hwmMb }]) => `${name} ${fixed(hwmMb)} MB`);
  const gateway = memoryOfRun.get('gateway')?.hwmMb;
  const gatewayMet = Number.isFinite(gateway) && gateway < GATEWAY_PEAK_MB;
  return [
    `- Zero consumer-group rebalances during any scenario: **${rebalancing.length ? 'not met' : 'met'}**` +
      `${rebalancing.length ? ` (${rebalancing.map(({ scenario }) => scenario.id).join(', ')})` : ''}.`,
    `- Gateway peak resident memory < ${GATEWAY_PEAK_MB} MB: **${gatewayMet ? 'met' : 'not met'}** ` +
      `(${fixed(gateway)} MB). Peak resident memory (VmHWM) over the run: ${peaks.join(', ')}.`,
  ];
}

export function section({
  startedAt,
  loadBefore,
  rows,
  measured = [],
  healthText,
  scenarios,
  durationSeconds,
  warmupSeconds,
  notes = [],
}) {
  const m = machine();
  const loadTable = rows.length ? [table(rows), '', ...goalLines(rows, scenarios), ''] : [];
  const measuredTable = measured.length ? [measurementsTable(measured), ''] : [];
  const healthLines = healthText ? [healthText, ''] : [];
  return [
    `### ${startedAt.toISOString()}`,
    '',
    `Machine: ${m.cpu}, ${m.ram}, ${m.platform}; ${m.node}; ${m.kafka}. ` +
      `${durationSeconds} s per row after a ${warmupSeconds} s warm-up. ` +
      `Load average (1 min) before the run: ${loadBefore.toFixed(2)}, after: ${loadavg()[0].toFixed(2)} ` +
      '(anything else running shares the CPUs with the apps, Kafka, Postgres and the load generator).',
    '',
    ...loadTable,
    ...measuredTable,
    ...healthLines,
    ...notes.map((note) => `- ${note}`),
    ...(notes.length ? [''] : []),
  ].join('\n');
}

export function appendSection(text) {
  const before = existsSync(BENCHMARKS_MD) ? readFileSync(BENCHMARKS_MD, 'utf8') : '';
  const separator = before === '' || before.endsWith('\n\n') ? '' : before.endsWith('\n') ? '\n' : '\n\n';
  appendFileSync(BENCHMARKS_MD, `${separator}${text}`);
  // The tables are written unaligned; the repository's formatter aligns them, so `npm test`'s lint stays green.
  execFileSync('npx', ['biome', 'format', '--write', BENCHMARKS_MD], { stdio: 'ignore' });
}

// The machine, the table and the section appended to docs/benchmarks.md.
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

/** One plain sentence per scenario with a goal: met or not, with the number it was judged on. */
export function goalLines(rows, scenarios) {
  const lines = [];
  for (const scenario of scenarios) {
    if (!scenario.goal) continue;
    const { connections, p99Ms } = scenario.goal;
    const row = rows.find((r) => r.scenario === scenario && r.result.connections === connections);
    const goal = `p99 < ${p99Ms} ms at ${connections} client${connections === 1 ? '' : 's'}`;
    if (!row) {
      lines.push(`- ${scenario.title}: goal (${goal}) not measured in this run.`);
    } else if (row.result.errors + row.result.non2xx > 0) {
      lines.push(
        `- ${scenario.title}: goal (${goal}) **not met**: p99 was ${fixed(row.result.p99Ms)} ms but ` +
          `${row.result.errors + row.result.non2xx} requests failed.`,
      );
    } else {
      const met = row.result.p99Ms < p99Ms;
      lines.push(
        `- ${scenario.title}: goal (${goal}) **${met ? 'met' : 'not met'}**: p99 was ${fixed(row.result.p99Ms)} ms.`,
      );
    }
  }
  return lines;
}

const goalText = (goal, unit) =>
  goal.atLeast !== undefined
    ? `≥ ${goal.atLeast.toLocaleString('en')} ${unit}`
    : `< ${goal.below.toLocaleString('en')} ${unit}`;

function measuredValue({ value, unit }) {
  if (!Number.isFinite(value)) return value === Number.POSITIVE_INFINITY ? 'not all seen' : 'n/a';
  if (unit === 'ratio') return value.toFixed(2);
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

export function section({
  startedAt,
  loadBefore,
  rows,
  measured = [],
  scenarios,
  durationSeconds,
  warmupSeconds,
  notes = [],
}) {
  const m = machine();
  const loadTable = rows.length ? [table(rows), '', ...goalLines(rows, scenarios), ''] : [];
  const measuredTable = measured.length ? [measurementsTable(measured), ''] : [];
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
    ...notes.map((note) => `- ${note}`),
    ...(notes.length ? [''] : []),
  ].join('\n');
}

export function appendSection(text) {
  const before = existsSync(BENCHMARKS_MD) ? readFileSync(BENCHMARKS_MD, 'utf8') : '';
  const separator = before === '' || before.endsWith('\n\n') ? '' : before.endsWith('\n') ? '\n' : '\n\n';
  appendFileSync(BENCHMARKS_MD, `${separator}${text}`);
}

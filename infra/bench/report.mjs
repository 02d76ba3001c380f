// The machine, the table and the section appended to docs/benchmarks.md.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
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
    platform: `${process.platform}/${process.arch}`,
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

export function section({ startedAt, loadBefore, rows, scenarios, durationSeconds, warmupSeconds }) {
  const m = machine();
  return [
    `### ${startedAt.toISOString()}`,
    '',
    `Machine: ${m.cpu}, ${m.ram}, ${m.platform}; ${m.node}; ${m.kafka}. ` +
      `${durationSeconds} s per row after a ${warmupSeconds} s warm-up. ` +
      `Load average (1 min) before the run: ${loadBefore.toFixed(2)}, after: ${loadavg()[0].toFixed(2)} ` +
      '(anything else running shares the CPUs with the apps, Kafka, Postgres and the load generator).',
    '',
    table(rows),
    '',
    ...goalLines(rows, scenarios),
    '',
  ].join('\n');
}

export function appendSection(text) {
  const before = existsSync(BENCHMARKS_MD) ? readFileSync(BENCHMARKS_MD, 'utf8') : '';
  const separator = before === '' || before.endsWith('\n\n') ? '' : before.endsWith('\n') ? '\n' : '\n\n';
  appendFileSync(BENCHMARKS_MD, `${separator}${text}`);
}

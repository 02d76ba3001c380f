import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One row of the table in docs/metrics.md; a name ending in `*` stands for every metric with that prefix. */
export interface DocumentedMetric {
  name: string;
  type: string;
  labels: string[];
  apps: string[];
}

export const metricsDoc = fileURLToPath(new URL('../../../docs/metrics.md', import.meta.url));

/** The rows of the metrics table: `| \`name\` | type | \`label\`, … | app, … | meaning |`. */
export function documentedMetrics(markdown = readFileSync(metricsDoc, 'utf8')): DocumentedMetric[] {
  return markdown
    .split('\n')
    .filter((line) => /^\|\s*`/.test(line))
    .map((line) => {
      const [name, type, labels, apps] = line
        .split('|')
        .slice(1, 5)
        .map((cell) => cell.trim());
      const codes = (cell = '') => [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1] as string);
      return {
        name: codes(name)[0] ?? '',
        type: type ?? '',
        labels: codes(labels),
        apps: (apps ?? '').split(',').map((app) => app.trim()),
      };
    });
}

/** The documented metric a name from code or from a query belongs to (exactly, or by a `prefix*` row). */
export function documentedAs(metrics: readonly DocumentedMetric[], name: string): DocumentedMetric | undefined {
  return (
    metrics.find((metric) => metric.name === name) ??
    metrics.find((metric) => metric.name.endsWith('*') && name.startsWith(metric.name.slice(0, -1)))
  );
}

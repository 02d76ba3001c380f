import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type DocumentedMetric, documentedAs, documentedMetrics } from '../../test/metricsTable';
import { promqlReads } from '../../test/promql';

const dashboardPath = fileURLToPath(new URL('../../../../infra/deploy/grafana/afternoon.json', import.meta.url));

interface Panel {
  title: string;
  type: string;
  datasource?: { type: string; uid: string };
  targets?: Array<{ expr: string }>;
}

const dashboard = JSON.parse(readFileSync(dashboardPath, 'utf8')) as {
  schemaVersion: number;
  templating: { list: Array<{ name: string; type: string; query: string }> };
  panels: Panel[];
};
const queries = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map(({ expr }) => ({ panel, expr })));
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a template literal
const datasourceVariable = '${datasource}';
const histogramSeries = /_(bucket|sum|count)$/;
// Labels of every series (the registry's default) and of histogram buckets.
const seriesLabels = ['service', 'le'];

/** The documented metric a queried name reads: itself, or the histogram whose `_bucket`/`_sum`/`_count` it is. */
function metricRead(documented: readonly DocumentedMetric[], name: string): DocumentedMetric | undefined {
  const exact = documentedAs(documented, name);
  if (exact) return exact;
  const histogram = documentedAs(documented, name.replace(histogramSeries, ''));
  return histogram?.type === 'histogram' && histogramSeries.test(name) ? histogram : undefined;
}

describe('infra/deploy/grafana/afternoon.json', () => {
  it('is a Grafana dashboard on a Prometheus data source chosen at import', () => {
    expect(dashboard.schemaVersion).toBe(39);
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
    );
    for (const { panel } of queries)
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: datasourceVariable });
    expect(queries.length).toBeGreaterThan(10);
  });

  it('queries only metrics docs/metrics.md lists, by labels they have', () => {
    const documented = documentedMetrics();
    for (const { panel, expr } of queries) {
      const { metrics, labels } = promqlReads(expr);
      expect(metrics, `${panel.title}: ${expr} reads a metric`).not.toEqual([]);
      const read = metrics.map((name) => {
        const metric = metricRead(documented, name);
        expect(metric, `${panel.title}: ${name} is in docs/metrics.md`).toBeDefined();
        return metric as DocumentedMetric;
      });
      const known = new Set([...seriesLabels, ...read.flatMap((metric) => metric.labels)]);
      for (const label of labels) expect([...known], `${panel.title}: label ${label} of ${expr}`).toContain(label);
    }
  });

  it('reads names out of PromQL as the check above needs', () => {
    expect(
      promqlReads(
        'histogram_quantile(0.99, sum by (le, group) (rate(afternoon_handler_duration_seconds_bucket{topic=~"a\\\\.b"}[$__rate_interval])))',
      ),
    ).toEqual({ metrics: ['afternoon_handler_duration_seconds_bucket'], labels: ['topic', 'le', 'group'] });
    expect(promqlReads('sum(afternoon_outbox_backlog) or vector(0)').metrics).toEqual(['afternoon_outbox_backlog']);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExposedMetric, exposedMetrics } from '../../test/exposedMetrics';
import { type DocumentedMetric, documentedAs, documentedMetrics } from '../../test/metricsTable';
import { startTestCluster, type TestCluster } from '../../test/testCluster';

// Labels every series carries whatever the metric: the registry's default label, and Prometheus's own.
const implicitLabels = new Set(['service', 'le', 'quantile']);

describe('docs/metrics.md', () => {
  let cluster: TestCluster;
  /** Per app, what its /metrics serves once it has handled a command (so labelled series exist). */
  const exposed = new Map<string, Map<string, ExposedMetric>>();

  beforeAll(async () => {
    cluster = await startTestCluster({ withNotificationService: true });
    const org = await cluster.createOrganization('Metered Co');
    expect((await org.live.post('/v1/customers', { name: 'Scraped Ltd' })).status).toBe(201);
    const { services } = cluster;
    const apps: Record<string, number | undefined> = {
      gateway: cluster.gateway.port,
      'customer-service': services.customers()?.port,
      'metering-service': services.metering.port,
      'invoicing-service': services.invoicing.port,
      'notification-service': services.notifications?.port,
    };
    for (const [app, port] of Object.entries(apps)) exposed.set(app, await exposedMetrics(`http://127.0.0.1:${port}`));
  });
  afterAll(() => cluster?.stop());

  const appsExposing = (name: string) => [...exposed].filter(([, metrics]) => metrics.has(name)).map(([app]) => app);

  it('documents every metric an app exposes, with its type and the apps that expose it', () => {
    const documented = documentedMetrics();
    const names = new Set([...exposed.values()].flatMap((metrics) => [...metrics.keys()]));
    const missing = [...names].filter((name) => !documentedAs(documented, name)).sort();
    expect(missing, 'exposed but not in docs/metrics.md').toEqual([]);

    for (const name of [...names].filter((each) => each.startsWith('afternoon_'))) {
      const row = documentedAs(documented, name) as DocumentedMetric;
      const metric = [...exposed.values()].find((metrics) => metrics.has(name))?.get(name) as ExposedMetric;
      expect(row.type, `type of ${name}`).toBe(metric.type);
      const apps = appsExposing(name);
      expect((row.apps.includes('all') ? [...exposed.keys()] : [...row.apps]).sort(), `apps of ${name}`).toEqual(
        apps.sort(),
      );
    }
  });

  it('lists no metric that no app exposes, and the labels of every series seen', () => {
    for (const row of documentedMetrics()) {
      if (row.name.endsWith('*')) continue;
      expect(appsExposing(row.name), `${row.name} is exposed`).not.toEqual([]);
      for (const metrics of exposed.values()) {
        for (const label of metrics.get(row.name)?.labels ?? []) {
          if (!implicitLabels.has(label)) expect(row.labels, `labels of ${row.name}`).toContain(label);
        }
      }
    }
  });
});

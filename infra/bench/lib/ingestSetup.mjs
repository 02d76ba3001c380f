// What the ingest scenarios need in an organization: 100 customers, four probe customers, a sum meter over the
// events they send (so every insert also maintains its hourly rollup, as in production) and a count meter of probe
// events. For the run's organization it is made once, on first use.
import { createCustomers, createMeter } from './api.mjs';
import { customersKnown, rollupCurrent, withClient } from './db.mjs';

export const INGEST_CUSTOMERS = 100;
export const PROBE_CUSTOMERS = 4;

export function ingestSetup(context) {
  context.shared.ingest ??= ingestTenant(context, context.organization);
  return context.shared.ingest;
}

/** Makes the customers and meters for `organization` in the apps running now. */
export async function ingestTenant(context, organization) {
  const { baseUrl, cluster } = context;
  const key = organization.keys.live;
  const customers = await createCustomers(baseUrl, key, INGEST_CUSTOMERS, 'Ingest');
  const probes = await createCustomers(baseUrl, key, PROBE_CUSTOMERS, 'Probe');
  const tokens = await createMeter(baseUrl, key, {
    code: 'tokens',
    name: 'Tokens',
    event_name: 'api.request',
    aggregation: 'sum',
    property: 'tokens',
    group_by: ['model'],
  });
  const probe = await createMeter(baseUrl, key, {
    code: 'bench_probe',
    name: 'Probe events',
    event_name: 'bench.probe',
    aggregation: 'count',
  });
  const schema = cluster.app('metering-service').schema;
  await withClient(cluster.databaseUrl, async (client) => {
    await customersKnown(client, schema, [...customers, ...probes]);
    await rollupCurrent(client, schema, tokens.id, 60_000);
    await rollupCurrent(client, schema, probe.id, 60_000);
  });
  return { customers, probes, meterCodes: { tokens: tokens.code, probe: probe.code } };
}

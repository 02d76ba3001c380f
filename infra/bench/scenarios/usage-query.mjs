// Scenario 4 of the metering issue: GET /v1/customers/{id}/usage?meter=… over a month for a customer with a tenth
// of the organization's BENCH_EVENTS events (1 million of 10 million by default), with a sum meter grouped by
// `model` whose rollup is current: (a) the total, (b) window=hour, (c) group_by=model. The apps move to the kept
// seed identity first (lib/usageSeed.mjs), so this scenario runs last; the seed is made on the first run only.
import { callApi } from '../lib/api.mjs';
import { cpuShare } from '../lib/cpuShare.mjs';
import { withClient } from '../lib/db.mjs';
import { dropSeed, makeSeed, readSeed, SEED_MONTH, seedIdentity } from '../lib/usageSeed.mjs';

const GOAL_P99_MS = 50;
const CLIENTS = [1, 10];

/** @type {import('../scenario.mjs').MeasuredScenario} */
export default {
  id: 'usage-query',
  title: '8. Usage query latency',
  measures:
    '`BENCH_EVENTS` (10,000,000) events of one organization in October 2026, a tenth of them for the customer ' +
    'asked about, written straight into metering’s `usage_events` (INSERT … SELECT generate_series, in the ' +
    'service’s own schema and indexes), then a sum meter of `tokens` grouped by `model` (5 values) created ' +
    'through the API and rolled up by the service’s own builder. Kept across runs (`bench_seed_<events>_*`). ' +
    'Each query is run by autocannon, closed loop, for the duration at 1 and 10 clients: (a) the month’s total, ' +
    '(b) `window=hour` (744 windows), (c) `group_by=model`. Goal (issue 17): p99 < 50 ms at 1 and at 10 clients.',
  async measure(context) {
    const { cluster, events, log } = context;
    const identity = seedIdentity(events);
    const existing = await withClient(cluster.databaseUrl, (client) => readSeed(client, identity));
    if (!existing) await dropSeed(cluster, identity);
    await cluster.useIdentity(identity);
    if (context.stopping()) return [];
    let seed = existing;
    if (seed) {
      log(`${this.id}: reusing the seed of ${seed.seededAt} (${identity})`);
    } else {
      log(`${this.id}: seeding ${events.toLocaleString('en')} events under ${identity}`);
      seed = await makeSeed(context, identity, events);
    }

    const base = `/v1/customers/${seed.target}/usage?meter=${seed.meterCode}&from=${SEED_MONTH.from}&to=${SEED_MONTH.to}`;
    const total = await callApi(context.baseUrl, seed.key, 'GET', base);
    if (total.usage.total !== seed.targetTokens) {
      throw new Error(
        `the month's total is ${total.usage.total}, but the stored events add up to ${seed.targetTokens}`,
      );
    }
    const queries = [
      { label: '(a) total', path: base },
      { label: '(b) window=hour', path: `${base}&window=hour` },
      { label: '(c) group_by=model', path: `${base}&group_by=model` },
    ];
    const made = existing ? `made ${seed.seededAt.slice(0, 10)}, reused` : 'made in this run';
    const rows = [
      {
        measured: 'seeding (INSERT … SELECT) and rollup build',
        value: seed.seedSeconds + seed.rollupSeconds,
        unit: 's',
        details:
          `${seed.events.toLocaleString('en')} events inserted in ${seed.seedSeconds.toFixed(1)} s ` +
          `(${Math.round(seed.events / seed.seedSeconds).toLocaleString('en')} rows/s), the meter's rollup built in ` +
          `${seed.rollupSeconds.toFixed(0)} s; ${made}; the customer asked about has ` +
          `${seed.targetEvents.toLocaleString('en')} events`,
      },
    ];
    for (const query of queries) {
      const request = { method: 'GET', path: query.path, headers: { authorization: `Bearer ${seed.key}` } };
      if (context.warmupSeconds > 0) await context.load(request, 1, context.warmupSeconds);
      for (const clients of CLIENTS) {
        log(
          `${this.id}: ${query.label}, ${clients} client${clients === 1 ? '' : 's'} for ${context.durationSeconds} s`,
        );
        const cpu = cpuShare(cluster);
        const result = await context.load(request, clients, context.durationSeconds);
        const cpuDuringLoad = cpu.stop();
        if (!result) return rows;
        const failed = result.errors + result.non2xx;
        rows.push({
          measured: `${query.label}, ${clients} client${clients === 1 ? '' : 's'}: p99`,
          value: failed ? Number.NaN : result.p99Ms,
          unit: 'ms',
          goal: { below: GOAL_P99_MS },
          details:
            `p50 ${result.p50Ms} ms, ${result.requestsPerSecond.toFixed(1)} requests/s` +
            `${failed ? `, ${failed} failed (${JSON.stringify(result.statusCodes)})` : ''}. ${cpuDuringLoad}`,
        });
      }
    }
    return rows;
  },
};

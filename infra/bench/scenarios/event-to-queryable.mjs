// At half the rate scenario 2 sustained (issue 17; else scenario 1's closed-loop rate), how long after the
// gateway's 200 an event shows in GET /v1/customers/{id}/usage?meter=…. Open loop: a batch of 1,000 events leaves on schedule
// whether or not the previous one was answered. Each batch carries one probe event for each of four probe
// customers; a count meter over probe events and one poller per probe customer (every 50 ms) see when the k-th
// probe of that customer became countable. A customer's events share a partition, so they are stored in order.
import { setTimeout as delay } from 'node:timers/promises';
import { callApi } from '../lib/api.mjs';
import { ingestSetup } from '../lib/ingestSetup.mjs';
import { openLoop } from '../lib/openLoop.mjs';
import { MODELS } from '../lib/usageRecords.mjs';
import { BATCH_SIZE } from './http-ingest.mjs';

const POLL_EVERY_MS = 50;
const MAX_IN_FLIGHT = 16;
/** Issue 17: p99 < 300 ms at half the sustained rate. */
const GOAL_P99_MS = 300;
/** Events/s sent when neither scenario 2 nor 1 ran in this bench and BENCH_QUERYABLE_RATE does not say. */
const FALLBACK_RATE = 2500;

function queryableRate(env) {
  const rate = Number(env.BENCH_QUERYABLE_RATE ?? FALLBACK_RATE);
  if (!Number.isInteger(rate) || rate < 1000 || rate > 100_000)
    throw new Error(
      `BENCH_QUERYABLE_RATE=${env.BENCH_QUERYABLE_RATE} is not a whole number of events/s (1,000-100,000)`,
    );
  return rate;
}

function percentile(sorted, share) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)];
}

function batchBody(tag, batch, customers, probes) {
  const events = [];
  for (const probe of probes) {
    events.push({ event_name: 'bench.probe', idempotency_key: `p-${tag}-${batch}-${probe}`, customer_id: probe });
  }
  for (let index = events.length; index < BATCH_SIZE; index++) {
    events.push({
      event_name: 'api.request',
      idempotency_key: `q-${tag}-${batch}-${index}`,
      customer_id: customers[index % customers.length],
      properties: { tokens: index + 1, model: MODELS[index % MODELS.length] },
    });
  }
  return JSON.stringify({ events });
}

/** @type {import('../scenario.mjs').MeasuredScenario} */
export default {
  id: 'event-to-queryable',
  title: '4. Event to queryable',
  measures:
    'At half the events/s scenario 2 sustained (scenario 1’s accepted rate if 2 found none; if neither ran or both ' +
    'measured 0, `BENCH_QUERYABLE_RATE`, 2,500/s), ' +
    'batches of 1,000 sent ' +
    'open loop for a minute (twice the duration if longer); time from the 200 of a batch to its probe events being ' +
    'counted by `GET /v1/customers/{id}/usage' +
    '?meter=bench_probe`, polled every 50 ms per probe customer (4 probes per batch, so the numbers include up to ' +
    '~50 ms of polling granularity and the query itself).',
  async measure(context) {
    const { customers, probes, meterCodes } = await ingestSetup(context);
    const { baseUrl, organization } = context;
    const key = organization.keys.live;
    const candidates = [context.results.httpSustained?.eventsPerSecond, context.results.httpIngest?.eventsPerSecond];
    const measured = candidates.find((value) => value > 0);
    const rate = measured ? measured / 2 : queryableRate(context.env);
    const intervalMs = (1000 * BATCH_SIZE) / rate;
    // A minute, as long as the sustained rate it halves was held: over 20 s a backlog near the machine's limit had no
    // time to build, and the p99 was the third slowest of ~250 probes (356–661 ms for the same code).
    const durationMs = Math.max(60, context.durationSeconds * 2) * 1000;
    const batches = Math.max(1, Math.floor(durationMs / intervalMs));
    const tag = Date.now().toString(36);
    const windowFrom = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000).toISOString();
    const windowTo = new Date(Date.now() + 2 * 3600_000).toISOString();
    context.log(`${this.id}: ${batches} batches, one every ${intervalMs.toFixed(0)} ms (${rate.toFixed(0)} events/s)`);

    let acks = [];
    let failures = 0;
    let skipped = 0;
    let sendingDone = false;
    const started = performance.now();
    const sender = openLoop({
      url: `${baseUrl}/v1/events/ingest`,
      key,
      body: (batch) => batchBody(tag, batch, customers, probes),
      intervalMs,
      batches,
      maxInFlight: MAX_IN_FLIGHT,
      stopping: context.stopping,
    }).then((sent) => {
      ({ acks, failures, skipped } = sent);
      sendingDone = true;
    });

    // visible[p][k]: when probe customer p's k-th probe event was first counted.
    const visible = probes.map(() => []);
    const path = (probe) =>
      `/v1/customers/${probe}/usage?meter=${meterCodes.probe}&from=${windowFrom}&to=${encodeURIComponent(windowTo)}`;
    const pollers = probes.map(async (probe, p) => {
      const deadline = started + durationMs + 60_000;
      while (!context.stopping() && performance.now() < deadline) {
        const turn = performance.now();
        const answer = await callApi(baseUrl, key, 'GET', path(probe));
        const now = performance.now();
        const counted = Number(answer.usage.total ?? 0);
        while (visible[p].length < counted) visible[p].push(now);
        if (sendingDone && visible[p].length >= acks.length) return;
        await delay(Math.max(0, POLL_EVERY_MS - (performance.now() - turn)));
      }
    });
    await sender;
    await Promise.all(pollers);

    acks.sort((a, b) => a - b);
    const latencies = [];
    let unseen = 0;
    for (const times of visible) {
      acks.forEach((ackedAt, k) => {
        if (times[k] === undefined) unseen++;
        else latencies.push(Math.max(0, times[k] - ackedAt));
      });
    }
    latencies.sort((a, b) => a - b);
    const p50 = percentile(latencies, 0.5);
    const p99 = percentile(latencies, 0.99);
    const sentRate = (acks.length * BATCH_SIZE) / (durationMs / 1000);
    const details =
      `${acks.length} batches accepted at ${Math.round(sentRate).toLocaleString('en')} events/s ` +
      `(target ${Math.round(rate).toLocaleString('en')}), ${failures} failed, ${skipped} not sent (16 in flight); ` +
      `${latencies.length} probe samples${unseen ? `, ${unseen} never seen within 60 s` : ''}; max ${Math.round(latencies.at(-1) ?? Number.NaN)} ms`;
    return [
      { measured: 'p50 accepted → queryable', value: Math.round(p50), unit: 'ms', details },
      {
        measured: 'p99 accepted → queryable',
        value: unseen ? Number.POSITIVE_INFINITY : Math.round(p99),
        unit: 'ms',
        goal: { below: GOAL_P99_MS },
        details: unseen ? `${unseen} probes not seen within 60 s after sending ended` : '',
      },
    ];
  },
};

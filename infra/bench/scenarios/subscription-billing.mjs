// How fast invoicing bills a book of subscriptions at a period end. BENCH_SUBSCRIPTIONS customers (1,000) live on one
// test clock, each with a monthly plan of a flat fee in advance, a per-unit price on a count meter and a graduated
// price on a sum meter grouped by `model`, and 20 events of January usage. The clock is advanced past January's end
// and its grace hour, and timed until it reads ready: every cycle invoice created and finalized.
import { setTimeout as delay } from 'node:timers/promises';
import { callApi, createClockCustomers, createMeter, createOrganization, listAllInvoices } from '../lib/api.mjs';
import { cpuShare } from '../lib/cpuShare.mjs';
import { analyzedSince, caughtUpWithTopic, customersKnown, outboxEmpty, withClient } from '../lib/db.mjs';
import { withAdmin } from '../lib/kafka.mjs';
import { MODELS } from '../lib/usageRecords.mjs';
import { BATCH_SIZE } from './http-ingest.mjs';

const START = '2027-01-01T00:00:00.000Z';
const MID_JANUARY = '2027-01-15T00:00:00.000Z';
/** January's end plus the default hour of grace: the first instant its invoices are due. */
const BILLED_AT = '2027-02-01T01:00:00.000Z';
const PERIOD_END = '2027-02-01T00:00:00.000Z';
const EVENTS_PER_CUSTOMER = 20;
const POLL_EVERY_MS = 50;
// Counting the finalized invoices scans the invoices table: at the clock's 50 ms it took ~8% of a core from the
// billing it measures.
const FINALIZED_POLL_EVERY_MS = 250;
const READY_TIMEOUT_MS = 600_000;
// Metering's statistics loop turns every 10 s; past this the run goes on and says the statistics were not current.
const STATISTICS_TIMEOUT_MS = 30_000;
const SAMPLED_CUSTOMERS = 5;
/** Issue 17: ≥ 200 invoices/s at a period end, so that a book of 100,000 subscriptions is billed in under 10 min. */
const GOAL_INVOICES_PER_SECOND = 200;
const BOOK = 100_000;
const GOAL_BOOK_SECONDS = 600;
const FLAT_FEE_CENTS = 4900;

function percentile(sorted, share) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)];
}

/** Customer `c`'s `k`-th January event: a pure function of both, so a sampled invoice can be checked against it. */
function usageEvent(tag, customers, c, k) {
  const day = 1 + (k % 14);
  return {
    event_name: 'api.request',
    idempotency_key: `sb-${tag}-${c}-${k}`,
    customer_id: customers[c],
    timestamp: `2027-01-${String(day).padStart(2, '0')}T${String(k % 24).padStart(2, '0')}:00:00Z`,
    properties: { tokens: tokensOf(c, k), model: MODELS[(c + k) % MODELS.length] },
  };
}
const tokensOf = (c, k) => 10 + ((c * 7 + k * 13) % 100);

async function ingestJanuary(baseUrl, key, customers, tag) {
  const events = customers.flatMap((_, c) =>
    Array.from({ length: EVENTS_PER_CUSTOMER }, (_, k) => usageEvent(tag, customers, c, k)),
  );
  for (let from = 0; from < events.length; from += BATCH_SIZE) {
    const answer = await callApi(baseUrl, key, 'POST', '/v1/events/ingest', {
      events: events.slice(from, from + BATCH_SIZE),
    });
    if (answer.accepted !== Math.min(BATCH_SIZE, events.length - from)) {
      throw new Error(`ingest accepted ${answer.accepted} of a batch: ${JSON.stringify(answer).slice(0, 300)}`);
    }
  }
  return events.length;
}

/** Advances the clock; resolves with the ms from sending the advance until the clock read ready (∞ past the timeout). */
async function advanceAndWait(context, key, clockId, frozenTime, onPoll) {
  const { baseUrl } = context;
  const path = `/v1/test_clocks/${clockId}`;
  const started = performance.now();
  const advanced = await callApi(baseUrl, key, 'POST', `${path}/advance`, { frozen_time: frozenTime });
  if (advanced.test_clock.status !== 'advancing') throw new Error(`advance answered ${advanced.test_clock.status}`);
  while (!context.stopping() && performance.now() - started < READY_TIMEOUT_MS) {
    const turn = performance.now();
    const [{ test_clock: clock }] = await Promise.all([callApi(baseUrl, key, 'GET', path), onPoll?.(started)]);
    if (clock.status === 'ready' && clock.frozen_time === frozenTime) return performance.now() - started;
    await delay(Math.max(0, POLL_EVERY_MS - (performance.now() - turn)));
  }
  return Number.POSITIVE_INFINITY;
}

/** An organization of its own, so the scenario runs the same whichever identity the apps are in. */
async function setUp(context, count) {
  const { baseUrl, cluster } = context;
  const organization = await createOrganization(baseUrl, context.adminToken, `Bench ${cluster.runId} Billing`);
  const key = organization.keys.test;
  const clock = await callApi(baseUrl, key, 'POST', '/v1/test_clocks', { frozen_time: START, name: 'Bench' }, 201);
  const clockId = clock.test_clock.id;
  const customers = await createClockCustomers(baseUrl, key, clockId, count, 'Subscriber');
  await withClient(cluster.databaseUrl, (client) =>
    customersKnown(client, cluster.app('metering-service').schema, customers, 120_000),
  );
  await createCatalog(baseUrl, key);
  await createSubscriptions(baseUrl, key, customers);
  const startReadyMs = await advanceAndWait(context, key, clockId, MID_JANUARY);
  if (!Number.isFinite(startReadyMs)) throw new Error(`the test clock was not ready at ${MID_JANUARY}`);
  const ingested = await ingestJanuary(baseUrl, key, customers, Date.now().toString(36));
  const drain = await usageStored(context);
  return { organization, key, clockId, customers, startReadyMs, ingested, drain };
}

/**
 * Billing counts the usage metering stored and rating (invoicing) rated as it arrived; both done first, the timed
 * part is billing alone, as at a real period end, where January's usage was rated during January. Metering's
 * outbox is empty before `usage.metered`'s end is read (stored is not yet published), and invoicing's before the
 * advance. For the same reason metering's planner statistics have seen January's events (its own loop analyzes
 * them within seconds; a month of usage would have been analyzed long before the period ends).
 */
function usageStored(context) {
  const { cluster } = context;
  const caughtUp = (client, admin, app, topic) =>
    caughtUpWithTopic({
      client,
      admin,
      schema: cluster.app(app).schema,
      topic: `${cluster.topicPrefix}${topic}`,
      timeoutMs: context.drainTimeoutSeconds * 1000,
    });
  return withAdmin(cluster.kafkaBrokers, (admin) =>
    withClient(cluster.databaseUrl, async (client) => {
      const stored = await caughtUp(client, admin, 'metering-service', 'usage.ingest');
      if (!stored.caughtUp) return stored;
      const { rows } = await client.query('SELECT now() AS at');
      const started = Date.now();
      const timeoutMs = context.drainTimeoutSeconds * 1000;
      await outboxEmpty(client, cluster.app('metering-service').schema, timeoutMs);
      const rated = await caughtUp(client, admin, 'invoicing-service', 'usage.metered');
      if (rated.caughtUp) await outboxEmpty(client, cluster.app('invoicing-service').schema, timeoutMs);
      const ratedAfterMs = Date.now() - started;
      const metering = cluster.app('metering-service').schema;
      const analyzed = await analyzedSince(client, metering, 'usage_events', rows[0].at, STATISTICS_TIMEOUT_MS);
      return { ...rated, ratedAfterMs, analyzed, stage: 'rating' };
    }),
  );
}

const PLAN = {
  code: 'bench_monthly',
  name: 'Bench monthly',
  interval: 'month',
  prices: [
    { model: 'flat', description: 'Platform fee', amount_cents: FLAT_FEE_CENTS, timing: 'in_advance' },
    { model: 'per_unit', description: 'Requests', meter_code: 'sb_requests', unit_amount: '0.5' },
    {
      model: 'graduated',
      description: 'Tokens',
      meter_code: 'sb_tokens',
      tiers: [
        { up_to: 1000, unit_amount: '1' },
        { up_to: null, unit_amount: '0.5' },
      ],
    },
  ],
};

async function createCatalog(baseUrl, key) {
  const requests = { code: 'sb_requests', name: 'Requests', event_name: 'api.request', aggregation: 'count' };
  await createMeter(baseUrl, key, requests);
  const tokens = { code: 'sb_tokens', name: 'Tokens', event_name: 'api.request', aggregation: 'sum' };
  await createMeter(baseUrl, key, { ...tokens, property: 'tokens', group_by: ['model'] });
  await callApi(baseUrl, key, 'POST', '/v1/plans', PLAN, 201);
}

async function createSubscriptions(baseUrl, key, customers, parallel = 8) {
  let next = 0;
  const worker = async () => {
    while (next < customers.length) {
      const body = { customer_id: customers[next++], plan_code: 'bench_monthly', initial_status: 'active' };
      await callApi(baseUrl, key, 'POST', '/v1/subscriptions', body, 201);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, customers.length) }, worker));
}

/**
 * When each cycle invoice was first seen finalized in invoicing's own table (its dates are the clock's, so the API
 * cannot tell when it was made), to within `FINALIZED_POLL_EVERY_MS`: `poll` runs beside each poll of the clock and
 * counts at most that often, `last` once the clock is ready; both fill `seenAt`.
 */
function finalizedWatcher(client, schema, organizationId) {
  const seenAt = [];
  let started = 0;
  let countedAt = Number.NEGATIVE_INFINITY;
  const count = async () => {
    countedAt = performance.now();
    const { rows } = await client.query(
      `SELECT count(*)::int AS finalized FROM "${schema}".invoices
        WHERE organization_id = $1 AND mode = 'test' AND billing_boundary = $2 AND status <> 'draft'`,
      [organizationId, PERIOD_END],
    );
    const now = performance.now() - started;
    while (seenAt.length < rows[0].finalized) seenAt.push(now);
  };
  return {
    seenAt,
    poll(advancedAt) {
      started = advancedAt;
      return performance.now() - countedAt >= FINALIZED_POLL_EVERY_MS ? count() : undefined;
    },
    last: count,
  };
}

/** The sampled customer's usage as its invoice should show it: 20 requests, and the sum of its tokens. */
function expectedUsage(c) {
  let tokens = 0;
  for (let k = 0; k < EVENTS_PER_CUSTOMER; k++) tokens += tokensOf(c, k);
  return { requests: EVENTS_PER_CUSTOMER, tokens };
}

/** What is wrong with customer `c`'s cycle invoice: its fee, its requests (exact cents) and its token quantities. */
function cycleInvoiceProblems(c, cycle) {
  // A grouped meter's price bills one line per group: "Tokens (model: gpt-4)".
  const usageLines = (name) =>
    cycle.line_items.filter(
      (line) => line.kind === 'usage' && (line.description === name || line.description.startsWith(`${name} (`)),
    );
  const quantity = (name) => usageLines(name).reduce((sum, line) => sum + Number(line.quantity), 0);
  const fee = cycle.line_items.find((line) => line.kind === 'fee')?.amount_cents;
  const requestsCents = usageLines('Requests')[0]?.amount_cents;
  const { requests, tokens } = expectedUsage(c);
  const problems = [];
  if (cycle.status !== 'open' || !(cycle.total_cents > 0)) {
    problems.push(`customer ${c}: cycle invoice ${cycle.status}, total ${cycle.total_cents}`);
  }
  // 20 requests × 0.5¢ = 10¢
  if (fee !== FLAT_FEE_CENTS || requestsCents !== 10) {
    problems.push(`customer ${c}: fee ${fee}¢ (expected ${FLAT_FEE_CENTS}), requests ${requestsCents}¢ (expected 10)`);
  }
  if (quantity('Requests') !== requests || quantity('Tokens') !== tokens) {
    problems.push(
      `customer ${c}: billed ${quantity('Requests')} requests / ${quantity('Tokens')} tokens, sent ${requests} / ${tokens}`,
    );
  }
  return problems;
}

/** Problems found in a few customers' invoices: exactly one cycle invoice each, billing what they used. */
async function checkSampledCustomers(baseUrl, key, customers) {
  const problems = [];
  const step = Math.max(1, Math.floor(customers.length / SAMPLED_CUSTOMERS));
  for (let c = 0; c < customers.length; c += step) {
    const { invoices } = await callApi(baseUrl, key, 'GET', `/v1/invoices?customer_id=${customers[c]}&limit=100`);
    const cycles = invoices.filter((invoice) => invoice.billing_reason === 'subscription_cycle');
    if (cycles.length !== 1) problems.push(`customer ${c}: ${cycles.length} cycle invoices`);
    if (cycles[0]) problems.push(...cycleInvoiceProblems(c, cycles[0]));
  }
  return problems;
}

/** Counts every invoice of the organization's test mode: cycle invoices per subscription, and how many are open. */
async function countInvoices(baseUrl, key, count) {
  const invoices = await listAllInvoices(baseUrl, key);
  const cycles = invoices.filter((invoice) => invoice.billing_reason === 'subscription_cycle');
  const perSubscription = new Map();
  for (const invoice of cycles) {
    perSubscription.set(invoice.subscription_id, (perSubscription.get(invoice.subscription_id) ?? 0) + 1);
  }
  const duplicated = [...perSubscription.values()].filter((n) => n > 1).length;
  const open = cycles.filter((invoice) => invoice.status === 'open').length;
  const starts = invoices.filter((invoice) => invoice.billing_reason === 'subscription_start').length;
  const problems = [];
  if (cycles.length !== count) problems.push(`${cycles.length} cycle invoices for ${count} subscriptions`);
  if (perSubscription.size !== count) problems.push(`${count - perSubscription.size} subscriptions without one`);
  if (duplicated) problems.push(`${duplicated} subscriptions with more than one`);
  if (open !== cycles.length) problems.push(`${cycles.length - open} cycle invoices not open`);
  if (starts !== count) problems.push(`${starts} start invoices for ${count} subscriptions`);
  return { listed: invoices.length, cycles: cycles.length, problems };
}

function subscriptionCount(env) {
  const count = Number(env.BENCH_SUBSCRIPTIONS ?? 1000);
  if (!Number.isInteger(count) || count < 1 || count > 100_000) {
    throw new Error(`BENCH_SUBSCRIPTIONS=${env.BENCH_SUBSCRIPTIONS} is not a whole number (1-100,000)`);
  }
  return count;
}

/** The scenario's rows: the time to bill them all, invoices/s, and the per-invoice latency the watcher saw. */
function measurements({ count, readyMs, seenAt, cpu, counted, problems, setupSeconds, setup }) {
  const seconds = readyMs / 1000;
  const p50 = percentile(seenAt, 0.5);
  const p99 = percentile(seenAt, 0.99);
  const checked =
    `${counted.cycles.toLocaleString('en')} cycle invoices among ${counted.listed.toLocaleString('en')} listed` +
    (problems.length ? `; **${problems.join('; ')}**` : '; one open cycle invoice per subscription, samples exact');
  const { startReadyMs, ingested, drain } = setup;
  const prepared =
    `set up in ${setupSeconds.toFixed(0)} s (the advance to mid-January, start invoices included, ready after ` +
    `${(startReadyMs / 1000).toFixed(1)} s; ${ingested.toLocaleString('en')} events ingested, ` +
    (drain.caughtUp
      ? `all stored, and rated ${(drain.ratedAfterMs / 1000).toFixed(1)} s later, before the advance; ` +
        (drain.analyzed
          ? 'usage_events analyzed since they were stored)'
          : '**usage_events not analyzed since they were stored**)')
      : `**${drain.stage ?? 'metering'} still lacked ${drain.behind.toLocaleString('en')} records when the clock ` +
        'was advanced**)');
  return [
    {
      measured: `time to bill ${count.toLocaleString('en')} subscriptions (advance → clock ready)`,
      value: seconds,
      unit: 's',
      details: `${(readyMs / 1000).toFixed(1)} s; ${checked}; ${prepared}. ${cpu}`,
    },
    {
      measured: 'invoices/s',
      value: Number.isFinite(seconds) ? count / seconds : 0,
      unit: 'invoices/s',
      goal: { atLeast: GOAL_INVOICES_PER_SECOND },
      details: Number.isFinite(seconds) ? '' : `**the clock was not ready after ${READY_TIMEOUT_MS / 1000} s**`,
    },
    {
      measured: `a book of ${BOOK.toLocaleString('en')} subscriptions at that rate`,
      value: Number.isFinite(seconds) ? (BOOK * seconds) / count : Number.NaN,
      unit: 's',
      goal: { below: GOAL_BOOK_SECONDS },
      details: `${BOOK.toLocaleString('en')} ÷ the invoices/s above (a projection, not a run of that size)`,
    },
    {
      measured: 'advance → invoice finalized, p99',
      value: p99,
      unit: 'ms',
      details:
        `p50 ${Math.round(p50).toLocaleString('en')} ms, p99 ${Math.round(p99).toLocaleString('en')} ms, first ` +
        `${Math.round(seenAt[0] ?? Number.NaN).toLocaleString('en')} ms, last ` +
        `${Math.round(seenAt.at(-1) ?? Number.NaN).toLocaleString('en')} ms; ${seenAt.length} seen finalized in ` +
        "invoicing's `invoices` table (counted every 250 ms beside the clock's polls, and once it read ready)",
    },
  ];
}

/** @type {import('../scenario.mjs').MeasuredScenario} */
export default {
  id: 'subscription-billing',
  title: '7. Subscription billing at a period end',
  measures:
    '`BENCH_SUBSCRIPTIONS` (1,000) customers on one test clock, each with an active monthly subscription (flat fee in ' +
    'advance, per-unit price on a count meter, graduated price on a sum meter grouped by `model`) and 20 events of ' +
    'January usage, stored by metering and rated by invoicing before the clock moves. Time from sending `POST /v1/test_clocks/{id}/advance` ' +
    'to 2027-02-01T01:00Z (period end + the default hour of grace) until `GET /v1/test_clocks/{id}` reads `ready`, ' +
    'polled every 50 ms; then every invoice is counted through `GET /v1/invoices` and 5 customers checked line by line.',
  async measure(context) {
    const count = subscriptionCount(context.env);
    const { baseUrl, cluster } = context;
    context.log(`${this.id}: ${count} customers and subscriptions on one test clock`);
    const setupStarted = performance.now();
    const setup = await setUp(context, count);
    const { organization, key, clockId, customers } = setup;
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    context.log(`${this.id}: set up in ${setupSeconds.toFixed(0)} s; advancing to ${BILLED_AT}`);

    const schema = cluster.app('invoicing-service').schema;
    const { readyMs, seenAt, cpu } = await withClient(cluster.databaseUrl, async (client) => {
      const watcher = finalizedWatcher(client, schema, organization.id);
      const share = cpuShare(cluster);
      const from = process.hrtime.bigint() / 1000n;
      const ms = await advanceAndWait(context, key, clockId, BILLED_AT, watcher.poll);
      await watcher.last();
      if (context.env.BENCH_PROFILE === '1')
        context.log(
          `${this.id}: the period end in the CPU profiles: --window ${from}-${process.hrtime.bigint() / 1000n}`,
        );
      return { readyMs: ms, seenAt: watcher.seenAt, cpu: share.stop() };
    });
    if (context.stopping()) return [];
    const counted = await countInvoices(baseUrl, key, count);
    const problems = [...counted.problems, ...(await checkSampledCustomers(baseUrl, key, customers))];
    context.log(
      `${this.id}: ready after ${(readyMs / 1000).toFixed(1)} s; ${problems.join('; ') || 'all invoices right'}`,
    );

    return measurements({ count, readyMs, seenAt, cpu, counted, problems, setupSeconds, setup });
  },
};

// Scenario 1 of the metering issue: POST /v1/events/ingest with 1,000 events a request over a few keep-alive
// connections, for existing customers. The gateway validates the batch, asks metering which customers it knows and
// puts 1,000 records on `usage.ingest` in one send (acks: all) before answering 200; metering stores them meanwhile.
import { cpuShare } from '../lib/cpuShare.mjs';
import { caughtUpWithTopic, statisticsOf, storedThrough, withClient } from '../lib/db.mjs';
import { ingestSetup } from '../lib/ingestSetup.mjs';
import { withAdmin } from '../lib/kafka.mjs';
import { MODELS } from '../lib/usageRecords.mjs';

export const BATCH_SIZE = 1000;
export const CONNECTIONS = 4;
const GOAL_EVENTS_PER_SECOND = 50_000;

/** The sum of `tokens` over one request's events: 1 + 2 + … + 1,000. */
export const TOKENS_PER_BATCH = (BATCH_SIZE * (BATCH_SIZE + 1)) / 2;

/** One request body: 1,000 events over the customers; autocannon puts a fresh id in each `[<id>]` per request. */
function batchBody(customers, tag) {
  const events = Array.from({ length: BATCH_SIZE }, (_, index) => ({
    event_name: 'api.request',
    idempotency_key: `${tag}-[<id>]-${index}`,
    customer_id: customers[index % customers.length],
    properties: { tokens: index + 1, model: MODELS[index % MODELS.length] },
  }));
  return JSON.stringify({ events });
}

/** @type {import('../scenario.mjs').MeasuredScenario} */
export default {
  id: 'http-ingest',
  title: '1. HTTP ingest, closed loop (batches of 1,000)',
  measures:
    `\`POST /v1/events/ingest\` with ${BATCH_SIZE.toLocaleString('en')} events per request over ${CONNECTIONS} ` +
    'keep-alive connections (autocannon, closed loop), 100 existing customers, a sum meter grouped by `model` over ' +
    'the events. Events/s accepted = 200 answers × 1,000 ÷ duration. Metering stores the events at the same time; ' +
    'how long it needed after the load to store the rest is in the details.',
  async measure(context) {
    const { customers } = await ingestSetup(context);
    const request = ingestRequest(context.organization.keys.live, customers, 'h');
    if (context.warmupSeconds > 0) {
      context.log(`${this.id}: warming up, ${CONNECTIONS} connections for ${context.warmupSeconds} s`);
      await context.load(request, CONNECTIONS, context.warmupSeconds);
    }
    context.log(`${this.id}: ${CONNECTIONS} connections for ${context.durationSeconds} s`);
    const { cluster } = context;
    const schema = cluster.app('metering-service').schema;
    const topic = `${cluster.topicPrefix}usage.ingest`;
    const storedAt = () => withClient(cluster.databaseUrl, (client) => storedThrough(client, schema, topic));
    const storedBefore = await storedAt();
    const cpu = cpuShare(context.cluster);
    const result = await context.load(request, CONNECTIONS, context.durationSeconds);
    const cpuDuringLoad = cpu.stop();
    if (!result) return [];
    const storedPerSecond = Number((await storedAt()) - storedBefore) / result.durationSeconds;
    const accepted = (result.statusCodes['200'] ?? 0) * BATCH_SIZE;
    const eventsPerSecond = accepted / result.durationSeconds;
    context.results.httpIngest = { eventsPerSecond, storedPerSecond };

    const { drain, statistics } = await withAdmin(cluster.kafkaBrokers, (admin) =>
      withClient(cluster.databaseUrl, async (client) => ({
        drain: await caughtUpWithTopic({
          client,
          admin,
          schema,
          topic,
          timeoutMs: context.drainTimeoutSeconds * 1000,
        }),
        statistics: await statisticsOf(client, schema, 'usage_events'),
      })),
    );
    const drained = drain.caughtUp
      ? `metering had stored every accepted event ${(drain.ms / 1000).toFixed(1)} s after the load ended`
      : `**metering still lacked ${drain.behind.toLocaleString('en')} records ${(drain.ms / 1000).toFixed(0)} s ` +
        'after the load ended** (BENCH_DRAIN_TIMEOUT_SECONDS); later scenarios start with that backlog';
    const failed = result.errors + result.non2xx;
    return [
      {
        measured: `events/s accepted, ${CONNECTIONS} connections`,
        value: Math.round(eventsPerSecond),
        unit: 'events/s',
        goal: { atLeast: GOAL_EVENTS_PER_SECOND },
        details:
          `${accepted.toLocaleString('en')} events in ${result.requests} requests over ${result.durationSeconds} s; ` +
          `per request p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms; ${failed} failed` +
          `; metering stored ${Math.round(storedPerSecond).toLocaleString('en')} events/s meanwhile` +
          `${failed ? ` (${JSON.stringify(result.statusCodes)})` : ''}; ` +
          `${drained}; ${statistics}. ${cpuDuringLoad}`,
      },
    ];
  },
};

/** autocannon's options for POST /v1/events/ingest of 1,000 events a request, keys `<tag>-<fresh id>-<n>`. */
export function ingestRequest(key, customers, tag) {
  return {
    method: 'POST',
    path: '/v1/events/ingest',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    idReplacement: true,
    body: batchBody(customers, tag),
  };
}

/** Bodies for the bench's own senders: batchBody with `<tag>-<batch>-<n>` keys, the JSON made once and filled in. */
export function batchBodies(customers, tag) {
  const template = batchBody(customers, `${tag}-__BATCH__`).replaceAll('-[<id>]', '');
  return (batch) => template.replaceAll('__BATCH__', String(batch));
}

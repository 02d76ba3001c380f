// Scenario 2 of the metering issue: how fast metering stores records that are already waiting in `usage.ingest`.
// Metering is stopped (after it has stored everything before), N records (about 5% exact repeats of earlier ones)
// are produced straight to the topic as any producer may, then metering is started again and timed until its usage
// consumer has stored through the end of the topic; the stored rows are then counted against the distinct events.
import { setTimeout as delay } from 'node:timers/promises';
import { createOrganization } from '../lib/api.mjs';
import { cpuShare } from '../lib/cpuShare.mjs';
import { caughtUpWithTopic, statisticsOf, storedThrough, topicEnd, withClient } from '../lib/db.mjs';
import { ingestTenant } from '../lib/ingestSetup.mjs';
import { benchKafka, withAdmin } from '../lib/kafka.mjs';
import { ratioTo } from '../lib/limits.mjs';
import { distinctCount, usageRecords } from '../lib/usageRecords.mjs';

const GOAL_EVENTS_PER_SECOND = 100_000;
/** Issue 17: distinct events stored per second ≥ 0.6 × the same run's COPY rate into the same table and indexes. */
const GOAL_COPY_RATIO = 0.6;
const SEND_SIZE = 5000;
const SENDS_IN_FLIGHT = 4;

/** Produces the records with kafkajs, SEND_SIZE a send and a few sends in flight; resolves with bytes of values. */
async function produce(brokers, topic, records) {
  const producer = benchKafka(brokers).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  let bytes = 0;
  try {
    const inFlight = new Set();
    let messages = [];
    const flush = async () => {
      const send = producer.send({ topic, acks: -1, messages });
      messages = [];
      inFlight.add(send);
      send.finally(() => inFlight.delete(send));
      if (inFlight.size >= SENDS_IN_FLIGHT) await Promise.race(inFlight);
    };
    for (const record of records) {
      bytes += record.value.length;
      messages.push(record);
      if (messages.length === SEND_SIZE) await flush();
    }
    if (messages.length) await flush();
    await Promise.all(inFlight);
  } finally {
    await producer.disconnect();
  }
  return bytes;
}

/**
 * How long after metering stored the last event rating (invoicing) and usage alerts (notification) had handled all it
 * published on `usage.metered`: the rest of the pipeline, which shares the machine and Postgres with metering.
 */
async function downstreamCaughtUp(cluster, client, admin, storedAt, timeoutMs) {
  const topic = `${cluster.topicPrefix}usage.metered`;
  const end = await topicEnd(admin, topic);
  const waiting = new Map([
    ['rating', cluster.app('invoicing-service').schema],
    ['usage alerts', cluster.app('notification-service').schema],
  ]);
  const caughtUp = new Map();
  while (waiting.size > 0 && Date.now() - storedAt < timeoutMs) {
    for (const [name, schema] of waiting) {
      if ((await storedThrough(client, schema, topic)) < end) continue;
      caughtUp.set(name, `${((Date.now() - storedAt) / 1000).toFixed(1)} s`);
      waiting.delete(name);
    }
    if (waiting.size > 0) await delay(250);
  }
  const after = (name) => caughtUp.get(name) ?? `**not within ${timeoutMs / 1000} s**`;
  return (
    `the ${end.toLocaleString('en')} usage.metered records it published were handled by rating ${after('rating')} ` +
    `and by usage alerts ${after('usage alerts')} after the last event was stored`
  );
}

/** @type {import('../scenario.mjs').MeasuredScenario} */
export default {
  id: 'kafka-ingest',
  title: '6. Direct Kafka ingest',
  measures:
    'On a fresh identity (own schemas and topic prefix, an empty usage_events), N usage records ' +
    '(`BENCH_KAFKA_EVENTS`, default the smaller of 1,000,000 and `BENCH_EVENTS`; every 20th an exact repeat of an ' +
    'earlier one) produced to `usage.ingest` while metering is stopped, for 100 customers, with a sum meter over them. Then metering is started and timed from its process start until ' +
    'its usage consumer has stored through the end of the topic; events/s = distinct events ÷ that time. The ' +
    'stored rows are counted to check that every distinct event is there once, and the details say when rating and ' +
    'usage alerts had handled all metering published on `usage.metered` (the customers have no subscriptions, so ' +
    'rating records each event once without a cost).',
  async measure(context) {
    const { cluster, env } = context;
    // A fresh identity (schemas and topics of its own, dropped at the end): metering starts from an empty
    // usage_events and nothing left over from scenarios 1 and 3 is in its topic.
    await cluster.useIdentity(`${cluster.runId}_kafka`);
    const organization = await createOrganization(context.baseUrl, context.adminToken, `Bench ${cluster.runId} Kafka`);
    const { customers } = await ingestTenant(context, organization);
    const count = Number(env.BENCH_KAFKA_EVENTS ?? Math.min(1_000_000, context.events));
    const distinct = distinctCount(count);
    const schema = cluster.app('metering-service').schema;
    const topic = `${cluster.topicPrefix}usage.ingest`;
    const keyPrefix = `k-${cluster.runId}`;
    const recordOptions = {
      organizationId: organization.id,
      customers,
      keyPrefix,
      receivedAt: new Date().toISOString(),
    };
    context.results.kafkaIngest = { count, recordOptions };

    return withAdmin(cluster.kafkaBrokers, (admin) =>
      withClient(cluster.databaseUrl, async (client) => {
        const before = await caughtUpWithTopic({
          client,
          admin,
          schema,
          topic,
          timeoutMs: context.drainTimeoutSeconds * 1000,
        });
        await cluster.stopApp('metering-service');
        const backlog = before.caughtUp ? 0 : before.behind;
        context.log(`${this.id}: metering stopped; producing ${count.toLocaleString('en')} records to ${topic}`);
        const startOffsets = await topicEnd(admin, topic);
        const producedAt = Date.now();
        const bytes = await produce(cluster.kafkaBrokers, topic, usageRecords(recordOptions, count));
        const produceSeconds = (Date.now() - producedAt) / 1000;
        const end = await topicEnd(admin, topic);
        if (end - startOffsets !== BigInt(count)) {
          throw new Error(`produced ${count} records but the topic grew by ${end - startOffsets}`);
        }
        context.results.kafkaIngest.recordBytes = bytes / count;
        context.log(`${this.id}: produced in ${produceSeconds.toFixed(1)} s; starting metering`);

        const timeoutMs = context.drainTimeoutSeconds * 1000;
        const startedAt = Date.now();
        const cpu = cpuShare(cluster);
        const from = await storedThrough(client, schema, topic);
        let firstProgressAt;
        await cluster.startApp('metering-service');
        const readyAt = Date.now();
        let through = from;
        while (through < end && Date.now() - startedAt < timeoutMs) {
          await delay(100);
          through = await storedThrough(client, schema, topic);
          if (through > from) firstProgressAt ??= Date.now();
        }
        const doneAt = Date.now();
        const cpuWhileStoring = cpu.stop();
        const finished = through >= end;
        const { rows } = await client.query(
          `SELECT count(*)::int AS stored FROM "${schema}".usage_events
            WHERE organization_id = $1 AND mode = 'live' AND idempotency_key LIKE $2`,
          [organization.id, `${keyPrefix}-%`],
        );
        const statistics = await statisticsOf(client, schema, 'usage_events');
        const downstream = finished ? `; ${await downstreamCaughtUp(cluster, client, admin, doneAt, timeoutMs)}` : '';
        const stored = rows[0].stored;
        const seconds = (doneAt - startedAt) / 1000;
        const eventsPerSecond = stored / seconds;
        context.results.kafkaIngest.eventsPerSecond = eventsPerSecond;
        const afterFirst = firstProgressAt ? stored / ((doneAt - firstProgressAt) / 1000) : Number.NaN;
        const outcome = finished
          ? `${stored === distinct ? 'stored rows = distinct events' : `**${stored} rows stored, expected ${distinct}**`} after ${seconds.toFixed(1)} s`
          : `**did not finish: ${stored.toLocaleString('en')} of ${distinct.toLocaleString('en')} stored after ` +
            `${seconds.toFixed(0)} s** (BENCH_DRAIN_TIMEOUT_SECONDS), the rate is of those`;
        const value = finished && stored !== distinct ? Number.NaN : Math.round(eventsPerSecond);
        return [
          {
            measured: 'distinct events/s stored, from metering start',
            value,
            unit: 'events/s',
            goal: { atLeast: GOAL_EVENTS_PER_SECOND },
            details:
              `${count.toLocaleString('en')} records (${distinct.toLocaleString('en')} distinct, ` +
              `${Math.round(bytes / count)} B each); ${outcome}; ` +
              `${backlog ? `metering still had ${backlog.toLocaleString('en')} earlier records to store first; ` : ''}` +
              `ready after ${((readyAt - startedAt) / 1000).toFixed(1)} s, first batch after ` +
              `${firstProgressAt ? ((firstProgressAt - startedAt) / 1000).toFixed(1) : '—'} s ` +
              `(${Number.isFinite(afterFirst) ? Math.round(afterFirst).toLocaleString('en') : '—'} events/s from then on); ` +
              `producing them with kafkajs took ${produceSeconds.toFixed(1)} s; ${statistics}${downstream}. ` +
              cpuWhileStoring,
          },
          ratioTo(context, 'copy', finished ? value : Number.NaN, GOAL_COPY_RATIO),
        ];
      }),
    );
  },
};

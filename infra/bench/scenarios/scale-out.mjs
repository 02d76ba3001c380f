// Issue 17's scale-out proof: a second gateway and a second metering-service (same schemas, topics and consumer
// groups, ports BENCH_EXTRA_PORT / BENCH_EXTRA_METERING_PORT) beside the first ones; scenario 1's closed loop through
// both gateways at once for an organization of its own; the combined rate at which the two metering instances store
// it; and the totals checked: rows and the sum of `tokens` in usage_events, and the meter's usage through the API,
// equal to what the gateways accepted, as with one instance. The second instances are stopped afterwards.
import { setTimeout as delay } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import { callApi, createOrganization } from '../lib/api.mjs';
import { cpuShare } from '../lib/cpuShare.mjs';
import { caughtUpWithTopic, storedThrough, topicEnd, until, withClient } from '../lib/db.mjs';
import { ingestTenant } from '../lib/ingestSetup.mjs';
import { withAdmin } from '../lib/kafka.mjs';
import { closedLoop } from '../lib/openLoop.mjs';
import { BATCH_SIZE, batchBodies, CONNECTIONS, TOKENS_PER_BATCH } from './http-ingest.mjs';

const { AssignerProtocol } = kafkajs;
const whole = (value) => Math.round(value).toLocaleString('en');

/** How many partitions a described member holds (kafkajs gives the assignment as the protocol's bytes). */
function partitionCount(member) {
  const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
  return Object.values(decoded?.assignment ?? {}).reduce((sum, partitions) => sum + partitions.length, 0);
}

/** Waits until every metering group of the identity has two members and is Stable; answers their partition split. */
async function twoMembers(admin, prefix) {
  return until(
    async () => {
      const { groups } = await admin.listGroups();
      const ids = groups.map((group) => group.groupId).filter((id) => id.startsWith(`${prefix}metering-service.`));
      const described = (await admin.describeGroups(ids)).groups;
      const ready = described.every((group) => group.state === 'Stable' && group.members.length === 2);
      const usage = described.find((group) => group.groupId.endsWith('.usage'));
      return ready && ids.length > 0 && (usage?.members.map(partitionCount) ?? ['?']);
    },
    { timeoutMs: 60_000, everyMs: 500, label: 'both metering instances in every metering consumer group' },
  );
}

/** The meter's total over the customers, through the API (what billing would read). */
async function meterTotal(baseUrl, key, customers, meterCode) {
  const from = new Date(Date.now() - 2 * 3600_000).toISOString();
  const to = new Date(Date.now() + 2 * 3600_000).toISOString();
  let total = 0;
  for (const customer of customers) {
    const path = `/v1/customers/${customer}/usage?meter=${meterCode}&from=${from}&to=${encodeURIComponent(to)}`;
    total += Number((await callApi(baseUrl, key, 'GET', path)).usage.total ?? 0);
  }
  return total;
}

/** @type {import('../scenario.mjs').MeasuredScenario} */
export default {
  id: 'scale-out',
  title: '5. Scale-out: two gateways, two metering instances',
  measures:
    'A second gateway and a second metering-service on ports of their own, in the same schemas, topics and consumer ' +
    'groups (the usage topic’s partitions split between the two). A closed loop like scenario 1’s (4 connections, ' +
    '1,000 events a request, every answer awaited) through each gateway at once, for a fresh organization; ' +
    'combined events/s stored = rows ' +
    'stored ÷ time from the load’s start until both instances have stored through the topic’s end. Totals checked ' +
    'against what was accepted: rows and sum of `tokens` in usage_events, and the sum meter’s usage through the API.',
  async measure(context) {
    const { cluster, env } = context;
    const organization = await createOrganization(context.baseUrl, context.adminToken, `Bench ${cluster.runId} Scale`);
    const { customers, meterCodes } = await ingestTenant(context, organization);
    const schema = cluster.app('metering-service').schema;
    const topic = `${cluster.topicPrefix}usage.ingest`;
    const timeoutMs = context.drainTimeoutSeconds * 1000;
    const gatewayPort = Number(env.BENCH_EXTRA_PORT ?? cluster.gateway.port + 1);
    const meteringPort = Number(env.BENCH_EXTRA_METERING_PORT ?? 4905);
    const extras = [];
    try {
      return await withAdmin(cluster.kafkaBrokers, (admin) =>
        withClient(cluster.databaseUrl, async (client) => {
          await caughtUpWithTopic({ client, admin, schema, topic, timeoutMs });
          extras.push(await cluster.startInstance('metering-service', meteringPort));
          extras.push(await cluster.startInstance('gateway', gatewayPort));
          const split = await twoMembers(admin, cluster.topicPrefix);
          context.log(`${this.id}: two gateways, two metering instances (usage partitions ${split.join(' + ')})`);
          const key = organization.keys.live;
          const urls = [context.baseUrl, `http://127.0.0.1:${gatewayPort}`];
          const cpu = cpuShare(cluster);
          const startedAt = Date.now();
          const sent = await Promise.all(
            urls.map((url, index) =>
              closedLoop({
                url: `${url}/v1/events/ingest`,
                key,
                body: batchBodies(customers, `s${index}-${startedAt.toString(36)}`),
                connections: CONNECTIONS,
                seconds: context.durationSeconds,
                stopping: context.stopping,
              }),
            ),
          );
          if (context.stopping()) return [];
          const end = await topicEnd(admin, topic);
          while ((await storedThrough(client, schema, topic)) < end && Date.now() - startedAt < timeoutMs) {
            await delay(100);
          }
          const storedAt = Date.now();
          const cpuWhileStoring = cpu.stop();
          const batches = sent.reduce((sum, result) => sum + result.acks.length, 0);
          const { rows } = await client.query(
            `SELECT count(*)::int AS events, coalesce(sum((properties->>'tokens')::bigint), 0)::text AS tokens
               FROM "${schema}".usage_events WHERE organization_id = $1 AND mode = 'live'`,
            [organization.id],
          );
          const { events, tokens } = rows[0];
          const metered = await meterTotal(context.baseUrl, key, customers, meterCodes.tokens);
          const expected = { events: batches * BATCH_SIZE, tokens: batches * TOKENS_PER_BATCH };
          const exact = events === expected.events && Number(tokens) === expected.tokens && metered === expected.tokens;
          const seconds = (storedAt - startedAt) / 1000;
          const accepted = sent.map((result) => whole((result.acks.length * BATCH_SIZE) / (result.ms / 1000)));
          const single = context.results.httpIngest?.storedPerSecond;
          const failures = sent.map((result) => result.reasons).filter(Boolean);
          return [
            {
              measured: 'combined events/s stored (load start → all stored)',
              value: events / seconds,
              unit: 'events/s',
              details:
                `accepted ${accepted.join(' + ')} events/s by the two gateways` +
                `${failures.length ? ` (failed: ${failures.join('; ')}; their events may be stored all the same)` : ''}; ` +
                `${whole(events)} events stored in ${seconds.toFixed(1)} s; usage partitions split ${split.join(' + ')}` +
                `${single ? `; one instance stored ${whole(single)} events/s during scenario 1` : ''}. ${cpuWhileStoring}`,
            },
            {
              measured: 'totals equal what was accepted',
              value: exact ? 1 : 0,
              unit: 'check',
              goal: { atLeast: 1 },
              details:
                `accepted ${whole(expected.events)} events, ${whole(expected.tokens)} tokens; usage_events has ` +
                `${whole(events)} rows, ${whole(Number(tokens))} tokens; the meter's usage over the 100 customers ` +
                `${whole(metered)}`,
            },
          ];
        }),
      );
    } finally {
      for (const extra of extras.reverse()) await cluster.stopInstance(extra);
    }
  },
};

import { fileURLToPath } from 'node:url';
import { Topics } from '@afternoon/contracts/topics';
import type { UsageRecord } from '@afternoon/contracts/usage';
import { connectKafka, createLogger, type KafkaConnection, newResourceId } from '@afternoon/service-kit';
import {
  customerCreatedRecord,
  dropSchemas,
  dropTopics,
  eventually,
  type NodeProcess,
  serviceEnv,
  spawnNode,
  testInfra,
  uniqueName,
} from '@afternoon/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const appDir = fileURLToPath(new URL('../..', import.meta.url));
const mainTs = fileURLToPath(new URL('../main.ts', import.meta.url));

const recordCount = 20_000;
/** Every 50th record repeats one produced 37 records earlier, identical: a producer's retry, not a conflict. */
const repeatsEarlier = (index: number) => index % 50 === 49;
const eventNames = ['api.request', 'storage.write', 'llm.completion'] as const;
const customerCount = 6;

/** The metering service as its own OS process, so it can be killed for real. */
function startMeteringProcess(env: Record<string, string>): NodeProcess {
  return spawnNode(['--import', 'tsx', mainTs], { cwd: appDir, env });
}

async function kill(metering: NodeProcess): Promise<void> {
  if (metering.isRunning()) metering.child.kill('SIGKILL');
  await metering.exited;
}

/** The records to produce, in order, with repeats; amounts in integer cents and bytes so sums stay exact. */
function usageRecords(organizationId: string, customerIds: readonly string[]): UsageRecord[] {
  const records: UsageRecord[] = [];
  for (let index = 0; index < recordCount; index++) {
    const earlier = records[index - 37];
    if (repeatsEarlier(index) && earlier) {
      records.push(earlier);
      continue;
    }
    records.push({
      organization_id: organizationId,
      mode: 'live',
      event_name: eventNames[index % eventNames.length] ?? 'api.request',
      idempotency_key: `evt_${index}`,
      customer_id: customerIds[index % customerIds.length] ?? '',
      timestamp: new Date(Date.UTC(2026, 0, 15) + index * 1_000).toISOString(),
      properties: { tokens: ((index * 7_919) % 100_000) / 100, bytes: (index * 104_729) % 1_000_000_007 },
      received_at: '2026-01-16T00:00:00.000Z',
    });
  }
  return records;
}

/** Count and exact sums per event name, as Postgres' numeric sum prints them (tokens carry two decimals). */
function expectedTotals(records: readonly UsageRecord[]) {
  const distinct = new Map(records.map((record) => [record.idempotency_key, record]));
  const totals = new Map<string, { count: number; cents: bigint; bytes: bigint }>();
  for (const { event_name, properties } of distinct.values()) {
    const total = totals.get(event_name) ?? { count: 0, cents: 0n, bytes: 0n };
    total.count += 1;
    total.cents += BigInt(Math.round(Number(properties.tokens) * 100));
    total.bytes += BigInt(Number(properties.bytes));
    totals.set(event_name, total);
  }
  return [...totals]
    .map(([event_name, { count, cents, bytes }]) => ({
      event_name,
      count,
      tokens: `${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}`,
      bytes: bytes.toString(),
    }))
    .sort((a, b) => (a.event_name < b.event_name ? -1 : 1));
}

/** The tenant's customers on the customer topic, then every usage record, straight to the ingest topic. */
async function produceCustomersAndUsage(
  kafka: KafkaConnection,
  organizationId: string,
  customerIds: readonly string[],
  records: readonly UsageRecord[],
): Promise<void> {
  await kafka.ensureTopics([Topics.usageIngest, Topics.customerEvents]);
  const producer = await kafka.createProducer();
  await producer.send({
    topic: kafka.topic(Topics.customerEvents),
    acks: -1,
    messages: customerIds.map((id) => customerCreatedRecord({ organizationId, mode: 'live' }, id)),
  });
  // Chunks keep each partition's record batch under the broker's 1 MB message limit.
  for (let start = 0; start < records.length; start += 1_000) {
    await producer.send({
      topic: kafka.topic(Topics.usageIngest),
      acks: -1,
      messages: records
        .slice(start, start + 1_000)
        .map((record) => ({ key: record.customer_id, value: JSON.stringify(record) })),
    });
  }
}

describe('the metering service killed mid-stream and restarted', () => {
  const schema = uniqueName('metering_crash');
  const topicPrefix = `${uniqueName('t')}.`;
  const organizationId = uniqueName('org_crash');
  const env = { ...serviceEnv(schema, topicPrefix), KAFKA_BROKERS: testInfra().kafkaBrokers.join(','), PORT: '0' };
  const childEnv = Object.fromEntries(Object.entries(env).map(([name, value]) => [name, String(value)]));
  const processes: NodeProcess[] = [];
  let kafka: KafkaConnection;
  let db: pg.Pool;

  beforeAll(async () => {
    kafka = connectKafka({
      clientId: 'metering-crash-test',
      brokers: testInfra().kafkaBrokers,
      topicPrefix,
      logger: createLogger('metering-crash-test', 'warn'),
    });
    db = new pg.Pool({ connectionString: testInfra().databaseUrl, max: 2 });
  });
  afterAll(async () => {
    await Promise.all(processes.map(kill));
    await kafka.close();
    await db.end();
    await dropSchemas(schema);
    await dropTopics(topicPrefix);
  });

  const storedCount = async () =>
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.usage_events`)).rows[0]?.n ?? 0;

  // Normally about 20 s; the deadlines are for a loaded two-core machine.
  it('loses and doubles nothing, and reports no redelivered record as a conflicting duplicate', {
    timeout: 240_000,
  }, async () => {
    const customerIds = Array.from({ length: customerCount }, () => newResourceId());
    const records = usageRecords(organizationId, customerIds);
    const expected = expectedTotals(records);
    const distinctKeys = [...new Set(records.map((record) => record.idempotency_key))].sort();
    const ingestTopic = kafka.topic(Topics.usageIngest);

    await produceCustomersAndUsage(kafka, organizationId, customerIds, records);

    const first = startMeteringProcess(childEnv);
    processes.push(first);
    await eventually(
      async () => {
        expect(first.child.exitCode, first.output()).toBeNull();
        expect(await storedCount()).toBeGreaterThan(0);
      },
      { timeout: 60_000, interval: 5, label: 'first events stored' },
    );
    await kill(first);
    // Read once the process is gone: a commit it sent just before dying counts as stored.
    const storedAtKill = await storedCount();
    expect(storedAtKill, 'the kill came before metering finished').toBeLessThan(distinctKeys.length);

    const second = startMeteringProcess(childEnv);
    processes.push(second);
    await eventually(
      async () => {
        expect(second.child.exitCode, second.output()).toBeNull();
        expect(await storedCount()).toBe(distinctKeys.length);
      },
      { timeout: 60_000, interval: 100, label: 'every event stored after the restart' },
    );
    // Partitions no customer hashed to hold nothing, and have no stored offset.
    const topicEnds = (await (await kafka.admin()).fetchTopicOffsets(ingestTopic))
      .filter(({ high }) => high !== '0')
      .map(({ partition, high }) => ({ partition, next_offset: high }))
      .sort((a, b) => a.partition - b.partition);
    await eventually(
      async () => {
        const { rows } = await db.query(
          `SELECT partition, next_offset::text FROM ${schema}.consumer_offsets
            WHERE group_id = $1 AND topic = $2 ORDER BY partition`,
          [`${topicPrefix}metering-service.usage`, ingestTopic],
        );
        expect(rows).toEqual(topicEnds);
      },
      { timeout: 60_000, interval: 100, label: 'stored offsets at the end of the ingest topic' },
    );

    const { rows: keys } = await db.query<{ idempotency_key: string }>(
      `SELECT idempotency_key FROM ${schema}.usage_events WHERE organization_id = $1 ORDER BY idempotency_key COLLATE "C"`,
      [organizationId],
    );
    expect(keys.map((row) => row.idempotency_key)).toEqual(distinctKeys);
    const { rows: totals } = await db.query(
      `SELECT event_name, count(*)::int AS count, sum((properties->>'tokens')::numeric)::text AS tokens,
              sum((properties->>'bytes')::numeric)::text AS bytes
         FROM ${schema}.usage_events WHERE organization_id = $1 GROUP BY event_name ORDER BY event_name`,
      [organizationId],
    );
    expect(totals).toEqual(expected);
    const { rows: rejected } = await db.query(`SELECT reason, record FROM ${schema}.rejected_events`);
    expect(rejected).toEqual([]);
    console.info(`metering killed with ${storedAtKill} of ${distinctKeys.length} events stored`);
  });
});

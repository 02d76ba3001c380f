import type { MeterDefinition } from '@afternoon/contracts/meters';
import { Topics } from '@afternoon/contracts/topics';
import type { UsageRecord } from '@afternoon/contracts/usage';
import { connectKafka, createLogger, newResourceId, type RunningService, type Tenant } from '@afternoon/service-kit';
import {
  customerCreatedRecord,
  customerDeletedRecord,
  dropSchemas,
  dropTopics,
  eventually,
  produce,
  serviceEnv,
  uniqueName,
} from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMeterCommand, readAs } from '../test/records';
import { startMeteringService } from './app';
import { rebuildMetering } from './rebuildMetering';
import { usageConsumerName } from './usage/meterUsage';

const tenant: Tenant = { organizationId: 'org_rebuild', mode: 'live' };
const alice = newResourceId();
const bob = newResourceId();

const meters: MeterDefinition[] = [
  {
    code: 'tokens',
    name: 'Tokens',
    event_name: 'llm.completion',
    aggregation: 'sum',
    property: 'tokens',
    filters: {},
    group_by: ['model'],
  },
  {
    code: 'users',
    name: 'Users',
    event_name: 'llm.completion',
    aggregation: 'unique_count',
    property: 'user',
    filters: {},
    group_by: [],
  },
  {
    code: 'calls',
    name: 'Calls',
    event_name: 'llm.completion',
    aggregation: 'count',
    property: null,
    filters: { model: ['gpt-4'] },
    group_by: [],
  },
];

/**
 * 600 events dated 11:00–13:00 on 1 June, the first 300 received before Bob's deletion and the rest after it, every
 * 20th sent twice and one sent with other content. Received as a gateway receives them: after the customer events
 * they depend on were appended, so a replay judges them the same way.
 */
function usageRecords(receivedAt: (index: number) => string): UsageRecord[] {
  const records: UsageRecord[] = [];
  for (let index = 0; index < 600; index++) {
    const at = new Date(Date.parse('2026-06-01T11:00:00Z') + index * 12_000).toISOString();
    records.push({
      organization_id: tenant.organizationId,
      mode: tenant.mode,
      event_name: 'llm.completion',
      idempotency_key: `evt_${index}`,
      customer_id: index % 3 === 0 ? bob : alice,
      timestamp: at,
      properties: { tokens: (index % 7) + 0.25, model: index % 2 === 0 ? 'gpt-4' : 'claude', user: `u${index % 11}` },
      received_at: receivedAt(index),
    });
  }
  const repeats = records.filter((_, index) => index % 20 === 0);
  const conflicting = { ...records[1], properties: { tokens: 999 } } as UsageRecord;
  return [...records, ...repeats, conflicting];
}

describe('rebuilding metering from its event store and the topics it consumes', () => {
  const schema = uniqueName('metering_rebuild');
  const topicPrefix = `${uniqueName('rebuild')}.`;
  const env = serviceEnv(schema, topicPrefix);
  let service: RunningService;
  const topic = (name: string) => `${topicPrefix}${name}`;

  beforeAll(async () => {
    service = await startMeteringService(env);
  });
  afterAll(async () => {
    await service.stop();
    await dropSchemas(schema);
    await dropTopics(topicPrefix);
  });

  /** Everything a reader of metering can see, but the moment it was asked. */
  async function everythingReadable() {
    const answers: unknown[] = [];
    for (const meter of meters) {
      answers.push((await readAs(service, tenant, `/meters/${meter.code}`)).body);
      // Bob is deleted, so his usage is read below from the stored events only.
      for (const customer of [alice]) {
        const query = `meter=${meter.code}&from=2026-06-01T10:30:00Z&to=2026-06-01T13:30:00Z&window=hour`;
        const grouped = meter.group_by.length > 0 ? `&group_by=${meter.group_by.join(',')}` : '';
        const { body } = await readAs(service, tenant, `/customers/${customer}/meter-usage?${query}${grouped}`);
        const { processed_through: _, ...usage } = body.usage as Record<string, unknown>;
        answers.push(usage);
      }
    }
    const rejected = await service.pool.query(
      'SELECT idempotency_key, reason FROM rejected_events ORDER BY idempotency_key, reason',
    );
    answers.push(rejected.rows);
    const { rows } = await service.pool.query(
      'SELECT idempotency_key, customer_id, "timestamp", properties FROM usage_events ORDER BY idempotency_key',
    );
    answers.push(rows);
    return answers;
  }

  const settled = async (since: number) => {
    await eventually(
      async () =>
        expect((await service.processedThrough(usageConsumerName, Topics.usageIngest)).getTime()).toBeGreaterThan(
          since,
        ),
      { timeout: 60_000, label: 'metering processed every usage record' },
    );
    await eventually(
      async () => {
        const { rows } = await service.pool.query(
          'SELECT count(*)::int AS stale FROM meters WHERE rollup_version IS DISTINCT FROM definition_version',
        );
        expect(rows[0].stale).toBe(0);
      },
      { timeout: 30_000, label: 'every rollup current' },
    );
  };

  it('gives the same meters, usage and rejections, deciding deleted customers by when events arrived', async () => {
    const bobKnown = async (deleted: boolean) =>
      eventually(async () => {
        const { rows } = await service.pool.query('SELECT deleted_at FROM known_customers WHERE id = $1', [bob]);
        expect(rows[0] && rows[0].deleted_at !== null).toBe(deleted);
      });
    const produceUsage = (records: UsageRecord[]) =>
      produce(
        topic(Topics.usageIngest.name),
        records.map((usage) => ({ key: usage.customer_id, value: JSON.stringify(usage) })),
      );
    await produce(topic(Topics.customerEvents.name), [
      customerCreatedRecord(tenant, alice),
      customerCreatedRecord(tenant, bob),
    ]);
    await produce(
      topic(Topics.meterCommands.name),
      meters.map((meter) => createMeterCommand(tenant, meter)),
    );
    await eventually(async () => expect((await readAs(service, tenant, '/meters')).body.meters).toHaveLength(3));
    await bobKnown(false);

    // The first 300 appended before the deletion, the rest after it (their own stamps agree, a millisecond apart).
    const beforeDeletion = Date.now();
    const deletedAt = beforeDeletion + 300;
    const receivedAt = (afterDeletion: number) => (index: number) =>
      new Date(index < 300 ? beforeDeletion + index : afterDeletion + index - 300).toISOString();
    await produceUsage(usageRecords(receivedAt(deletedAt + 1)).slice(0, 300));
    await produce(topic(Topics.customerEvents.name), [
      customerDeletedRecord(tenant, bob, new Date(deletedAt).toISOString()),
    ]);
    await bobKnown(true);
    await produceUsage(usageRecords(receivedAt(Math.max(Date.now(), deletedAt + 1))).slice(300));
    await settled(Date.now());
    const before = await everythingReadable();
    // Bob's events appended after his deletion were refused; those before it count: one in three events
    // is Bob's, so 100 of the first 300, all received before the deletion.
    const { rows: bobs } = await service.pool.query(
      `SELECT max(received_at) < (SELECT deleted_at FROM known_customers WHERE id = $1) AS before_deletion,
              count(*)::int AS events
         FROM usage_events WHERE customer_id = $1`,
      [bob],
    );
    expect(bobs[0]).toEqual({ before_deletion: true, events: 100 });

    await service.stop();
    const kafka = connectKafka({
      clientId: 'rebuild-test',
      brokers: env.KAFKA_BROKERS,
      topicPrefix,
      logger: createLogger('rebuild-test', 'warn'),
    });
    const restartedPool = (await import('@afternoon/service-kit')).createPool({
      url: env.DATABASE_URL,
      schema,
      applicationName: 'rebuild-test',
    });
    try {
      expect(await rebuildMetering({ pool: restartedPool, kafka, topicPrefix })).toEqual({ meterEvents: 3 });
      const { rows } = await restartedPool.query('SELECT count(*)::int AS events FROM usage_events');
      expect(rows[0].events).toBe(0);
    } finally {
      await kafka.close();
      await restartedPool.end();
    }

    service = await startMeteringService(env);
    await settled(Date.now());
    expect(await everythingReadable()).toEqual(before);
  });

  it('refuses to rebuild while the service is consuming', async () => {
    const kafka = connectKafka({
      clientId: 'rebuild-test',
      brokers: env.KAFKA_BROKERS,
      topicPrefix,
      logger: createLogger('rebuild-test', 'warn'),
    });
    try {
      await expect(rebuildMetering({ pool: service.pool, kafka, topicPrefix })).rejects.toThrow(
        /stop metering-service first/,
      );
    } finally {
      await kafka.close();
    }
  });
});

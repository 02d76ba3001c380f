import { MeteredUsageRecord, UsageOutcomeAnswer } from '@afternoon/contracts/meteredUsage';
import type { MeterDefinition } from '@afternoon/contracts/meters';
import { Topics } from '@afternoon/contracts/topics';
import {
  connectKafka,
  consumerGroupId,
  createLogger,
  createPool,
  newResourceId,
  type RunningService,
  type Tenant,
  usageIdOf,
} from '@afternoon/service-kit';
import {
  type CollectedMessage,
  collectTopic,
  commandRecord,
  customerCreatedRecord,
  dropSchemas,
  dropTopics,
  eventually,
  produce,
  serviceEnv,
  uniqueName,
} from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMeterCommand, readAs } from '../../test/records';
import { meteringServiceName, startMeteringService } from '../app';
import { rebuildMetering } from '../rebuildMetering';
import { usageConsumerName } from './meterUsage';

const tenant: Tenant = { organizationId: 'org_metered', mode: 'live' };
const alice = newResourceId();
const bob = newResourceId();
const stranger = newResourceId();

const meters: MeterDefinition[] = [
  {
    code: 'calls',
    name: 'Calls',
    event_name: 'api.request',
    aggregation: 'count',
    property: null,
    filters: {},
    group_by: [],
  },
  {
    code: 'latency',
    name: 'Latency',
    event_name: 'api.request',
    aggregation: 'max',
    property: 'ms',
    filters: {},
    group_by: [],
  },
  {
    code: 'tokens',
    name: 'Tokens',
    event_name: 'api.request',
    aggregation: 'sum',
    property: 'tokens',
    filters: { region: ['eu', 'us'] },
    group_by: ['model', 'region'],
  },
  {
    code: 'old_calls',
    name: 'Old',
    event_name: 'api.request',
    aggregation: 'count',
    property: null,
    filters: {},
    group_by: [],
  },
];

function usage(key: string, properties: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
  return {
    organization_id: tenant.organizationId,
    mode: tenant.mode,
    event_name: 'api.request',
    idempotency_key: key,
    customer_id: alice,
    timestamp: '2026-01-15T10:30:00Z',
    properties,
    received_at: new Date().toISOString(),
    ...overrides,
  };
}

/** The records produced, one at a time, by name: what each one should come to. */
const records = {
  e1: usage('e1', { tokens: 1.25, model: 'gpt-4', region: 'eu', ms: 30 }),
  e2: usage('e2', { tokens: 3, region: 'us' }, { timestamp: '2026-01-15T10:31:00+00:00' }),
  e3: usage('e3', { tokens: 5, model: 'gpt-4', region: 'apac' }),
  e4: usage('e4', { tokens: 'many', model: 'gpt-4', region: 'eu' }),
  huge: usage('huge', { tokens: 1e21, model: 'big', region: 'us' }),
  view: usage('view', { path: '/' }, { customer_id: bob, event_name: 'page.view' }),
  e1Again: usage('e1', { tokens: 1.25, model: 'gpt-4', region: 'eu', ms: 30 }),
  e2Conflicting: usage('e2', { tokens: 4, region: 'us' }, { timestamp: '2026-01-15T10:31:00+00:00' }),
  strangers: usage('s1', { tokens: 1 }, { customer_id: stranger }),
};

const calls = { meter_code: 'calls', aggregation: 'count', quantity: '1', group: null };
const latency = { meter_code: 'latency', aggregation: 'max', quantity: null, group: null };
/** What the meters take from each stored event; the archived `old_calls` takes nothing, `page.view` has no meter. */
const expectedMeters: Record<string, unknown[]> = {
  e1: [
    calls,
    latency,
    { meter_code: 'tokens', aggregation: 'sum', quantity: '1.25', group: { model: 'gpt-4', region: 'eu' } },
  ],
  e2: [
    calls,
    latency,
    { meter_code: 'tokens', aggregation: 'sum', quantity: '3', group: { model: null, region: 'us' } },
  ],
  // apac is not among the tokens meter's regions.
  e3: [calls, latency],
  e4: [
    calls,
    latency,
    { meter_code: 'tokens', aggregation: 'sum', quantity: null, group: { model: 'gpt-4', region: 'eu' } },
  ],
  // 1e21 exactly, not as JavaScript prints it.
  huge: [
    calls,
    latency,
    {
      meter_code: 'tokens',
      aggregation: 'sum',
      quantity: '1000000000000000000000',
      group: { model: 'big', region: 'us' },
    },
  ],
  view: [],
};

describe('usage.metered: what metering stored, told once', () => {
  const schema = uniqueName('metered');
  const topicPrefix = `${uniqueName('metered')}.`;
  const env = serviceEnv(schema, topicPrefix);
  let service: RunningService;
  let metered: { messages: CollectedMessage[]; stop(): Promise<void> };
  const sources: Record<string, string> = {};
  const topic = (name: string) => `${topicPrefix}${name}`;

  beforeAll(async () => {
    service = await startMeteringService(env);
    metered = await collectTopic(topic(Topics.usageMetered.name));
  });
  afterAll(async () => {
    await metered.stop();
    await service.stop();
    await dropSchemas(schema);
    await dropTopics(topicPrefix);
  });

  /** Produces each record alone, remembering where it landed as `sourceOf` names it. */
  async function produceOneByOne(named: Record<string, unknown>): Promise<void> {
    const producer = await service.kafka.createProducer();
    for (const [name, record] of Object.entries(named)) {
      const value = record as { customer_id: string };
      const [landed] = await producer.send({
        topic: topic(Topics.usageIngest.name),
        acks: -1,
        messages: [{ key: value.customer_id, value: JSON.stringify(record) }],
      });
      sources[name] = `${topic(Topics.usageIngest.name)}/${landed?.partition}/${landed?.baseOffset}`;
    }
  }

  /** Waits until every record appended so far is handled and everything queued is published, and answers all of it. */
  async function everythingPublished(): Promise<MeteredUsageRecord[]> {
    const since = Date.now();
    await eventually(
      async () =>
        expect((await service.processedThrough(usageConsumerName, Topics.usageIngest)).getTime()).toBeGreaterThan(
          since,
        ),
      { timeout: 30_000, label: 'every usage record handled' },
    );
    await eventually(
      async () => expect((await service.pool.query('SELECT count(*)::int AS n FROM outbox')).rows[0].n).toBe(0),
      { timeout: 30_000, label: 'the outbox published' },
    );
    const admin = await service.kafka.admin();
    const offsets = await admin.fetchTopicOffsets(topic(Topics.usageMetered.name));
    const onTopic = offsets.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
    await eventually(async () => expect(metered.messages).toHaveLength(onTopic), { label: 'the collector caught up' });
    return metered.messages.map((message) => {
      const record = MeteredUsageRecord.parse(JSON.parse(message.value ?? ''));
      expect(message.key).toBe(record.customer_id);
      return record;
    });
  }

  const eventsOf = (published: MeteredUsageRecord[]) =>
    published.flatMap((record) => record.events.map((event) => ({ customer: record.customer_id, event })));

  it('publishes each newly stored event once, with what each active meter takes from it', async () => {
    await produce(topic(Topics.customerEvents.name), [
      customerCreatedRecord(tenant, alice),
      customerCreatedRecord(tenant, bob),
    ]);
    await produce(
      topic(Topics.meterCommands.name),
      meters.map((meter) => createMeterCommand(tenant, meter)),
    );
    await eventually(async () => expect((await readAs(service, tenant, '/meters')).body.meters).toHaveLength(4));
    await produce(topic(Topics.meterCommands.name), [
      commandRecord(tenant, 'old_calls', 'ArchiveMeter', { code: 'old_calls' }),
    ]);
    await eventually(async () => {
      const { rows } = await service.pool.query("SELECT status FROM meters WHERE code = 'old_calls'");
      expect(rows[0]?.status).toBe('archived');
    });
    await produceOneByOne(records);

    const events = eventsOf(await everythingPublished());
    expect(events.map(({ event }) => event.idempotency_key).sort()).toEqual(['e1', 'e2', 'e3', 'e4', 'huge', 'view']);
    const { rows } = await service.pool.query<{ idempotency_key: string; received_at: Date }>(
      'SELECT idempotency_key, received_at FROM usage_events',
    );
    const receivedAt = new Map(rows.map((row) => [row.idempotency_key, row.received_at.toISOString()]));
    for (const { customer, event } of events) {
      const key = event.idempotency_key as keyof typeof records;
      expect(customer).toBe(records[key].customer_id);
      expect(event).toEqual({
        usage_id: usageIdOf(tenant.organizationId, tenant.mode, key),
        idempotency_key: key,
        event_name: records[key].event_name,
        timestamp: new Date(records[key].timestamp).toISOString(),
        received_at: receivedAt.get(key),
        meters: expectedMeters[key],
      });
    }
  });

  it('answers what became of each ingest record by its source, for its tenant only', async () => {
    const outcomeOf = async (name: string, asTenant = tenant) => {
      const source = sources[name] ?? name;
      const { status, body } = await readAs(service, asTenant, `/usage/outcome?source=${encodeURIComponent(source)}`);
      expect(status).toBe(200);
      return UsageOutcomeAnswer.parse(body);
    };
    const idOf = (key: string) => usageIdOf(tenant.organizationId, tenant.mode, key);
    expect(await outcomeOf('e1')).toEqual({ outcome: 'stored', usage_id: idOf('e1') });
    expect(await outcomeOf('view')).toEqual({ outcome: 'stored', usage_id: idOf('view') });
    expect(await outcomeOf('e1Again')).toEqual({ outcome: 'duplicate', usage_id: idOf('e1') });
    expect(await outcomeOf('e2Conflicting')).toEqual({
      outcome: 'rejected',
      reason_code: 'conflicting_duplicate',
      reason: 'duplicate idempotency_key with different content',
    });
    expect(await outcomeOf('strangers')).toEqual({
      outcome: 'rejected',
      reason_code: 'unknown_customer',
      reason: `unknown customer: ${stranger}`,
    });
    // Not appended yet; and another tenant's record is none of this tenant's business.
    expect(await outcomeOf(`${topic(Topics.usageIngest.name)}/0/99999`)).toEqual({ outcome: 'pending' });
    expect(await outcomeOf('e1', { organizationId: 'org_other', mode: 'live' })).toEqual({ outcome: 'pending' });
    expect(await outcomeOf('e1', { ...tenant, mode: 'test' })).toEqual({ outcome: 'pending' });
  });

  it('refuses an outcome query without one well-formed source', async () => {
    for (const query of [
      '',
      '?source=',
      '?source=usage.ingest/0',
      '?source=usage.ingest/x/1',
      '?source=a/0/1&source=a/0/2',
      '?source=a/0/1&extra=1',
    ]) {
      const { status, body } = await readAs(service, tenant, `/usage/outcome${query}`);
      expect({ query, status }).toEqual({ query, status: 400 });
      expect(body).toMatchObject({ error: { param: expect.stringMatching(/^(source|extra)?$/) } });
    }
  });

  it('publishes nothing again when every record is redelivered, though the mark was lost too', async () => {
    const before = metered.messages.length;
    await service.stop();
    const pool = createPool({ url: env.DATABASE_URL, schema, applicationName: 'metered-test' });
    try {
      const groupId = consumerGroupId(topicPrefix, meteringServiceName, usageConsumerName);
      const rewound = await pool.query('UPDATE consumer_offsets SET next_offset = 0 WHERE group_id = $1', [groupId]);
      expect(rewound.rowCount).toBeGreaterThan(0);
      // Without the mark, only the store's own judgement (each record's event was stored before) holds it back.
      await pool.query('DELETE FROM usage_metered_through');
    } finally {
      await pool.end();
    }
    service = await startMeteringService(env);
    expect(await everythingPublished()).toHaveLength(before);
  });

  it('publishes nothing again after a rebuild replays the ingest topic, and goes on publishing what is new', async () => {
    const before = eventsOf(await everythingPublished());
    await service.stop();
    const kafka = connectKafka({
      clientId: 'metered-test',
      brokers: env.KAFKA_BROKERS,
      topicPrefix,
      logger: createLogger('metered-test', 'warn'),
    });
    const pool = createPool({ url: env.DATABASE_URL, schema, applicationName: 'metered-test' });
    try {
      await rebuildMetering({ pool, kafka, topicPrefix });
      expect((await pool.query('SELECT count(*)::int AS n FROM usage_events')).rows[0].n).toBe(0);
    } finally {
      await kafka.close();
      await pool.end();
    }
    service = await startMeteringService(env);
    await produceOneByOne({ e7: usage('e7', { tokens: 2, region: 'eu' }) });
    const after = eventsOf(await everythingPublished());
    expect((await service.pool.query('SELECT count(*)::int AS n FROM usage_events')).rows[0].n).toBe(7);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length).map(({ event }) => event.idempotency_key)).toEqual(['e7']);
  });

  it('holds an outcome question until the record is handled, and answers pending once its wait has passed', async () => {
    const ingest = topic(Topics.usageIngest.name);
    const admin = await service.kafka.admin();
    const next = (await admin.fetchTopicOffsets(ingest)).find(({ partition }) => partition === 0)?.high;
    const source = encodeURIComponent(`${ingest}/0/${next}`);
    const asked = Date.now();
    const answer = readAs(service, tenant, `/usage/outcome?source=${source}&wait_ms=20000`);
    const producer = await service.kafka.createProducer();
    const record = usage('waited', { tokens: 2 });
    await producer.send({ topic: ingest, acks: -1, messages: [{ partition: 0, value: JSON.stringify(record) }] });
    expect((await answer).body).toEqual({
      outcome: 'stored',
      usage_id: usageIdOf(tenant.organizationId, 'live', 'waited'),
    });
    // Answered when the record's transaction committed, well before its wait would have passed.
    expect(Date.now() - asked).toBeLessThan(15_000);

    const waitedFrom = Date.now();
    const never = await readAs(
      service,
      tenant,
      `/usage/outcome?source=${encodeURIComponent(`${ingest}/0/99999`)}&wait_ms=300`,
    );
    expect(never.body).toEqual({ outcome: 'pending' });
    expect(Date.now() - waitedFrom).toBeGreaterThanOrEqual(300);
    const tooLong = await readAs(service, tenant, `/usage/outcome?source=${source}&wait_ms=30001`);
    expect(tooLong).toMatchObject({ status: 400, body: { error: { param: 'wait_ms' } } });
  });
});

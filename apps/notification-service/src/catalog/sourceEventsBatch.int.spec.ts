import type { TopicSpec } from '@afternoon/contracts/topics';
import {
  type ConsumedRecord,
  type ConsumerContext,
  createLogger,
  createPool,
  migrate,
  newResourceId,
  type Tenant,
  withTransaction,
} from '@afternoon/service-kit';
import { dropSchemas, testInfra, uniqueName } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationsDir } from '../app';
import { catalogConsumers } from './catalogConsumers';
import { catalogScenario } from './test/catalogScenario';
import type { SourceEventRecord } from './test/sourceRecords';

const now = new Date('2026-03-10T12:00:00.000Z');
const consumerNamed = (name: string) => {
  const consumer = catalogConsumers(() => now).find((candidate) => candidate.name === name);
  if (!consumer) throw new Error(`no catalog consumer '${name}'`);
  return consumer;
};
const tenant: Tenant = { organizationId: uniqueName('org_catalog_batch'), mode: 'live' };
const scenario = catalogScenario(tenant);
const endpointId = newResourceId();
// Every record twice, as a redelivery brings it; the first five of invoicing's were consumed before a rebuild.
const consumed = (topic: string, records: SourceEventRecord[]): ConsumedRecord[] =>
  [...records, ...records].map(({ key, value }, offset) => ({
    topic,
    partition: 0,
    offset: String(offset),
    timestamp: String(Date.parse('2026-03-01T10:00:00Z') + offset * 1000),
    key,
    value,
    headers: {},
  }));
const sources = [
  { consumer: consumerNamed('catalog-customers'), records: consumed('customer.events', scenario.customer) },
  { consumer: consumerNamed('catalog-invoicing'), records: consumed('invoice.events', scenario.invoicing) },
];

/** A notification schema with one endpoint taking every event, and the offsets a rebuild found. */
async function notificationSchema(name: string) {
  const schema = uniqueName(name);
  const pool = createPool({ url: testInfra().databaseUrl, schema, applicationName: name, max: 2 });
  await migrate(pool, schema, migrationsDir);
  await pool.query(
    `INSERT INTO webhook_endpoints (id, organization_id, mode, url, enabled_events, secret, created_at, updated_at)
     VALUES ($3, $1, $2, 'https://hooks.example.com/a', ARRAY['*'], 'whsec_x', now(), now())`,
    [tenant.organizationId, tenant.mode, endpointId],
  );
  await pool.query(
    `INSERT INTO catalog_replayed_offsets (topic, partition, next_offset) VALUES ('invoice.events', 0, 5)`,
  );
  const context = {
    schema,
    kafka: { topic: (spec: TopicSpec) => spec.name },
    logger: createLogger(name, 'silent'),
    setType: () => undefined,
    skip: () => undefined,
  } as unknown as ConsumerContext;
  return { schema, pool, context };
}

/** What the catalog left in a schema: events and their bodies, subjects, deliveries and emails scheduled. */
async function catalogOf(pool: ReturnType<typeof createPool>) {
  const read = async (sql: string) => (await pool.query(sql)).rows;
  return {
    events: await read(
      'SELECT id, organization_id, mode, type, version, occurred_at, body, recorded_at, source FROM webhook_events ORDER BY id',
    ),
    subjects: await read(
      'SELECT organization_id, mode, kind, id, version, state::text FROM catalog_subjects ORDER BY kind, id',
    ),
    scheduled: await read('SELECT stream_id, version, type, data, metadata FROM events ORDER BY stream_id, version'),
    queued: await read('SELECT topic, key FROM outbox ORDER BY topic, key'),
  };
}

describe("the catalog's batch handler", () => {
  let oneByOne: Awaited<ReturnType<typeof notificationSchema>>;
  let batched: Awaited<ReturnType<typeof notificationSchema>>;

  beforeAll(async () => {
    [oneByOne, batched] = await Promise.all([notificationSchema('catalog_one'), notificationSchema('catalog_batch')]);
    for (const { consumer, records } of sources) {
      for (const record of records)
        await withTransaction(oneByOne.pool, (tx) => consumer.handle(tx, record, oneByOne.context));
      // Batches of seven: a subject's events and a record's redelivery fall in one batch or across two.
      for (let start = 0; start < records.length; start += 7)
        await withTransaction(
          batched.pool,
          (tx) =>
            consumer.handleBatch?.(tx, records.slice(start, start + 7), batched.context) ??
            Promise.reject(new Error('no batch mode')),
        );
    }
  });
  afterAll(async () => {
    await Promise.all([oneByOne.pool.end(), batched.pool.end()]);
    await dropSchemas(oneByOne.schema, batched.schema);
  });

  it('leaves what the records one by one leave: events byte for byte, subjects, deliveries and emails', async () => {
    const [alone, together] = await Promise.all([catalogOf(oneByOne.pool), catalogOf(batched.pool)]);
    // The scenario makes every kind of event, some replayed (recorded, not scheduled), with a delivery each else.
    expect(alone.events.length).toBeGreaterThan(20);
    expect(alone.scheduled.length).toBeGreaterThan(alone.events.length - 5);
    expect(together).toEqual(alone);
  });

  it('records each event once and schedules nothing for the records a rebuild replays', async () => {
    const { events, scheduled } = await catalogOf(batched.pool);
    const replayed = events
      .filter((event) => /^invoice\.events\/0\/[0-4]$/.test(event.source))
      .map((event) => event.id);
    expect(replayed.length).toBeGreaterThan(0);
    const deliveredIds = new Set(scheduled.map((event) => event.data.event_id));
    for (const id of replayed) expect(deliveredIds.has(id)).toBe(false);
    expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
  });
});

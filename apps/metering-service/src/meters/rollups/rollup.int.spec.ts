import type { Meter, MeterDefinition, MeterUsageQuery, UsageWindowSize } from '@afternoon/contracts/meters';
import { meterUsageOf } from '@afternoon/contracts/meterUsageAnswer';
import type { MeterUsageAnswer, MeterUsageItem } from '@afternoon/contracts/meterUsageBatch';
import type { UsageRecord } from '@afternoon/contracts/usage';
import {
  createPool,
  migrate,
  newResourceId,
  type Tenant,
  withReadSnapshot,
  withTransaction,
} from '@afternoon/service-kit';
import { dropSchemas, testInfra, uniqueName } from '@afternoon/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertMeter } from '../../../test/storedRows';
import { migrationsDir } from '../../app';
import { storeUsageEvents } from '../../usage/storeUsageEvents';
import { customerMeterUsage, readCustomerMeterUsageUnchanged } from '../getMeterUsage';
import { meterTopCustomers } from '../getMeterUsage/topCustomers';
import { meterUsageAnswers } from '../meterUsageBatch';
import { buildMeterRollup } from './buildRollup';
import { lockBatchMeters } from './ingestRollup';

const tenant: Tenant = { organizationId: 'org_rollup', mode: 'test' };
const customers = [newResourceId(), newResourceId(), newResourceId()];
const dayStart = Date.parse('2026-05-01T00:00:00Z');

/** A small deterministic generator, so a failure can be replayed. */
function randomSource(seed: number) {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T };
}

const random = randomSource(20261124);

function randomUsage(index: number): UsageRecord {
  const properties: UsageRecord['properties'] = {};
  const tokens = random.next();
  // Mostly exact decimals; now and then a string or nothing, which numeric meters must leave out.
  if (tokens < 0.85) properties.tokens = Math.round(random.next() * 100_000) / 1000;
  else if (tokens < 0.92) properties.tokens = 'n/a';
  const model = random.next();
  if (model < 0.9) properties.model = random.pick(['gpt-4', 'claude', 'llama']);
  properties.region = random.pick(['eu', 'us']);
  properties.user = random.pick(['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7']);
  if (random.next() < 0.1) properties.cached = random.next() < 0.5;
  // Three days, to the second; a few events share an instant, for `latest`.
  const at = dayStart + Math.floor(random.next() * 3 * 86_400) * 1000;
  return {
    organization_id: tenant.organizationId,
    mode: tenant.mode,
    event_name: random.next() < 0.85 ? 'llm.completion' : 'llm.embedding',
    idempotency_key: `evt_${index}`,
    customer_id: random.pick(customers),
    timestamp: new Date(at).toISOString(),
    properties,
    received_at: new Date(at + Math.floor(random.next() * 7200) * 1000).toISOString(),
  };
}

const definitions: MeterDefinition[] = [
  {
    code: 'calls',
    name: 'Calls',
    event_name: 'llm.completion',
    aggregation: 'count',
    property: null,
    filters: {},
    group_by: ['model'],
  },
  {
    code: 'tokens',
    name: 'Tokens',
    event_name: 'llm.completion',
    aggregation: 'sum',
    property: 'tokens',
    filters: {},
    group_by: ['model', 'region'],
  },
  {
    code: 'eu_tokens',
    name: 'EU tokens',
    event_name: 'llm.completion',
    aggregation: 'sum',
    property: 'tokens',
    filters: { region: ['eu'], model: ['gpt-4', 'claude'] },
    group_by: [],
  },
  {
    code: 'min_tokens',
    name: 'Min',
    event_name: 'llm.completion',
    aggregation: 'min',
    property: 'tokens',
    filters: {},
    group_by: ['region'],
  },
  {
    code: 'max_tokens',
    name: 'Max',
    event_name: 'llm.completion',
    aggregation: 'max',
    property: 'tokens',
    filters: {},
    group_by: ['model'],
  },
  {
    code: 'avg_tokens',
    name: 'Avg',
    event_name: 'llm.completion',
    aggregation: 'avg',
    property: 'tokens',
    filters: {},
    group_by: ['region'],
  },
  {
    code: 'users',
    name: 'Users',
    event_name: 'llm.completion',
    aggregation: 'unique_count',
    property: 'user',
    filters: {},
    group_by: ['model'],
  },
  {
    code: 'last_tokens',
    name: 'Latest',
    event_name: 'llm.completion',
    aggregation: 'latest',
    property: 'tokens',
    filters: {},
    group_by: ['model'],
  },
  {
    code: 'cached',
    name: 'Cached',
    event_name: 'llm.completion',
    aggregation: 'count',
    property: null,
    filters: { cached: [true] },
    group_by: [],
  },
];

function randomQuery(meter: Meter): Omit<MeterUsageQuery, 'meter'> {
  // Ranges that rarely start or end on an hour, so the edges come from raw events and the middle from the rollup.
  const from = dayStart - 3_600_000 + Math.floor(random.next() * 2 * 86_400) * 1000;
  const to = from + Math.floor(random.next() * 2 * 86_400 + 60) * 1000;
  const window = random.pick<UsageWindowSize | undefined>([undefined, 'hour', 'day', 'month']);
  const groupBy = meter.group_by.filter(() => random.next() < 0.5);
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), window, group_by: groupBy };
}

/** A billing run's question: a range, and now and then a received window (which only raw events answer). */
function randomItem(meter: Meter, customer: string): MeterUsageItem {
  const { from, to } = randomQuery(meter);
  const item: MeterUsageItem = { customer_id: customer, meter: meter.code, from, to };
  const received = (offsetSeconds: number) => new Date(Date.parse(from) + offsetSeconds * 1000).toISOString();
  const window = random.next();
  if (window < 0.2) item.received_through = received(Math.floor(random.next() * 86_400));
  else if (window < 0.3) item.received_after = received(Math.floor(random.next() * 86_400));
  return item;
}

describe('hourly rollups', () => {
  const schema = uniqueName('rollups');
  let pool: pg.Pool;
  const meters: Meter[] = [];

  const store = (usages: UsageRecord[]) =>
    withTransaction(pool, async (tx) =>
      storeUsageEvents(
        tx,
        usages.map((usage) => ({
          usage,
          receivedAt: usage.received_at,
          record: {
            topic: 'usage',
            partition: 0,
            offset: usage.idempotency_key,
            timestamp: '0',
            key: null,
            value: null,
            headers: {},
          },
        })),
        await lockBatchMeters(tx, usages),
      ),
    );
  const setRollupCurrent = (current: boolean) =>
    pool.query(`UPDATE meters SET rollup_version = ${current ? 'definition_version' : 'NULL'}`);

  beforeAll(async () => {
    pool = createPool({ url: testInfra().databaseUrl, schema, applicationName: 'rollup-test' });
    await migrate(pool, schema, migrationsDir);
    for (const definition of definitions) {
      const meter: Meter = {
        id: newResourceId(),
        ...definition,
        status: 'active',
        created_at: '2026-04-01T00:00:00.000Z',
        updated_at: '2026-04-01T00:00:00.000Z',
        archived_at: null,
      };
      meters.push(meter);
      await insertMeter(pool, tenant, meter);
    }
    const usages = Array.from({ length: 3000 }, (_, index) => randomUsage(index));
    // Half before the rollups exist (the builder counts them), half after (ingest adds them), and every tenth
    // event sent again, which must add nothing.
    for (let start = 0; start < 1500; start += 250) await store(usages.slice(start, start + 250));
    for (const meter of meters) expect(await buildMeterRollup(pool, meter.id)).toBe(true);
    for (let start = 1500; start < 3000; start += 250) await store(usages.slice(start, start + 250));
    await store(usages.filter((_, index) => index % 10 === 0));
  });
  afterAll(async () => {
    await pool.end();
    await dropSchemas(schema);
  });

  it('is current for every meter once built, and a second build has nothing to do', async () => {
    const { rows } = await pool.query(
      'SELECT count(*)::int AS stale FROM meters WHERE rollup_version IS DISTINCT FROM definition_version',
    );
    expect(rows[0].stale).toBe(0);
    expect(await buildMeterRollup(pool, meters[0]?.id ?? '')).toBe(false);
  });

  it('answers every aggregation, window and grouping exactly as the raw events do', async () => {
    const cases = meters.flatMap((meter) =>
      customers.flatMap((customer) =>
        Array.from({ length: 4 }, () => ({ meter, customer, query: randomQuery(meter) })),
      ),
    );
    const ask = () =>
      Promise.all(
        cases.map(({ meter, customer, query }) =>
          customerMeterUsage(pool, tenant, customer, meter, { meter: meter.code, ...query }),
        ),
      );
    const fromRollups = await ask();
    await setRollupCurrent(false);
    try {
      const fromRawEvents = await ask();
      expect(fromRollups).toEqual(fromRawEvents);
      // The comparison means something only if there was usage to compare.
      expect(fromRawEvents.filter((usage) => usage.total !== null && usage.total !== '0').length).toBeGreaterThan(
        cases.length / 2,
      );
    } finally {
      await setRollupCurrent(true);
    }
  });

  it('ranks customers the same from rollups as from raw events', async () => {
    const range = { from: '2026-05-01T00:30:00Z', to: '2026-05-03T18:45:10Z', limit: 10 };
    const fromRollups = await Promise.all(meters.map((meter) => meterTopCustomers(pool, tenant, meter, range)));
    await setRollupCurrent(false);
    try {
      expect(fromRollups).toEqual(
        await Promise.all(meters.map((meter) => meterTopCustomers(pool, tenant, meter, range))),
      );
    } finally {
      await setRollupCurrent(true);
    }
  });

  it('answers a batch of questions, one statement per meter, as each question asked alone', async () => {
    const items = meters.flatMap((meter) =>
      customers.flatMap((customer) => Array.from({ length: 3 }, () => randomItem(meter, customer))),
    );
    const byCode = new Map(meters.map((meter) => [meter.code, meter]));
    const alone = async (item: MeterUsageItem): Promise<MeterUsageAnswer> => {
      const meter = byCode.get(item.meter) as Meter;
      const { customer_id: customer, ...asked } = item;
      const query = { ...asked, group_by: meter.group_by };
      const usage = await customerMeterUsage(pool, tenant, customer, meter, query, Number.POSITIVE_INFINITY);
      if (meter.group_by.length === 0) return { total: usage.total };
      return { total: usage.total, groups: usage.windows[0]?.groups ?? [] };
    };
    const batch = () => withReadSnapshot(pool, (tx) => meterUsageAnswers(tx, tenant, byCode, items));
    const fromRollups = await batch();
    expect(fromRollups).toEqual(await Promise.all(items.map(alone)));
    await setRollupCurrent(false);
    try {
      expect(await batch()).toEqual(fromRollups);
    } finally {
      await setRollupCurrent(true);
    }
    // The comparison means something only if there was usage to compare, in groups too.
    expect(fromRollups.filter((usage) => usage.total !== null && usage.total !== '0').length).toBeGreaterThan(
      items.length / 2,
    );
    expect(fromRollups.some((usage) => (usage.groups?.length ?? 0) > 1)).toBe(true);
  });

  it('is rebuilt after the meter changes, and stale until then', async () => {
    const tokens = meters.find((meter) => meter.code === 'tokens');
    if (!tokens) throw new Error('no tokens meter');
    const query = { meter: 'tokens', from: '2026-05-01T00:00:00Z', to: '2026-05-04T00:00:00Z' };
    const customerId = customers[0] ?? '';
    // Outside a snapshot, an answer is read only for the meter as it was read before (`customerUsageAnswer`).
    const unchanged = async (meter: Meter, version: number, rollupCurrent: boolean) => {
      const read = { tenant, customerId, meter, query, rollupCurrent };
      const { answer } = await readCustomerMeterUsageUnchanged(pool, read, version);
      return answer && meterUsageOf(answer());
    };
    const before = await pool.query('SELECT definition_version FROM meters WHERE id = $1', [tokens.id]);
    const version: number = before.rows[0].definition_version;
    expect(await unchanged(tokens, version, true)).toBeDefined();
    await pool.query(
      `UPDATE meters SET filters = '{"region": ["us"]}', definition_version = definition_version + 1 WHERE id = $1`,
      [tokens.id],
    );
    const narrowed = { ...tokens, filters: { region: ['us'] } };
    const whileStale = await customerMeterUsage(pool, tenant, customerId, narrowed, query);
    expect(await unchanged(tokens, version, true)).toBeUndefined();
    expect(await unchanged(tokens, version, false)).toBeUndefined();
    expect(await unchanged(narrowed, version + 1, true)).toBeUndefined();
    expect(await unchanged(narrowed, version + 1, false)).toEqual(whileStale);
    expect(await buildMeterRollup(pool, tokens.id)).toBe(true);
    expect(await customerMeterUsage(pool, tenant, customerId, narrowed, query)).toEqual(whileStale);
    expect(await unchanged(narrowed, version + 1, true)).toEqual(whileStale);
    const { rows } = await pool.query(
      `SELECT DISTINCT group_key -> 1 AS region FROM meter_usage_hourly WHERE meter_id = $1 AND included_count > 0`,
      [tokens.id],
    );
    expect(rows.map((row) => row.region)).toEqual(['us']);
  });
});

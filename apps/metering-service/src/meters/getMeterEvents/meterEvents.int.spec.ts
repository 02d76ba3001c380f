import type { Meter, MeterDefinition, MeterEventsQuery } from '@afternoon/contracts/meters';
import { createPool, migrate, newResourceId, type Tenant } from '@afternoon/service-kit';
import { dropSchemas, testInfra, uniqueName } from '@afternoon/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeMeter, insertUsageEvent } from '../../../test/storedRows';
import { migrationsDir } from '../../app';
import { customerMeterUsage } from '../getMeterUsage';
import { listMeterEvents } from '.';

const acme: Tenant = { organizationId: 'org_acme', mode: 'live' };
const globex: Tenant = { organizationId: 'org_globex', mode: 'live' };
const alice = newResourceId();
const bob = newResourceId();
const range = { from: '2026-03-01T10:00:00Z', to: '2026-03-01T13:00:00Z' };

interface StoredUsage {
  key: string;
  at: string;
  properties: Record<string, string | number | boolean>;
  receivedAt?: string;
  event?: string;
  customer?: string;
  tenant?: Tenant;
}

// Alice's `llm.tokens` events in prod; the keys say why each one is or is not listed for the sum of tokens.
const events: StoredUsage[] = [
  {
    key: 'b_gpt_eu',
    at: '2026-03-01T10:00:00Z',
    properties: { tokens: 0.1, model: 'gpt-4', region: 'eu', env: 'prod' },
  },
  // Same instant as b_gpt_eu, stored after it: the key breaks the tie.
  { key: 'a_claude', at: '2026-03-01T10:00:00Z', properties: { tokens: 5, model: 'claude', env: 'prod' } },
  {
    key: 'c_gpt_us',
    at: '2026-03-01T10:40:00Z',
    properties: { tokens: 0.2, model: 'gpt-4', region: 'us', env: 'prod' },
  },
  { key: 'd_text', at: '2026-03-01T11:00:00Z', properties: { tokens: 'lots', model: 'gpt-4', env: 'prod' } },
  { key: 'e_missing', at: '2026-03-01T11:10:00Z', properties: { model: 'gpt-4', region: 'eu', env: 'prod' } },
  { key: 'f_dev', at: '2026-03-01T11:20:00Z', properties: { tokens: 9, model: 'gpt-4', env: 'dev' } },
  {
    key: 'g_late',
    at: '2026-03-01T12:00:00Z',
    properties: { tokens: 2.5, model: 'gpt-4', region: 'eu', env: 'prod' },
    receivedAt: '2026-03-03T08:00:00Z',
  },
  {
    key: 'h_claude_eu',
    at: '2026-03-01T12:59:59Z',
    properties: { tokens: 1e3, model: 'claude', region: 'eu', env: 'prod' },
  },
  { key: 'i_at_to', at: '2026-03-01T13:00:00Z', properties: { tokens: 1, model: 'gpt-4', env: 'prod' } },
  { key: 'j_other_name', at: '2026-03-01T10:30:00Z', event: 'api.request', properties: { tokens: 1, env: 'prod' } },
  { key: 'k_bob', at: '2026-03-01T10:30:00Z', customer: bob, properties: { tokens: 7, env: 'prod' } },
  { key: 'l_globex', at: '2026-03-01T10:30:00Z', tenant: globex, properties: { tokens: 7, env: 'prod' } },
];

const tokens: MeterDefinition = {
  code: 'tokens',
  name: 'Tokens',
  event_name: 'llm.tokens',
  aggregation: 'sum',
  property: 'tokens',
  filters: { env: ['prod'] },
  group_by: ['model', 'region'],
};

const meter = (definition: Partial<MeterDefinition> = {}): Meter => activeMeter({ ...tokens, ...definition });

describe('the events behind a meter usage', () => {
  const schema = uniqueName('meter_events');
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = createPool({ url: testInfra().databaseUrl, schema, applicationName: 'meter-events-test' });
    await migrate(pool, schema, migrationsDir);
    for (const event of events) {
      const tenant = event.tenant ?? acme;
      await insertUsageEvent(pool, tenant, {
        key: event.key,
        eventName: event.event ?? 'llm.tokens',
        customerId: event.customer ?? alice,
        timestamp: event.at,
        properties: event.properties,
        receivedAt: event.receivedAt ?? event.at,
      });
    }
  });
  afterAll(async () => {
    await pool.end();
    await dropSchemas(schema);
  });

  const list = (query: Partial<MeterEventsQuery> = {}, definition: Partial<MeterDefinition> = {}) =>
    listMeterEvents(pool, acme, alice, meter(definition), { meter: 'tokens', ...range, limit: 50, ...query });
  const keysOf = async (query: Partial<MeterEventsQuery> = {}, definition: Partial<MeterDefinition> = {}) =>
    (await list(query, definition)).events.map((event) => event.idempotency_key);

  it('lists exactly the events the sum counts, oldest first, with their exact values', async () => {
    const { events: listed, pagination } = await list();
    expect(listed.map((event) => [event.idempotency_key, event.value])).toEqual([
      ['a_claude', '5'],
      ['b_gpt_eu', '0.1'],
      ['c_gpt_us', '0.2'],
      ['g_late', '2.5'],
      ['h_claude_eu', '1000'],
    ]);
    expect(pagination).toEqual({ has_more: false, next_cursor: null });
    expect(listed[3]).toEqual({
      idempotency_key: 'g_late',
      event_name: 'llm.tokens',
      customer_id: alice,
      timestamp: '2026-03-01T12:00:00.000Z',
      received_at: '2026-03-03T08:00:00.000Z',
      properties: { tokens: 2.5, model: 'gpt-4', region: 'eu', env: 'prod' },
      value: '2.5',
    });
    // The same events the usage is computed from: 5 + 0.1 + 0.2 + 2.5 + 1000 = 1007.8
    const usage = await customerMeterUsage(pool, acme, alice, meter(), { meter: 'tokens', ...range });
    expect(usage.total).toBe('1007.8');
  });

  it('lists every event of the name and filters for a count, with no value', async () => {
    const listed = await list({}, { aggregation: 'count', property: null });
    expect(listed.events.map((event) => [event.idempotency_key, event.value])).toEqual([
      ['a_claude', null],
      ['b_gpt_eu', null],
      ['c_gpt_us', null],
      ['d_text', null],
      ['e_missing', null],
      ['g_late', null],
      ['h_claude_eu', null],
    ]);
  });

  it('lists every event with the property for a unique count, whatever its type', async () => {
    expect(await keysOf({}, { aggregation: 'unique_count' })).toEqual([
      'a_claude',
      'b_gpt_eu',
      'c_gpt_us',
      'd_text',
      'g_late',
      'h_claude_eu',
    ]);
    const text = (await list({}, { aggregation: 'unique_count' })).events.find((e) => e.idempotency_key === 'd_text');
    expect(text?.value).toBe('lots');
  });

  it('pages through the events with a cursor, across a tie on timestamp', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    const pages: boolean[] = [];
    do {
      const page = await list({ limit: 2, cursor });
      seen.push(...page.events.map((event) => event.idempotency_key));
      pages.push(page.pagination.has_more);
      cursor = page.pagination.next_cursor ?? undefined;
    } while (cursor);
    expect(pages).toEqual([true, true, false]);
    expect(seen).toEqual(['a_claude', 'b_gpt_eu', 'c_gpt_us', 'g_late', 'h_claude_eu']);
    await expect(list({ cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR', param: 'cursor' });
  });

  it('narrows to one group, where null means the event lacks the property', async () => {
    expect(await keysOf({ group: { model: 'gpt-4' } })).toEqual(['b_gpt_eu', 'c_gpt_us', 'g_late']);
    expect(await keysOf({ group: { model: 'claude', region: null } })).toEqual(['a_claude']);
    expect(await keysOf({ group: { region: 'eu' } })).toEqual(['b_gpt_eu', 'g_late', 'h_claude_eu']);
    expect(await keysOf({ group: { model: 'llama' } })).toEqual([]);
  });

  it('refuses a group on a property the meter does not group by', async () => {
    await expect(list({ group: { env: 'prod' } })).rejects.toMatchObject({ code: 'VALIDATION_ERROR', param: 'group' });
  });

  it('honours the received window', async () => {
    expect(await keysOf({ received_through: '2026-03-01T13:00:00Z' })).toEqual([
      'a_claude',
      'b_gpt_eu',
      'c_gpt_us',
      'h_claude_eu',
    ]);
    expect(await keysOf({ received_after: '2026-03-01T12:59:59Z' })).toEqual(['g_late']);
    expect(await keysOf({ received_through: '2026-03-01T10:00:00Z' })).toEqual(['a_claude', 'b_gpt_eu']);
  });
});

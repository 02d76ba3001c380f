import type { Meter, MeterDefinition, MeterUsageQuery } from '@afternoon/contracts/meters';
import { createPool, migrate, newResourceId, type Tenant } from '@afternoon/service-kit';
import { dropSchemas, testInfra, uniqueName } from '@afternoon/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeMeter, insertUsageEvent } from '../../../test/storedRows';
import { migrationsDir } from '../../app';
import { customerMeterUsage } from '.';
import { meterTopCustomers } from './topCustomers';

const acme: Tenant = { organizationId: 'org_acme', mode: 'live' };
const globex: Tenant = { organizationId: 'org_globex', mode: 'live' };
const alice = newResourceId();
const bob = newResourceId();
const carol = newResourceId();

interface StoredUsage {
  tenant?: Tenant;
  customer?: string;
  event?: string;
  at: string;
  properties: Record<string, string | number | boolean>;
  receivedAt?: string;
}

// Alice's `llm.tokens` events on 2026-03-01, by hour: 10h 0.1 + 0.2 (gpt-4), 11h 5 (claude) plus one non-numeric
// and one without tokens, 12h 2.5 (gpt-4, arrived two days late). Around them: another event name, another
// customer, another organization, and the next day, none of which a query for Alice on 03-01 10h–13h may count.
const events: StoredUsage[] = [
  { at: '2026-03-01T10:05:00Z', properties: { tokens: 0.1, model: 'gpt-4', region: 'eu' } },
  { at: '2026-03-01T10:40:00Z', properties: { tokens: 0.2, model: 'gpt-4', region: 'us' } },
  { at: '2026-03-01T11:15:00Z', properties: { tokens: 5, model: 'claude', region: 'eu' } },
  { at: '2026-03-01T11:20:00Z', properties: { tokens: 'lots', model: 'claude', region: 'eu' } },
  { at: '2026-03-01T11:30:00Z', properties: { model: 'gpt-4', region: 'eu' } },
  {
    at: '2026-03-01T12:00:00Z',
    properties: { tokens: 2.5, model: 'gpt-4', region: 'eu' },
    receivedAt: '2026-03-03T08:00:00Z',
  },
  { at: '2026-03-02T09:00:00Z', properties: { tokens: 1, model: 'gpt-4', region: 'eu' } },
  { at: '2026-03-01T10:10:00Z', event: 'api.request', properties: { tokens: 100 } },
  { at: '2026-03-01T10:30:00Z', customer: bob, properties: { tokens: 7, model: 'gpt-4', region: 'eu' } },
  { at: '2026-03-01T10:30:00Z', tenant: globex, properties: { tokens: 1000, model: 'gpt-4', region: 'eu' } },
  // Carol: a mean that is no finite decimal, and two events at the same instant for `latest`.
  { at: '2026-03-01T10:00:00Z', customer: carol, properties: { tokens: 1 } },
  { at: '2026-03-01T10:01:00Z', customer: carol, properties: { tokens: 0 } },
  { at: '2026-03-01T10:02:00Z', customer: carol, properties: { tokens: 0 }, receivedAt: '2026-03-01T10:02:01Z' },
  { at: '2026-03-01T10:02:00Z', customer: carol, properties: { tokens: 3 }, receivedAt: '2026-03-01T10:02:05Z' },
];

const day = { from: '2026-03-01T10:00:00Z', to: '2026-03-01T13:00:00Z' };

const meter = (definition: Partial<MeterDefinition>): Meter =>
  activeMeter({
    code: 'tokens',
    name: 'Tokens',
    event_name: 'llm.tokens',
    aggregation: 'sum',
    property: 'tokens',
    filters: {},
    group_by: ['model', 'region'],
    ...definition,
  });

describe('usage of a meter, from the stored events', () => {
  const schema = uniqueName('meter_usage');
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = createPool({ url: testInfra().databaseUrl, schema, applicationName: 'meter-usage-test' });
    await migrate(pool, schema, migrationsDir);
    for (const [index, event] of events.entries()) {
      const tenant = event.tenant ?? acme;
      await insertUsageEvent(pool, tenant, {
        key: `evt_${index}`,
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

  const usageOf = (definition: Partial<MeterDefinition>, query: Partial<MeterUsageQuery> = {}, customer = alice) =>
    customerMeterUsage(pool, acme, customer, meter(definition), { meter: 'tokens', ...day, ...query });

  it('sums exactly, leaving out and counting events without a numeric property', async () => {
    const usage = await usageOf({ aggregation: 'sum' });
    // 0.1 + 0.2 + 5 + 2.5 = 7.8 ('lots' is not numeric, one event has no tokens)
    expect(usage.total).toBe('7.8');
    expect(usage.excluded_events).toEqual({ missing_property: 1, not_numeric: 1 });
    expect(usage.windows).toEqual([
      { start: '2026-03-01T10:00:00.000Z', end: '2026-03-01T13:00:00.000Z', value: '7.8' },
    ]);
  });

  it('sums 0.1 + 0.2 to exactly 0.3', async () => {
    const usage = await usageOf({ aggregation: 'sum' }, { to: '2026-03-01T11:00:00Z' });
    expect(usage.total).toBe('0.3');
  });

  it('counts every event of the meter, with no property needed', async () => {
    // The six events of 03-01 10h–13h, whatever their properties.
    expect((await usageOf({ aggregation: 'count', property: null })).total).toBe('6');
  });

  it('takes the min, max, average and latest of the numeric values', async () => {
    expect((await usageOf({ aggregation: 'min' })).total).toBe('0.1');
    expect((await usageOf({ aggregation: 'max' })).total).toBe('5');
    // (0.1 + 0.2 + 5 + 2.5) / 4 = 1.95
    expect((await usageOf({ aggregation: 'avg' })).total).toBe('1.95');
    // The newest by timestamp is the 12:00 event, although it arrived last.
    expect((await usageOf({ aggregation: 'latest' })).total).toBe('2.5');
  });

  it('rounds a mean half away from zero at 12 decimal places', async () => {
    // Carol: (1 + 0 + 0 + 3) / 4 = 1; before 10:02: (1 + 0) / 2 = 0.5
    expect((await usageOf({ aggregation: 'avg' }, {}, carol)).total).toBe('1');
    const half = await usageOf({ aggregation: 'avg' }, { to: '2026-03-01T10:02:00Z' }, carol);
    expect(half.total).toBe('0.5');
    // Only the values 0 and 1: 10:00 (1), 10:01 (0), 10:02 (0).
    const thirds = await customerMeterUsage(
      pool,
      acme,
      carol,
      meter({ aggregation: 'avg', filters: { tokens: [0, 1] } }),
      {
        meter: 'tokens',
        ...day,
      },
    );
    // (1 + 0 + 0) / 3 = 0.333333333333 (12 places)
    expect(thirds.total).toBe('0.333333333333');
  });

  it('breaks a tie on timestamp for latest by the later arrival', async () => {
    // Two events at 10:02; the one received at 10:02:05 holds 3.
    expect((await usageOf({ aggregation: 'latest' }, {}, carol)).total).toBe('3');
  });

  it('counts distinct values of any type', async () => {
    // models among the six events: gpt-4, claude
    expect((await usageOf({ aggregation: 'unique_count', property: 'model' })).total).toBe('2');
    // tokens values: 0.1, 0.2, 5, 'lots', 2.5 (one event has none)
    const distinctTokens = await usageOf({ aggregation: 'unique_count' });
    expect(distinctTokens.total).toBe('5');
    expect(distinctTokens.excluded_events).toEqual({ missing_property: 1, not_numeric: 0 });
  });

  it('applies every filter', async () => {
    // region eu: 0.1 + 5 + 2.5 = 7.6
    expect((await usageOf({ filters: { region: ['eu'] } })).total).toBe('7.6');
    // region eu and model gpt-4: 0.1 + 2.5 = 2.6
    expect((await usageOf({ filters: { region: ['eu'], model: ['gpt-4'] } })).total).toBe('2.6');
    // a value nobody sent: nothing, and a sum of nothing is zero
    expect((await usageOf({ filters: { region: ['ap'] } })).total).toBe('0');
    expect((await usageOf({ aggregation: 'max', filters: { region: ['ap'] } })).total).toBeNull();
  });

  it('splits by hour, including the hours without usage', async () => {
    const usage = await usageOf({ aggregation: 'sum' }, { window: 'hour', to: '2026-03-01T14:00:00Z' });
    expect(usage.windows.map(({ start, value }) => [start.slice(11, 16), value])).toEqual([
      ['10:00', '0.3'],
      ['11:00', '5'],
      ['12:00', '2.5'],
      ['13:00', '0'],
    ]);
    expect(usage.total).toBe('7.8');
  });

  it('splits by UTC minute, day and month, each window starting on its calendar boundary', async () => {
    const carols = (query: Partial<MeterUsageQuery>) => usageOf({ aggregation: 'sum' }, query, carol);
    const minutes = await carols({ window: 'minute', from: '2026-03-01T10:00:30Z', to: '2026-03-01T10:03:00Z' });
    expect(minutes.windows).toEqual([
      { start: '2026-03-01T10:00:30.000Z', end: '2026-03-01T10:01:00.000Z', value: '0' },
      { start: '2026-03-01T10:01:00.000Z', end: '2026-03-01T10:02:00.000Z', value: '0' },
      { start: '2026-03-01T10:02:00.000Z', end: '2026-03-01T10:03:00.000Z', value: '3' },
    ]);
    // Alice's 03-01 (7.8) and 03-02 (1), from a range that starts and ends inside a day.
    const days = await usageOf(
      { aggregation: 'sum' },
      { window: 'day', from: '2026-02-28T23:00:00Z', to: '2026-03-02T09:30:00Z' },
    );
    expect(days.windows.map(({ start, value }) => [start, value])).toEqual([
      ['2026-02-28T23:00:00.000Z', '0'],
      ['2026-03-01T00:00:00.000Z', '7.8'],
      ['2026-03-02T00:00:00.000Z', '1'],
    ]);
    const months = await usageOf(
      { aggregation: 'sum' },
      { window: 'month', from: '2026-02-15T00:00:00Z', to: '2026-04-01T00:00:00Z' },
    );
    expect(months.windows.map(({ start, value }) => [start, value])).toEqual([
      ['2026-02-15T00:00:00.000Z', '0'],
      ['2026-03-01T00:00:00.000Z', '8.8'],
    ]);
  });

  it('groups by a property, alone and within windows', async () => {
    const byModel = await usageOf({ aggregation: 'sum' }, { group_by: ['model'] });
    // claude: 5; gpt-4: 0.1 + 0.2 + 2.5 = 2.8
    expect(byModel.windows[0]?.groups).toEqual([
      { key: { model: 'claude' }, value: '5' },
      { key: { model: 'gpt-4' }, value: '2.8' },
    ]);
    expect(byModel.total).toBe('7.8');

    const hourly = await usageOf({ aggregation: 'sum' }, { group_by: ['model', 'region'], window: 'hour' });
    expect(hourly.windows.map((window) => [window.start.slice(11, 16), window.value, window.groups])).toEqual([
      [
        '10:00',
        '0.3',
        [
          { key: { model: 'gpt-4', region: 'eu' }, value: '0.1' },
          { key: { model: 'gpt-4', region: 'us' }, value: '0.2' },
        ],
      ],
      ['11:00', '5', [{ key: { model: 'claude', region: 'eu' }, value: '5' }]],
      ['12:00', '2.5', [{ key: { model: 'gpt-4', region: 'eu' }, value: '2.5' }]],
    ]);
  });

  it('keeps group values whole whatever they hold: separators, quotes, numbers, booleans, none', async () => {
    // The aggregate crosses from Postgres as one text split on U+001E and U+001F (`aggregateText.ts`).
    const initech: Tenant = { organizationId: 'org_initech', mode: 'live' };
    const models = ['a\u001fb', 'c\u001ed', 'e,f "g"\n', 42, true, 'ü😀'];
    for (const [index, model] of [...models, undefined].entries()) {
      await insertUsageEvent(pool, initech, {
        key: `evt_initech_${index}`,
        eventName: 'llm.tokens',
        customerId: alice,
        timestamp: `2026-03-01T1${index % 3}:10:00Z`,
        properties: model === undefined ? { tokens: index } : { tokens: index, model },
        receivedAt: '2026-03-01T12:30:00Z',
      });
    }
    const query = { meter: 'tokens', ...day, group_by: ['model'], window: 'hour' as const };
    const usage = await customerMeterUsage(pool, initech, alice, meter({ aggregation: 'sum' }), query);
    expect(usage.windows.map((window) => window.groups)).toEqual([
      [
        { key: { model: 'a\u001fb' }, value: '0' },
        { key: { model: 42 }, value: '3' },
        { key: { model: null }, value: '6' },
      ],
      [
        { key: { model: 'c\u001ed' }, value: '1' },
        { key: { model: true }, value: '4' },
      ],
      [
        { key: { model: 'e,f "g"\n' }, value: '2' },
        { key: { model: 'ü😀' }, value: '5' },
      ],
    ]);
    expect(usage.total).toBe('21');
  });

  it('refuses to group by a property the meter does not group by', async () => {
    await expect(usageOf({ group_by: ['model'] }, { group_by: ['region'] })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      param: 'group_by',
    });
  });

  it('ranks customers by usage, within the organization only', async () => {
    const ranking = await meterTopCustomers(pool, acme, meter({ aggregation: 'sum' }), { ...day, limit: 10 });
    // bob 7, alice 7.8, carol 1 + 0 + 0 + 3 = 4; globex's 1000 is another organization's
    expect(ranking.customers).toEqual([
      { customer_id: alice, value: '7.8' },
      { customer_id: bob, value: '7' },
      { customer_id: carol, value: '4' },
    ]);
    const top = await meterTopCustomers(pool, acme, meter({ aggregation: 'sum' }), { ...day, limit: 1 });
    expect(top.customers).toHaveLength(1);
  });
});

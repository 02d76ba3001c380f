import type { UsageRecord } from '@afternoon/contracts/usage';
import { describe, expect, it } from 'vitest';
import type { BatchMeter } from '../meters/rollups/ingestRollup';
import { decimalOf, meteredQuantities } from './meteredQuantities';

const meter = (code: string, fields: Partial<BatchMeter> = {}): BatchMeter => ({
  id: `m_${code}`,
  organization_id: 'org_a',
  mode: 'live',
  code,
  event_name: 'api.request',
  aggregation: 'count',
  property: null,
  filters: {},
  group_by: [],
  rollupCurrent: true,
  ...fields,
});

const usage = (properties: UsageRecord['properties'], fields: Partial<UsageRecord> = {}): UsageRecord => ({
  organization_id: 'org_a',
  mode: 'live',
  event_name: 'api.request',
  idempotency_key: 'k1',
  customer_id: 'cus_1',
  timestamp: '2026-01-15T10:30:00.000Z',
  properties,
  received_at: '2026-01-15T10:30:00.000Z',
  ...fields,
});

describe('what each meter takes from an event, worked out from the record', () => {
  it('prints a stored number as Postgres prints it as numeric (checked with psql)', () => {
    // SELECT ('{"v":1.5e-7}'::jsonb->'v')::numeric::text → 0.00000015, and so on for each.
    expect(decimalOf(1.5e-7)).toBe('0.00000015');
    expect(decimalOf(-2.5e-8)).toBe('-0.000000025');
    expect(decimalOf(1.2345e25)).toBe('12345000000000000000000000');
    expect(decimalOf(1e21)).toBe('1000000000000000000000');
    expect(decimalOf(123.456)).toBe('123.456');
    expect(decimalOf(-0)).toBe('0');
    expect(decimalOf(0.1 + 0.2)).toBe('0.30000000000000004');
  });

  it('takes 1 for count, the exact value for sum, and nothing for the aggregations that do not add up', () => {
    const meters = [
      meter('calls'),
      meter('latency', { aggregation: 'max', property: 'ms' }),
      meter('tokens', { aggregation: 'sum', property: 'tokens' }),
    ];
    expect(meteredQuantities(meters, usage({ tokens: 2.5e-7, ms: 30 }))).toEqual([
      { meter_code: 'calls', aggregation: 'count', quantity: '1', group: null },
      { meter_code: 'latency', aggregation: 'max', quantity: null, group: null },
      { meter_code: 'tokens', aggregation: 'sum', quantity: '0.00000025', group: null },
    ]);
    expect(meteredQuantities(meters.slice(2), usage({ tokens: '5' }))).toEqual([
      { meter_code: 'tokens', aggregation: 'sum', quantity: null, group: null },
    ]);
    expect(meteredQuantities(meters.slice(2), usage({}))[0]?.quantity).toBeNull();
  });

  it('keeps to the meters of its tenant, mode and event name, in the order given', () => {
    const meters = [
      meter('a_other_org', { organization_id: 'org_b' }),
      meter('b_test_mode', { mode: 'test' }),
      meter('c_other_event', { event_name: 'page.view' }),
      meter('d_mine'),
      meter('e_mine'),
    ];
    expect(meteredQuantities(meters, usage({})).map((taken) => taken.meter_code)).toEqual(['d_mine', 'e_mine']);
  });

  it('passes filters as jsonb containment does: each filtered property present with an allowed value of its type', () => {
    const filtered = meter('f', { filters: { region: ['eu', 'us'], tier: [1, 2], beta: [true] } });
    const passes = (properties: UsageRecord['properties']) => meteredQuantities([filtered], usage(properties)).length;
    expect(passes({ region: 'eu', tier: 2, beta: true })).toBe(1);
    expect(passes({ region: 'apac', tier: 2, beta: true })).toBe(0);
    // '"1"'::jsonb <@ '[1]'::jsonb is false: a string is not the number.
    expect(passes({ region: 'eu', tier: '1', beta: true })).toBe(0);
    expect(passes({ region: 'eu', tier: 1 })).toBe(0);
    expect(passes({ region: 'eu', tier: 1, beta: 'true' })).toBe(0);
  });

  it("groups by the meter's properties in order, null for one the event lacks", () => {
    const grouped = meter('g', { group_by: ['model', 'region'] });
    expect(meteredQuantities([grouped], usage({ region: 'eu', other: 1 }))[0]?.group).toEqual({
      model: null,
      region: 'eu',
    });
  });
});

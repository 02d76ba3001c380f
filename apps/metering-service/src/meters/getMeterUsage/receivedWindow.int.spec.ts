import type { Meter, MeterUsageQuery } from '@afternoon/contracts/meters';
import { createPool, migrate, newResourceId, type Tenant } from '@afternoon/service-kit';
import { dropSchemas, testInfra, uniqueName } from '@afternoon/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeMeter, insertMeter, insertUsageEvent } from '../../../test/storedRows';
import { migrationsDir } from '../../app';
import { buildMeterRollup } from '../rollups/buildRollup';
import { customerMeterUsage } from '.';

const tenant: Tenant = { organizationId: 'org_received', mode: 'live' };
const alice = newResourceId();
const cutoff = '2026-03-02T00:00:00.000Z';

const meter: Meter = activeMeter({
  code: 'tokens',
  name: 'Tokens',
  event_name: 'llm.tokens',
  aggregation: 'sum',
  property: 'tokens',
  filters: {},
  group_by: ['model'],
});

// Alice's events on 2026-03-01 10h–13h and when each arrived, around an invoice cut off at `cutoff`.
const rolledUp = [
  { key: 'on_time', at: '2026-03-01T10:05:00Z', receivedAt: '2026-03-01T10:05:00Z', properties: { tokens: 1 } },
  { key: 'at_cutoff', at: '2026-03-01T10:30:00Z', receivedAt: cutoff, properties: { tokens: 2 } },
  {
    key: 'after_cutoff',
    at: '2026-03-01T11:00:00Z',
    receivedAt: '2026-03-02T00:00:00.001Z',
    properties: { tokens: 4 },
  },
  { key: 'late_text', at: '2026-03-01T12:00:00Z', receivedAt: '2026-03-03T00:00:00Z', properties: { tokens: 'n/a' } },
  { key: 'no_tokens', at: '2026-03-01T12:10:00Z', receivedAt: '2026-03-01T12:10:00Z', properties: {} },
];
// Stored after the rollup was built and never added to it: only an answer from the raw events counts it.
const unrolled = {
  key: 'raw_only',
  at: '2026-03-01T12:30:00Z',
  receivedAt: '2026-03-01T12:30:00Z',
  properties: { tokens: 8 },
};

describe('usage of a meter within a received window', () => {
  const schema = uniqueName('received_window');
  let pool: pg.Pool;

  const store = (event: typeof unrolled | (typeof rolledUp)[number]) =>
    insertUsageEvent(pool, tenant, {
      key: event.key,
      eventName: 'llm.tokens',
      customerId: alice,
      timestamp: event.at,
      properties: event.properties,
      receivedAt: event.receivedAt,
    });

  beforeAll(async () => {
    pool = createPool({ url: testInfra().databaseUrl, schema, applicationName: 'received-window-test' });
    await migrate(pool, schema, migrationsDir);
    await insertMeter(pool, tenant, meter);
    for (const event of rolledUp) await store(event);
    expect(await buildMeterRollup(pool, meter.id)).toBe(true);
    await store(unrolled);
  });
  afterAll(async () => {
    await pool.end();
    await dropSchemas(schema);
  });

  const usageOf = (query: Partial<MeterUsageQuery> = {}) =>
    customerMeterUsage(pool, tenant, alice, meter, {
      meter: 'tokens',
      from: '2026-03-01T10:00:00Z',
      to: '2026-03-01T13:00:00Z',
      ...query,
    });

  it('answers from the current rollup without a received window', async () => {
    // Whole hours from the rollup: 1 + 2 + 4 = 7; the raw-only 8 is not in it (the raw events would say 15).
    const usage = await usageOf();
    expect(usage.total).toBe('7');
    expect(usage.excluded_events).toEqual({ missing_property: 1, not_numeric: 1 });
  });

  it('counts events received up to and including received_through, from the raw events', async () => {
    const usage = await usageOf({ received_through: cutoff });
    // on_time 1 + at_cutoff 2 + raw_only 8 = 11; after_cutoff (1 ms late) and late_text are left to the next bill.
    expect(usage.total).toBe('11');
    expect(usage.excluded_events).toEqual({ missing_property: 1, not_numeric: 0 });
  });

  it('counts only events received after received_after', async () => {
    const usage = await usageOf({ received_after: cutoff });
    // after_cutoff 4; at_cutoff, received exactly at received_after, was billed before.
    expect(usage.total).toBe('4');
    expect(usage.excluded_events).toEqual({ missing_property: 0, not_numeric: 1 });
  });

  it('bounds both ends at once', async () => {
    const usage = await usageOf({ received_after: '2026-03-01T10:05:00Z', received_through: cutoff });
    // at_cutoff 2 + raw_only 8 = 10; on_time arrived exactly at received_after.
    expect(usage.total).toBe('10');
    expect(usage.excluded_events).toEqual({ missing_property: 1, not_numeric: 0 });
  });

  it('keeps windows and groups within the received window', async () => {
    const usage = await usageOf({ received_through: cutoff, window: 'hour', group_by: ['model'] });
    // 10h: 1 + 2 = 3; 11h: after_cutoff is out, so 0; 12h: raw_only 8. No event has a model.
    expect(usage.windows.map(({ start, value, groups }) => [start.slice(11, 16), value, groups])).toEqual([
      ['10:00', '3', [{ key: { model: null }, value: '3' }]],
      ['11:00', '0', []],
      ['12:00', '8', [{ key: { model: null }, value: '8' }]],
    ]);
    expect(usage.total).toBe('11');
  });
});

import { type MeteredEvent, maxMeteredEventsPerRecord } from '@afternoon/contracts/meteredUsage';
import { describe, expect, it } from 'vitest';
import { cutIntoRecords, maxMeteredRecordBytes } from './meteredUsage';

const event = (index: number, groupText = ''): MeteredEvent => ({
  usage_id: `u${String(index).padStart(24, '0')}`,
  idempotency_key: `k${index}`,
  event_name: 'api.request',
  timestamp: '2026-01-15T10:30:00.000Z',
  received_at: '2026-01-15T10:30:01.000Z',
  meters: [{ meter_code: 'tokens', aggregation: 'sum', quantity: '1', group: groupText ? { model: groupText } : null }],
});

describe("cutting a customer's stored events into usage.metered records", () => {
  it('keeps the order and puts at most 200 events in a record', () => {
    const events = Array.from({ length: 450 }, (_, index) => event(index));
    const cut = cutIntoRecords(events);
    // 450 = 200 + 200 + 50
    expect(cut.map((chunk) => chunk.length)).toEqual([maxMeteredEventsPerRecord, maxMeteredEventsPerRecord, 50]);
    expect(cut.flat()).toEqual(events);
  });

  it('starts a new record before the bytes would pass the bound, and gives an event heavier than it a record alone', () => {
    // Each event carries ~100 KB of group values: two fit under 256 KiB, a third would not.
    const heavy = Array.from({ length: 5 }, (_, index) => event(index, 'x'.repeat(100_000)));
    expect(cutIntoRecords(heavy).map((chunk) => chunk.length)).toEqual([2, 2, 1]);
    const huge = event(9, 'y'.repeat(maxMeteredRecordBytes));
    expect(
      cutIntoRecords([event(1), huge, event(2)]).map((chunk) => chunk.map((each) => each.idempotency_key)),
    ).toEqual([['k1'], ['k9'], ['k2']]);
  });

  it('cuts nothing out of nothing', () => {
    expect(cutIntoRecords([])).toEqual([]);
  });
});

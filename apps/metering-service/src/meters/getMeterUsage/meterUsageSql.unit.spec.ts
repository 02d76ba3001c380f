import { describe, expect, it } from 'vitest';
import type { UsageScope } from '../countedEvents';
import { partRanges } from './meterUsageSql';

const tenant = { organizationId: 'org_1', mode: 'test' } as const;
const scope = (from: string, to: string, received: Partial<UsageScope> = {}): UsageScope => ({
  tenant,
  from: new Date(from),
  to: new Date(to),
  ...received,
});
const iso = (ranges: ReturnType<typeof partRanges>) => ({
  raw: ranges.raw.map(([from, to]) => [from.toISOString(), to.toISOString()]),
  rollup: ranges.rollup?.map((instant) => instant.toISOString()),
});

describe('partRanges', () => {
  it('reads the partial hours at both edges raw and the whole hours between them from the rollup', () => {
    expect(iso(partRanges(scope('2026-10-01T10:30:00Z', '2026-10-01T13:15:00Z'), true))).toEqual({
      raw: [
        ['2026-10-01T10:30:00.000Z', '2026-10-01T11:00:00.000Z'],
        ['2026-10-01T13:00:00.000Z', '2026-10-01T13:15:00.000Z'],
      ],
      rollup: ['2026-10-01T11:00:00.000Z', '2026-10-01T13:00:00.000Z'],
    });
  });

  it('leaves out an edge with nothing in it: a range on the hour is the rollup alone', () => {
    expect(iso(partRanges(scope('2026-10-01T00:00:00Z', '2026-11-01T00:00:00Z'), true))).toEqual({
      raw: [],
      rollup: ['2026-10-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z'],
    });
    expect(iso(partRanges(scope('2026-10-01T00:00:00Z', '2026-10-01T05:00:00.001Z'), true))).toEqual({
      raw: [['2026-10-01T05:00:00.000Z', '2026-10-01T05:00:00.001Z']],
      rollup: ['2026-10-01T00:00:00.000Z', '2026-10-01T05:00:00.000Z'],
    });
  });

  it('reads everything raw without a current rollup, with a received window, or without a whole hour', () => {
    const raw = { raw: [['2026-10-01T00:00:00.000Z', '2026-10-02T00:00:00.000Z']], rollup: undefined };
    expect(iso(partRanges(scope('2026-10-01T00:00:00Z', '2026-10-02T00:00:00Z'), false))).toEqual(raw);
    const received = { receivedThrough: new Date('2026-10-03T00:00:00Z') };
    expect(iso(partRanges(scope('2026-10-01T00:00:00Z', '2026-10-02T00:00:00Z', received), true))).toEqual(raw);
    expect(iso(partRanges(scope('2026-10-01T10:05:00Z', '2026-10-01T10:55:00Z'), true))).toEqual({
      raw: [['2026-10-01T10:05:00.000Z', '2026-10-01T10:55:00.000Z']],
      rollup: undefined,
    });
  });
});

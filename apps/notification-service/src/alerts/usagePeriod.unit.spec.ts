import type { SubscriptionSchedule } from '@afternoon/billing-core/billingBoundaries';
import { describe, expect, it } from 'vitest';
import { usagePeriod } from './usagePeriod';

const monthly: SubscriptionSchedule = {
  interval: 'month',
  anchorDay: 15,
  startDate: '2026-01-15T00:00:00.000Z',
  scheduleStart: '2026-01-15T00:00:00.000Z',
  bridgeStart: null,
  cancelAt: null,
  canceledAt: null,
};

const iso = (period: { start: Date | null; end: Date | null }) => [
  period.start?.toISOString(),
  period.end?.toISOString(),
];

describe('the period an alert counts usage over', () => {
  it('is the subscription period holding the instant', () => {
    expect(iso(usagePeriod('billing_period', [monthly], new Date('2026-03-20T12:00:00Z')))).toEqual([
      '2026-03-15T00:00:00.000Z',
      '2026-04-15T00:00:00.000Z',
    ]);
  });

  it('starts at a period boundary exactly', () => {
    expect(iso(usagePeriod('billing_period', [monthly], new Date('2026-02-15T00:00:00Z')))[0]).toBe(
      '2026-02-15T00:00:00.000Z',
    );
  });

  it('is the UTC calendar month without a subscription running then', () => {
    const canceled = { ...monthly, canceledAt: '2026-02-01T00:00:00.000Z' };
    for (const subscriptions of [[], [canceled]])
      expect(iso(usagePeriod('billing_period', subscriptions, new Date('2026-03-20T12:00:00Z')))).toEqual([
        '2026-03-01T00:00:00.000Z',
        '2026-04-01T00:00:00.000Z',
      ]);
  });

  it('ends at a cancellation within the period', () => {
    const canceling = { ...monthly, cancelAt: '2026-03-20T00:00:00.000Z' };
    expect(iso(usagePeriod('billing_period', [canceling], new Date('2026-03-16T00:00:00Z')))).toEqual([
      '2026-03-15T00:00:00.000Z',
      '2026-03-20T00:00:00.000Z',
    ]);
  });

  it('is one period, without start or end, for lifetime', () => {
    expect(usagePeriod('lifetime', [monthly], new Date('2026-03-20T12:00:00Z'))).toEqual({ start: null, end: null });
  });
});

import { describe, expect, it } from 'vitest';
import { billedSpanStart } from './billedSpan';
import type { SubscriptionSchedule } from './billingBoundaries';

const monthly = (
  startDate: string,
  anchorDay: number,
  end: Partial<SubscriptionSchedule> = {},
): SubscriptionSchedule => ({
  interval: 'month',
  anchorDay,
  startDate,
  scheduleStart: startDate,
  bridgeStart: null,
  cancelAt: null,
  canceledAt: null,
  ...end,
});
const at = (instant: string) => new Date(instant);
const startOf = (subscription: SubscriptionSchedule, instant: string) =>
  billedSpanStart(subscription, at(instant))?.toISOString() ?? null;

describe('the billed span a usage event is rated in', () => {
  it('is the period holding the event, from the subscription start on', () => {
    const subscription = monthly('2026-01-15T00:00:00.000Z', 15);
    expect(startOf(subscription, '2026-01-15T00:00:00.000Z')).toBe('2026-01-15T00:00:00.000Z');
    expect(startOf(subscription, '2026-02-14T23:59:59.999Z')).toBe('2026-01-15T00:00:00.000Z');
    expect(startOf(subscription, '2026-02-15T00:00:00.000Z')).toBe('2026-02-15T00:00:00.000Z');
    expect(startOf(subscription, '2027-07-20T00:00:00.000Z')).toBe('2027-07-15T00:00:00.000Z');
  });

  it('starts at the subscription start for a first period shorter than a month', () => {
    // Started on the 10th, anchored on the 1st: boundaries 10 Jan, 1 Feb, 1 Mar.
    const subscription = monthly('2026-01-10T00:00:00.000Z', 1);
    expect(startOf(subscription, '2026-01-20T00:00:00.000Z')).toBe('2026-01-10T00:00:00.000Z');
    expect(startOf(subscription, '2026-02-10T00:00:00.000Z')).toBe('2026-02-01T00:00:00.000Z');
  });

  it('is none before the start or from the end on, and the span cut short by a cancellation before it', () => {
    const canceled = monthly('2026-01-15T00:00:00.000Z', 15, { canceledAt: '2026-03-01T00:00:00.000Z' });
    expect(startOf(canceled, '2026-01-14T23:59:59.999Z')).toBeNull();
    expect(startOf(canceled, '2026-02-28T00:00:00.000Z')).toBe('2026-02-15T00:00:00.000Z');
    expect(startOf(canceled, '2026-03-01T00:00:00.000Z')).toBeNull();
    const ending = monthly('2026-01-15T00:00:00.000Z', 15, { cancelAt: '2026-02-15T00:00:00.000Z' });
    expect(startOf(ending, '2026-02-15T00:00:00.000Z')).toBeNull();
  });

  it('follows a schedule moved by a renewal date set by hand', () => {
    // Periods from 15 Jan; on 20 Jan the renewal was moved to 1 Feb, from which periods run on the 1st.
    const moved = monthly('2026-01-15T00:00:00.000Z', 1, {
      scheduleStart: '2026-02-01T00:00:00.000Z',
      bridgeStart: '2026-01-15T00:00:00.000Z',
    });
    expect(startOf(moved, '2026-01-25T00:00:00.000Z')).toBe('2026-01-15T00:00:00.000Z');
    expect(startOf(moved, '2026-03-05T00:00:00.000Z')).toBe('2026-03-01T00:00:00.000Z');
  });
});

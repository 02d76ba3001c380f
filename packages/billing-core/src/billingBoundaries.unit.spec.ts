import { describe, expect, it } from 'vitest';
import { boundaryBilling, nextBoundary, type SubscriptionSchedule, spanPaidInAdvance } from './billingBoundaries';

const subscription = (overrides: Partial<SubscriptionSchedule> = {}): SubscriptionSchedule => ({
  interval: 'month',
  anchorDay: 1,
  startDate: '2027-01-15T00:00:00.000Z',
  scheduleStart: '2027-01-15T00:00:00.000Z',
  bridgeStart: null,
  cancelAt: null,
  canceledAt: null,
  ...overrides,
});

const iso = (date: Date | null | undefined) => date?.toISOString() ?? null;

function boundaries(record: SubscriptionSchedule, count: number): (string | null)[] {
  const found: (string | null)[] = [];
  let at: Date | null = null;
  for (let i = 0; i < count; i++) {
    at = nextBoundary(record, at);
    found.push(iso(at));
    if (!at) break;
  }
  return found;
}

describe('subscription billing boundaries', () => {
  it('starts at the start date, then turns on each anchor date', () => {
    expect(boundaries(subscription(), 4)).toEqual([
      '2027-01-15T00:00:00.000Z',
      '2027-02-01T00:00:00.000Z',
      '2027-03-01T00:00:00.000Z',
      '2027-04-01T00:00:00.000Z',
    ]);
  });

  it('ends at a cancellation within a period, and has nothing after it', () => {
    const canceled = subscription({ canceledAt: '2027-02-10T12:00:00.000Z' });
    expect(boundaries(canceled, 5)).toEqual([
      '2027-01-15T00:00:00.000Z',
      '2027-02-01T00:00:00.000Z',
      '2027-02-10T12:00:00.000Z',
      null,
    ]);
  });

  it('bills the first short period as a slice of a whole one, and a cancellation as the end', () => {
    const record = subscription({ cancelAt: '2027-03-01T00:00:00.000Z' });
    const start = boundaryBilling(record, null, new Date('2027-01-15T00:00:00Z'));
    expect(start.reason).toBe('subscription_start');
    expect(start.ended).toBeNull();
    expect([iso(start.starting?.start), iso(start.starting?.end), iso(start.starting?.whole.start)]).toEqual([
      '2027-01-15T00:00:00.000Z',
      '2027-02-01T00:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
    ]);
    const cycle = boundaryBilling(record, new Date('2027-01-15T00:00:00Z'), new Date('2027-02-01T00:00:00Z'));
    expect(cycle.reason).toBe('subscription_cycle');
    expect([iso(cycle.starting?.start), iso(cycle.starting?.end)]).toEqual([
      '2027-02-01T00:00:00.000Z',
      '2027-03-01T00:00:00.000Z',
    ]);
    const end = boundaryBilling(record, new Date('2027-02-01T00:00:00Z'), new Date('2027-03-01T00:00:00Z'));
    expect(end.reason).toBe('subscription_end');
    expect(end.starting).toBeNull();
    expect([iso(end.ended?.start), iso(end.ended?.whole.start)]).toEqual([
      '2027-02-01T00:00:00.000Z',
      '2027-02-01T00:00:00.000Z',
    ]);
  });

  it('knows what the boundary before a cancellation paid in advance for', () => {
    const canceled = subscription({ canceledAt: '2027-02-10T00:00:00.000Z' });
    const paid = spanPaidInAdvance(canceled, new Date('2027-02-01T00:00:00Z'), new Date('2027-02-10T00:00:00Z'));
    expect([iso(paid?.start), iso(paid?.end)]).toEqual(['2027-02-01T00:00:00.000Z', '2027-03-01T00:00:00.000Z']);
    const onBoundary = subscription({ canceledAt: '2027-03-01T00:00:00.000Z' });
    expect(
      spanPaidInAdvance(onBoundary, new Date('2027-02-01T00:00:00Z'), new Date('2027-03-01T00:00:00Z')),
    ).toBeNull();
  });

  it('after a new anchor day, bills up to where the new schedule starts, then by it', () => {
    const rescheduled = subscription({
      startDate: '2027-01-01T00:00:00.000Z',
      scheduleStart: '2027-03-01T00:00:00.000Z',
      anchorDay: 15,
    });
    expect(boundaries(rescheduled, 5)).toEqual([
      '2027-01-01T00:00:00.000Z',
      '2027-03-01T00:00:00.000Z',
      '2027-03-15T00:00:00.000Z',
      '2027-04-15T00:00:00.000Z',
      '2027-05-15T00:00:00.000Z',
    ]);
  });

  it('bills a period ended by hand on its renewal date whole, then turns on the anchor again', () => {
    const renewed = subscription({
      startDate: '2027-01-01T00:00:00.000Z',
      scheduleStart: '2027-02-15T00:00:00.000Z',
      bridgeStart: '2027-01-01T00:00:00.000Z',
    });
    expect(boundaries(renewed, 4)).toEqual([
      '2027-01-01T00:00:00.000Z',
      '2027-02-15T00:00:00.000Z',
      '2027-03-01T00:00:00.000Z',
      '2027-04-01T00:00:00.000Z',
    ]);
    const extended = boundaryBilling(renewed, new Date('2027-01-01T00:00:00Z'), new Date('2027-02-15T00:00:00Z'));
    // Six weeks, billed as one whole period: nothing to prorate against.
    expect([iso(extended.ended?.whole.start), iso(extended.ended?.whole.end)]).toEqual([
      '2027-01-01T00:00:00.000Z',
      '2027-02-15T00:00:00.000Z',
    ]);
    // From the renewal to the next anchor date: a slice of February.
    expect([iso(extended.starting?.end), iso(extended.starting?.whole.start)]).toEqual([
      '2027-03-01T00:00:00.000Z',
      '2027-02-01T00:00:00.000Z',
    ]);
  });

  it('bills the period in progress up to where a renewal set by hand took it over', () => {
    const renewed = subscription({
      startDate: '2026-11-01T00:00:00.000Z',
      scheduleStart: '2027-02-15T00:00:00.000Z',
      bridgeStart: '2027-01-01T00:00:00.000Z',
    });
    expect(nextBoundary(renewed, new Date('2026-12-01T00:00:00Z'))?.toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });
});

import type { PlanInterval } from '@afternoon/contracts/plans';
import { describe, expect, it } from 'vitest';
import { type BillingSchedule, billingSchedule, firstPeriod, periodAfter, periodContaining } from './billingPeriods';

/** The first `count` period ends, as ISO strings. */
function periodEnds(schedule: BillingSchedule, count: number): string[] {
  const ends: string[] = [];
  let period = firstPeriod(schedule);
  for (let index = 0; index < count; index++) {
    ends.push(period.end.toISOString());
    period = periodAfter(schedule, period);
  }
  return ends;
}
const ends = (start: string, interval: PlanInterval, count: number, anchorDay?: number) =>
  periodEnds(billingSchedule(new Date(start), interval, anchorDay), count);

describe('monthly periods', () => {
  it('fall on the last day of shorter months and return to the anchor day after, never drifting', () => {
    expect(ends('2026-01-31T10:00:00Z', 'month', 6)).toEqual([
      '2026-02-28T10:00:00.000Z',
      '2026-03-31T10:00:00.000Z',
      '2026-04-30T10:00:00.000Z',
      '2026-05-31T10:00:00.000Z',
      '2026-06-30T10:00:00.000Z',
      '2026-07-31T10:00:00.000Z',
    ]);
  });

  it('take 29 February in leap years, 2000 and 2028, but not in 2100', () => {
    expect(ends('2028-01-31T00:00:00Z', 'month', 2)).toEqual(['2028-02-29T00:00:00.000Z', '2028-03-31T00:00:00.000Z']);
    expect(ends('2000-01-30T00:00:00Z', 'month', 2)).toEqual(['2000-02-29T00:00:00.000Z', '2000-03-30T00:00:00.000Z']);
    expect(ends('2100-01-29T00:00:00Z', 'month', 2)).toEqual(['2100-02-28T00:00:00.000Z', '2100-03-29T00:00:00.000Z']);
  });

  it('keep anchors 29 and 30 through February', () => {
    expect(ends('2027-01-29T00:00:00Z', 'month', 2)).toEqual(['2027-02-28T00:00:00.000Z', '2027-03-29T00:00:00.000Z']);
    expect(ends('2026-01-30T00:00:00Z', 'month', 2)).toEqual(['2026-02-28T00:00:00.000Z', '2026-03-30T00:00:00.000Z']);
  });

  it('run across a year end', () => {
    expect(ends('2026-12-31T23:59:59Z', 'month', 2)).toEqual(['2027-01-31T23:59:59.000Z', '2027-02-28T23:59:59.000Z']);
  });

  it('start on the anchor when it is clamped to the month end', () => {
    // anchor 31 in February 2027 is the 28th, so a start on 28 February is on the anchor: a whole month follows
    expect(ends('2027-02-28T00:00:00Z', 'month', 2, 31)).toEqual([
      '2027-03-31T00:00:00.000Z',
      '2027-04-30T00:00:00.000Z',
    ]);
    // in leap 2028 the anchor is the 29th, so a start on the 28th runs a one-day period first
    expect(ends('2028-02-28T00:00:00Z', 'month', 2, 31)).toEqual([
      '2028-02-29T00:00:00.000Z',
      '2028-03-31T00:00:00.000Z',
    ]);
  });

  it('run a shorter first period up to the anchor day when the start is off it', () => {
    expect(ends('2026-01-10T15:00:00Z', 'month', 2, 1)).toEqual([
      '2026-02-01T15:00:00.000Z',
      '2026-03-01T15:00:00.000Z',
    ]);
    expect(ends('2026-01-10T15:00:00Z', 'month', 2, 20)).toEqual([
      '2026-01-20T15:00:00.000Z',
      '2026-02-20T15:00:00.000Z',
    ]);
  });
});

describe('quarterly and yearly periods', () => {
  it('count 3 months on the anchor day from 31 January', () => {
    expect(ends('2026-01-31T00:00:00Z', 'quarter', 4)).toEqual([
      '2026-04-30T00:00:00.000Z',
      '2026-07-31T00:00:00.000Z',
      '2026-10-31T00:00:00.000Z',
      '2027-01-31T00:00:00.000Z',
    ]);
  });

  it('count 3 months from 29 February into a leap February', () => {
    expect(ends('2028-02-29T00:00:00Z', 'quarter', 4)).toEqual([
      '2028-05-29T00:00:00.000Z',
      '2028-08-29T00:00:00.000Z',
      '2028-11-29T00:00:00.000Z',
      '2029-02-28T00:00:00.000Z',
    ]);
    expect(ends('2027-11-30T00:00:00Z', 'quarter', 2)).toEqual([
      '2028-02-29T00:00:00.000Z',
      '2028-05-30T00:00:00.000Z',
    ]);
  });

  it('count 12 months, returning to 29 February in the next leap year', () => {
    expect(ends('2028-02-29T00:00:00Z', 'year', 4)).toEqual([
      '2029-02-28T00:00:00.000Z',
      '2030-02-28T00:00:00.000Z',
      '2031-02-28T00:00:00.000Z',
      '2032-02-29T00:00:00.000Z',
    ]);
    expect(ends('2026-01-31T00:00:00Z', 'year', 2)).toEqual(['2027-01-31T00:00:00.000Z', '2028-01-31T00:00:00.000Z']);
  });

  it('run a shorter first period up to the first anchor date when the start is off it', () => {
    expect(ends('2026-01-10T00:00:00Z', 'quarter', 2, 20)).toEqual([
      '2026-01-20T00:00:00.000Z',
      '2026-04-20T00:00:00.000Z',
    ]);
  });
});

describe('weekly periods', () => {
  it('run 7 days from the start across a year end, whatever the anchor day', () => {
    expect(ends('2026-12-28T09:30:00Z', 'week', 3, 1)).toEqual([
      '2027-01-04T09:30:00.000Z',
      '2027-01-11T09:30:00.000Z',
      '2027-01-18T09:30:00.000Z',
    ]);
  });
});

describe('the period containing an instant', () => {
  const schedule = billingSchedule(new Date('2026-01-31T00:00:00Z'), 'month');
  const containing = (instant: string) => {
    const period = periodContaining(schedule, new Date(instant));
    return [period.start.toISOString(), period.end.toISOString()];
  };

  it('includes its start and excludes its end', () => {
    expect(containing('2026-01-31T00:00:00Z')).toEqual(['2026-01-31T00:00:00.000Z', '2026-02-28T00:00:00.000Z']);
    expect(containing('2026-06-15T12:00:00Z')).toEqual(['2026-05-31T00:00:00.000Z', '2026-06-30T00:00:00.000Z']);
    expect(containing('2026-06-30T00:00:00Z')).toEqual(['2026-06-30T00:00:00.000Z', '2026-07-31T00:00:00.000Z']);
    expect(containing('2026-06-29T23:59:59.999Z')).toEqual(['2026-05-31T00:00:00.000Z', '2026-06-30T00:00:00.000Z']);
  });

  it('does not exist before the subscription starts', () => {
    expect(() => periodContaining(schedule, new Date('2026-01-30T23:59:59Z'))).toThrow(RangeError);
  });
});

describe('billing schedules', () => {
  it('anchor on the start date by default, and only on days 1 to 31', () => {
    expect(billingSchedule(new Date('2026-03-17T08:00:00Z'), 'month').anchorDay).toBe(17);
    for (const day of [0, 32, 1.5]) expect(() => billingSchedule(new Date(), 'month', day)).toThrow(RangeError);
  });
});

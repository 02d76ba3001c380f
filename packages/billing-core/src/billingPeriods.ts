import type { PlanInterval } from '@afternoon/contracts/plans';

/*
 * Billing periods, in UTC. A weekly plan bills every 7 days from the subscription's start. The others bill every 1, 3
 * or 12 months on the anchor day, at the start's time of day; an anchor day past a month's end falls on that month's
 * last day. The anchor day is remembered rather than carried from one period to the next, so it never drifts:
 * anchored on the 31st, periods turn on 31 Jan, 28 Feb (29 in a leap year), 31 Mar, 30 Apr, 31 May.
 */

/** What fixes a subscription's periods. */
export interface BillingSchedule {
  start: Date;
  interval: PlanInterval;
  /** 1–31, the day of the month periods turn on; weekly plans do not use it. */
  anchorDay: number;
}

/** `start` inclusive, `end` exclusive. */
export interface BillingPeriod {
  start: Date;
  end: Date;
}

const millisecondsPerWeek = 7 * 24 * 60 * 60 * 1000;
const monthsPerInterval = { month: 1, quarter: 3, year: 12 } as const;

/** A schedule anchored on `anchorDay`, by default the start date's own day. */
export function billingSchedule(start: Date, interval: PlanInterval, anchorDay = start.getUTCDate()): BillingSchedule {
  if (!Number.isInteger(anchorDay) || anchorDay < 1 || anchorDay > 31)
    throw new RangeError(`the anchor day must be an integer from 1 to 31, not ${anchorDay}`);
  if (Number.isNaN(start.getTime())) throw new RangeError('the start must be a valid date');
  return { start, interval, anchorDay };
}

/** The anchor day's date in `month` (0-based; overflow runs into later years), at `timeOf`'s time of day. */
function anchorDateIn(year: number, month: number, anchorDay: number, timeOf: Date): Date {
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(anchorDay, lastDay);
  return new Date(
    Date.UTC(
      year,
      month,
      day,
      timeOf.getUTCHours(),
      timeOf.getUTCMinutes(),
      timeOf.getUTCSeconds(),
      timeOf.getUTCMilliseconds(),
    ),
  );
}

/** Where a period that starts at `periodStart`, on the anchor, ends: one interval later. */
export function nextPeriodEnd(periodStart: Date, interval: PlanInterval, anchorDay: number): Date {
  if (interval === 'week') return new Date(periodStart.getTime() + millisecondsPerWeek);
  const months = monthsPerInterval[interval];
  return anchorDateIn(periodStart.getUTCFullYear(), periodStart.getUTCMonth() + months, anchorDay, periodStart);
}

/**
 * The subscription's first period: a whole interval when it starts on the anchor day; otherwise a shorter one, up to
 * the first anchor date after the start, whatever the interval.
 */
export function firstPeriod(schedule: BillingSchedule): BillingPeriod {
  const { start, interval, anchorDay } = schedule;
  if (interval === 'week') return { start, end: nextPeriodEnd(start, interval, anchorDay) };
  const year = start.getUTCFullYear();
  const month = start.getUTCMonth();
  const anchorThisMonth = anchorDateIn(year, month, anchorDay, start);
  if (anchorThisMonth.getUTCDate() === start.getUTCDate())
    return { start, end: nextPeriodEnd(start, interval, anchorDay) };
  const end = anchorThisMonth > start ? anchorThisMonth : anchorDateIn(year, month + 1, anchorDay, start);
  return { start, end };
}

export function periodAfter(schedule: BillingSchedule, period: BillingPeriod): BillingPeriod {
  return { start: period.end, end: nextPeriodEnd(period.end, schedule.interval, schedule.anchorDay) };
}

/** The period `instant` falls in; before the subscription's start there is none. */
export function periodContaining(schedule: BillingSchedule, instant: Date): BillingPeriod {
  if (instant < schedule.start) throw new RangeError('the instant is before the subscription starts');
  let period = firstPeriod(schedule);
  while (instant >= period.end) period = periodAfter(schedule, period);
  return period;
}

/**
 * The whole period that ends at `end`, one interval back on the anchor: what a shorter slice of it (a first period
 * that starts between anchor days, a period cut short by a cancellation) is prorated against.
 */
export function wholePeriodEndingAt(end: Date, interval: PlanInterval, anchorDay: number): BillingPeriod {
  if (interval === 'week') return { start: new Date(end.getTime() - millisecondsPerWeek), end };
  const months = monthsPerInterval[interval];
  return { start: anchorDateIn(end.getUTCFullYear(), end.getUTCMonth() - months, anchorDay, end), end };
}

import { nextBoundary, type SubscriptionSchedule, subscriptionEnd } from '@afternoon/billing-core/billingBoundaries';
import { billingSchedule, periodContaining } from '@afternoon/billing-core/billingPeriods';
import type { AlertScope } from '@afternoon/contracts/alerts';

/** The span an alert's usage is counted over; a lifetime alert's one period has neither start nor end. */
export interface UsagePeriod {
  start: Date | null;
  end: Date | null;
}

export const lifetime: UsagePeriod = { start: null, end: null };

/**
 * The period of `scope` holding `instant`: for `billing_period`, the billed span of the customer's first
 * subscription running then (as invoicing rates it), else the UTC calendar month.
 */
export function usagePeriod(
  scope: AlertScope,
  subscriptions: readonly SubscriptionSchedule[],
  instant: Date,
): UsagePeriod {
  if (scope === 'lifetime') return lifetime;
  for (const subscription of subscriptions) {
    const start = billedSpanStart(subscription, instant);
    if (start) return { start, end: nextBoundary(subscription, start) };
  }
  return calendarMonth(instant);
}

function calendarMonth(instant: Date): UsagePeriod {
  const year = instant.getUTCFullYear();
  const month = instant.getUTCMonth();
  return { start: new Date(Date.UTC(year, month, 1)), end: new Date(Date.UTC(year, month + 1, 1)) };
}

/** Where the subscription's billed span holding `instant` starts; null when it does not run then. */
function billedSpanStart(subscription: SubscriptionSchedule, instant: Date): Date | null {
  const start = new Date(subscription.startDate);
  const end = subscriptionEnd(subscription);
  if (instant < start || (end && instant >= end)) return null;
  // From the schedule's start on every boundary is a period end; before it, the few boundaries are walked.
  let boundary = start;
  const scheduleStart = new Date(subscription.scheduleStart);
  if (instant >= scheduleStart) {
    const schedule = billingSchedule(scheduleStart, subscription.interval, subscription.anchorDay);
    const periodStart = periodContaining(schedule, instant).start;
    if (periodStart > boundary) boundary = periodStart;
  }
  for (
    let next = nextBoundary(subscription, boundary);
    next && next <= instant;
    next = nextBoundary(subscription, next)
  )
    boundary = next;
  return boundary;
}

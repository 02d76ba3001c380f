import { nextBoundary, type SubscriptionSchedule, subscriptionEnd } from '@afternoon/billing-core/billingBoundaries';
import { billingSchedule, periodContaining } from '@afternoon/billing-core/billingPeriods';
import type { UsageGroupKey } from '@afternoon/contracts/meters';

/**
 * Where the billed span that holds `instant` starts (the subscription's boundary before it, the span its usage is
 * invoiced in), or null when the subscription does not run at `instant` (before its start, from its end on).
 */
export function ratingPeriodStart(subscription: SubscriptionSchedule, instant: Date): Date | null {
  const start = new Date(subscription.startDate);
  const end = subscriptionEnd(subscription);
  if (instant < start || (end && instant >= end)) return null;
  const scheduleStart = new Date(subscription.scheduleStart);
  // From the schedule's start on every boundary is a period end; before it, the few boundaries are walked.
  let boundary = start;
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

/** A group as one text whatever order its properties come in: a rating key's `group_key`. */
export function groupKeyOf(group: UsageGroupKey | null): string | null {
  if (group === null) return null;
  const sorted = Object.keys(group)
    .sort()
    .map((property) => [property, group[property]]);
  return JSON.stringify(Object.fromEntries(sorted));
}

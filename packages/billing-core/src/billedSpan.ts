import { nextBoundary, type SubscriptionSchedule, subscriptionEnd } from './billingBoundaries';
import { billingSchedule, periodContaining } from './billingPeriods';

/**
 * Where the billed span that holds `instant` starts (the subscription's boundary before it, the span its usage is
 * invoiced in, rated in and counted in by alerts), or null when the subscription does not run at `instant` (before
 * its start, from its end on).
 */
export function billedSpanStart(subscription: SubscriptionSchedule, instant: Date): Date | null {
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

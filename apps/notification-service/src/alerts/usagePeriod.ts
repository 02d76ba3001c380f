import { billedSpanStart } from '@afternoon/billing-core/billedSpan';
import { nextBoundary, type SubscriptionSchedule } from '@afternoon/billing-core/billingBoundaries';
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

import type { BillingReason } from '@afternoon/contracts/invoices';
import type { PlanInterval } from '@afternoon/contracts/plans';
import {
  type BillingPeriod,
  type BillingSchedule,
  billingSchedule,
  periodContaining,
  wholePeriodEndingAt,
} from './billingPeriods';

/*
 * A subscription is billed at its boundaries: its start, every period end after it, and its end (a cancellation).
 * The invoice at a boundary bills the span that ends there (in-arrears fees and usage) and the span that starts
 * there (in-advance fees). Spans shorter than a whole period (a start between anchor days, a cancellation within a
 * period) bill their flat fees prorated by the second against the whole period they are a slice of.
 */

/** What of a subscription fixes its boundaries; the service's subscription record has these fields and more. */
export interface SubscriptionSchedule {
  interval: PlanInterval;
  anchorDay: number;
  startDate: string;
  /** Where the periods are counted from: the start date, the period start a new anchor day was set at, or a renewal date set by hand. */
  scheduleStart: string;
  /** With a renewal date set by hand (`scheduleStart`): where the period that ends then began. */
  bridgeStart: string | null;
  cancelAt: string | null;
  canceledAt: string | null;
}

/** A stretch of a subscription billed at once, and the whole period it is a slice of (itself when whole). */
export interface BilledSpan extends BillingPeriod {
  whole: BillingPeriod;
}

export interface BoundaryBilling {
  boundary: Date;
  reason: Exclude<BillingReason, 'manual'>;
  /** The span that ends at the boundary; null at the start. */
  ended: BilledSpan | null;
  /** The span that starts at the boundary; null at the end. */
  starting: BilledSpan | null;
}

/** Where the subscription stops: when it was canceled, or when it is set to end; null while it runs on. */
export function subscriptionEnd(subscription: SubscriptionSchedule): Date | null {
  const end = subscription.canceledAt ?? subscription.cancelAt;
  return end === null ? null : new Date(end);
}

function scheduleOf(subscription: SubscriptionSchedule): BillingSchedule {
  return billingSchedule(new Date(subscription.scheduleStart), subscription.interval, subscription.anchorDay);
}

/**
 * The period end after `instant` by the subscription's schedule, ignoring any end. Before the schedule's start:
 * the start of the period that runs up to a renewal date set by hand, then that date.
 */
function scheduledBoundaryAfter(subscription: SubscriptionSchedule, instant: Date): Date {
  const schedule = scheduleOf(subscription);
  const bridgeStart = subscription.bridgeStart === null ? null : new Date(subscription.bridgeStart);
  if (bridgeStart && instant < bridgeStart) return bridgeStart;
  return instant < schedule.start ? schedule.start : periodContaining(schedule, instant).end;
}

/** The first boundary after `after` (the start when `after` is null); null once the end is passed. */
export function nextBoundary(subscription: SubscriptionSchedule, after: Date | null): Date | null {
  const start = new Date(subscription.startDate);
  if (after === null || after < start) return start;
  const end = subscriptionEnd(subscription);
  if (end && after >= end) return null;
  const scheduled = scheduledBoundaryAfter(subscription, after);
  return end && scheduled >= end ? end : scheduled;
}

/** [start, end) as a slice of the schedule's whole period holding `start`. */
function span(subscription: SubscriptionSchedule, start: Date, end: Date): BilledSpan {
  const schedule = scheduleOf(subscription);
  if (start < schedule.start) return { start, end, whole: { start, end } };
  const periodEnd = periodContaining(schedule, start).end;
  return { start, end, whole: wholePeriodEndingAt(periodEnd, subscription.interval, subscription.anchorDay) };
}

/** What the invoice at `boundary` bills, given the boundary before it (null at the start). */
export function boundaryBilling(
  subscription: SubscriptionSchedule,
  previous: Date | null,
  boundary: Date,
): BoundaryBilling {
  const end = subscriptionEnd(subscription);
  const next = nextBoundary(subscription, boundary);
  const reason =
    end && boundary >= end ? 'subscription_end' : previous === null ? 'subscription_start' : 'subscription_cycle';
  return {
    boundary,
    reason,
    ended: previous === null ? null : span(subscription, previous, boundary),
    starting: next === null || reason === 'subscription_end' ? null : span(subscription, boundary, next),
  };
}

/**
 * The span whose in-advance fees the boundary before a cancellation billed, when the cancellation cut it short:
 * those fees covered up to the scheduled period end, and the part after the cancellation was not used.
 */
export function spanPaidInAdvance(subscription: SubscriptionSchedule, previous: Date, end: Date): BilledSpan | null {
  const scheduled = scheduledBoundaryAfter(subscription, previous);
  return scheduled > end ? span(subscription, previous, scheduled) : null;
}

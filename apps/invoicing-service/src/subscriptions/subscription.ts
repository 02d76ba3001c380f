import type { SubscriptionSchedule } from '@afternoon/billing-core/billingBoundaries';
import {
  type BillingPeriod,
  billingSchedule,
  firstPeriod,
  periodContaining,
} from '@afternoon/billing-core/billingPeriods';
import type {
  PrepaidRefundPolicy,
  Subscription,
  SubscriptionEvent,
  SubscriptionStatus,
  SubscriptionTerms,
} from '@afternoon/contracts/subscriptions';

/** What fixes a subscription's public shape at any instant; the state and the projection's row both reduce to it. */
/** The event stream of one subscription. */
export const subscriptionStream = (subscriptionId: string) => `subscription-${subscriptionId}`;

export interface SubscriptionRecord extends SubscriptionSchedule {
  id: string;
  customerId: string;
  planCode: string;
  planVersion: number;
  status: SubscriptionStatus;
  /** What ending now does with fees paid in advance for the rest of the period. */
  refundPolicy: PrepaidRefundPolicy | null;
  createdAt: string;
  updatedAt: string;
}

type Live = SubscriptionRecord & {
  /** The subscription a plan change of this one made. */
  successor: SubscriptionTerms | null;
};

export type SubscriptionState =
  | { status: 'absent' }
  | (Live & { status: 'pending' })
  | (Live & { status: 'active' })
  | (Live & { status: 'canceled' });

export type ExistingSubscription = Exclude<SubscriptionState, { status: 'absent' }>;

export function initialState(): SubscriptionState {
  return { status: 'absent' };
}

export function evolve(state: SubscriptionState, event: SubscriptionEvent): SubscriptionState {
  if (event.type === 'SubscriptionCreated') return started(event.data);
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'SubscriptionUpdated': {
      const { rescheduled, updated_at } = event.data;
      if (!rescheduled) return { ...state, updatedAt: updated_at };
      return {
        ...state,
        anchorDay: rescheduled.billing_anchor_day,
        scheduleStart: rescheduled.schedule_start,
        bridgeStart: rescheduled.period_start ?? null,
        updatedAt: updated_at,
      };
    }
    case 'SubscriptionActivated':
      return { ...state, status: 'active', updatedAt: event.data.activated_at };
    case 'SubscriptionCanceled':
      return ended(state, event.data.canceled_at, event.data.refund_policy);
    case 'SubscriptionCancelScheduled':
      return { ...state, cancelAt: event.data.cancel_at, updatedAt: event.data.scheduled_at };
    case 'SubscriptionPlanChanged': {
      const { canceled_at, cancel_at, new_subscription, changed_at } = event.data;
      const changed = { ...state, successor: new_subscription, updatedAt: changed_at };
      return canceled_at ? ended(changed, canceled_at, event.data.refund_policy) : { ...changed, cancelAt: cancel_at };
    }
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/** A subscription as its terms start it. */
export function started(terms: SubscriptionTerms): Exclude<SubscriptionState, { status: 'absent' | 'canceled' }> {
  return {
    status: terms.status,
    id: terms.subscription_id,
    customerId: terms.customer_id,
    planCode: terms.plan_code,
    planVersion: terms.plan_version,
    interval: terms.interval,
    anchorDay: terms.billing_anchor_day,
    startDate: terms.start_date,
    scheduleStart: terms.start_date,
    bridgeStart: null,
    cancelAt: null,
    canceledAt: null,
    refundPolicy: null,
    successor: null,
    createdAt: terms.created_at,
    updatedAt: terms.created_at,
  };
}

function ended(state: ExistingSubscription, at: string, refundPolicy: PrepaidRefundPolicy | null): SubscriptionState {
  return { ...state, status: 'canceled', canceledAt: at, cancelAt: null, refundPolicy, updatedAt: at };
}

/**
 * The period that holds `instant`: before the start, the first one; once canceled, the one it ended in (periods
 * do not run on after a cancellation); before a renewal date set by hand, the period that ends on it.
 */
export function currentPeriod(subscription: SubscriptionRecord, instant: Date): BillingPeriod {
  const schedule = billingSchedule(new Date(subscription.scheduleStart), subscription.interval, subscription.anchorDay);
  const canceledAt = subscription.canceledAt === null ? undefined : new Date(subscription.canceledAt);
  const at = canceledAt && canceledAt < instant ? canceledAt : instant;
  if (at >= schedule.start) return periodContaining(schedule, at);
  return subscription.bridgeStart === null
    ? firstPeriod(schedule)
    : { start: new Date(subscription.bridgeStart), end: schedule.start };
}

/** The public shape of a subscription as it stands at `now`. */
export function toSubscription(subscription: SubscriptionRecord, now: Date): Subscription {
  const period = currentPeriod(subscription, now);
  const periodEnd = period.end.toISOString();
  return {
    id: subscription.id,
    customer_id: subscription.customerId,
    plan_code: subscription.planCode,
    plan_version: subscription.planVersion,
    status: subscription.status,
    billing_anchor_day: subscription.anchorDay,
    start_date: subscription.startDate,
    current_period_start: period.start.toISOString(),
    current_period_end: periodEnd,
    next_renewal_date: periodEnd,
    cancel_at_period_end: subscription.status !== 'canceled' && subscription.cancelAt !== null,
    cancel_at: subscription.cancelAt,
    canceled_at: subscription.canceledAt,
    created_at: subscription.createdAt,
    updated_at: subscription.updatedAt,
  };
}

import type { SubscriptionEvent, SubscriptionTerms } from '@afternoon/contracts/subscriptions';
import type { SubscriptionPayload } from '@afternoon/contracts/webhookCatalog';

/** A subscription as the catalog follows it: exactly its payload. */
export type SubscriptionSubject = SubscriptionPayload;

export function evolveSubscription(
  state: SubscriptionSubject | undefined,
  event: SubscriptionEvent,
): SubscriptionSubject | undefined {
  if (event.type === 'SubscriptionCreated') return startedSubscription(event.data);
  if (!state) return state;
  switch (event.type) {
    case 'SubscriptionUpdated': {
      const { rescheduled, updated_at } = event.data;
      return { ...state, billing_anchor_day: rescheduled?.billing_anchor_day ?? state.billing_anchor_day, updated_at };
    }
    case 'SubscriptionActivated':
      return { ...state, status: 'active', updated_at: event.data.activated_at };
    case 'SubscriptionCanceled':
      return ended(state, event.data.canceled_at);
    case 'SubscriptionCancelScheduled':
      return scheduledToEnd(state, event.data.cancel_at, event.data.scheduled_at);
    case 'SubscriptionPlanChanged': {
      const { canceled_at, cancel_at, new_subscription, changed_at } = event.data;
      const changed = { ...state, new_subscription_id: new_subscription.subscription_id };
      if (canceled_at) return ended(changed, canceled_at);
      return cancel_at ? scheduledToEnd(changed, cancel_at, changed_at) : { ...changed, updated_at: changed_at };
    }
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/** A subscription as its terms start it (a new one, or the one a plan change made). */
export function startedSubscription(terms: SubscriptionTerms): SubscriptionSubject {
  return {
    id: terms.subscription_id,
    customer_id: terms.customer_id,
    plan_code: terms.plan_code,
    plan_version: terms.plan_version,
    status: terms.status,
    billing_anchor_day: terms.billing_anchor_day,
    start_date: terms.start_date,
    cancel_at_period_end: false,
    cancel_at: null,
    canceled_at: null,
    created_at: terms.created_at,
    updated_at: terms.created_at,
    previous_subscription_id: terms.previous_subscription_id,
    new_subscription_id: null,
  };
}

function ended(state: SubscriptionSubject, at: string): SubscriptionSubject {
  return {
    ...state,
    status: 'canceled',
    canceled_at: at,
    cancel_at: null,
    cancel_at_period_end: false,
    updated_at: at,
  };
}

function scheduledToEnd(state: SubscriptionSubject, cancelAt: string, at: string): SubscriptionSubject {
  return { ...state, cancel_at: cancelAt, cancel_at_period_end: true, updated_at: at };
}

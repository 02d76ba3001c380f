import type {
  AdvanceSubscription,
  CancelSubscription,
  ChangeSubscriptionPlan,
  CreateSubscription,
  SubscribedPlan,
  SubscriptionEvent,
  SubscriptionTerms,
  UpdateSubscription,
} from '@afternoon/contracts/subscriptions';
import {
  ConflictError,
  type Decider,
  type Enriched,
  IllegalStateError,
  NotFoundError,
  ValidationError,
  type WithMetadata,
} from '@afternoon/service-kit';
import { currentPeriod, type ExistingSubscription, evolve, initialState, type SubscriptionState } from './subscription';

/** A subscription command as sent to `invoice.commands`. */
export type SentSubscriptionCommand = WithMetadata<
  CreateSubscription | UpdateSubscription | CancelSubscription | ChangeSubscriptionPlan | AdvanceSubscription
>;

/**
 * For a subscription that a plan change made: its start, recorded on the old subscription's stream, which its own
 * stream has not received yet; null for any other subscription.
 */
type Origin = { origin: SubscriptionTerms | null };

/**
 * A subscription command as `decide` receives it, with what `enrich` found: the plan's current version, the origin,
 * and when the customer was deleted (null while they are not).
 */
export type SubscriptionCommand =
  | Enriched<CreateSubscription, { plan: SubscribedPlan }>
  | Enriched<UpdateSubscription, Origin>
  | Enriched<CancelSubscription, Origin>
  | Enriched<ChangeSubscriptionPlan, Origin & { target_plan: SubscribedPlan }>
  | Enriched<AdvanceSubscription, Origin & { customer_deleted_at: string | null }>;
type CommandOn<T extends SubscriptionCommand['type']> = Extract<SubscriptionCommand, { type: T }>;

/**
 * A subscription made by a plan change starts on the old subscription's stream; its own stream takes those terms
 * as its `SubscriptionCreated` with the first command it receives, then that command is decided as usual.
 */
export function decide(command: SubscriptionCommand, state: SubscriptionState): SubscriptionEvent[] {
  if (command.type !== 'CreateSubscription' && state.status === 'absent' && command.data.origin) {
    const created: SubscriptionEvent = { type: 'SubscriptionCreated', data: command.data.origin };
    return [created, ...decideOnStream(command, evolve(state, created))];
  }
  return decideOnStream(command, state);
}

function decideOnStream(command: SubscriptionCommand, state: SubscriptionState): SubscriptionEvent[] {
  switch (command.type) {
    case 'CreateSubscription':
      return create(command, state);
    case 'UpdateSubscription':
      return update(command, live(state, command.data.subscription_id));
    case 'CancelSubscription':
      return cancel(command, live(state, command.data.subscription_id));
    case 'ChangeSubscriptionPlan':
      return changePlan(command, live(state, command.data.subscription_id));
    case 'AdvanceSubscription':
      return advance(command, state);
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

export const subscriptionDecider: Decider<SubscriptionCommand, SubscriptionEvent, SubscriptionState> = {
  initialState,
  evolve,
  decide,
};

export function subscriptionNotFound(id: string): NotFoundError {
  return new NotFoundError(`No such subscription: '${id}'`, 'id');
}

function create(command: CommandOn<'CreateSubscription'>, state: SubscriptionState): SubscriptionEvent[] {
  if (state.status !== 'absent') throw new ConflictError('this subscription already exists', 'id');
  const now = command.metadata.issued_at;
  const { subscription_id, customer_id, start_date = now, billing_anchor_day, initial_status } = command.data;
  const { plan } = command.data;
  return [
    {
      type: 'SubscriptionCreated',
      data: {
        subscription_id,
        customer_id,
        plan_code: plan.code,
        plan_version: plan.version,
        interval: plan.interval,
        status: initial_status,
        start_date,
        billing_anchor_day: billing_anchor_day ?? new Date(start_date).getUTCDate(),
        previous_subscription_id: null,
        created_at: now,
      },
    },
  ];
}

/**
 * Re-bases the schedule. A new anchor day takes effect from the start of the current period, and gives the period
 * back its end on the (new) anchor, as `next_renewal_date: null` does. A renewal date ends the current period on
 * that date instead, and periods after it turn on the anchor day again.
 */
function update(command: CommandOn<'UpdateSubscription'>, subscription: Live): SubscriptionEvent[] {
  const now = command.metadata.issued_at;
  const { billing_anchor_day, next_renewal_date, status } = command.data.changes;
  const { subscription_id } = command.data;
  const events: SubscriptionEvent[] = [];
  const rescheduled = reschedule(subscription, now, billing_anchor_day, next_renewal_date);
  if (rescheduled)
    events.push({ type: 'SubscriptionUpdated', data: { subscription_id, rescheduled, updated_at: now } });
  if (status === 'pending' && subscription.status === 'active')
    throw new IllegalStateError('an active subscription cannot go back to pending');
  if (status === 'active' && subscription.status === 'pending')
    events.push({ type: 'SubscriptionActivated', data: { subscription_id, activated_at: now } });
  if (status === 'canceled')
    events.push({ type: 'SubscriptionCanceled', data: { subscription_id, refund_policy: null, canceled_at: now } });
  return events;
}

type Rescheduled = NonNullable<Extract<SubscriptionEvent, { type: 'SubscriptionUpdated' }>['data']['rescheduled']>;

function reschedule(
  subscription: Live,
  now: string,
  anchorDay: number | undefined,
  renewal: string | null | undefined,
): Rescheduled | undefined {
  const period = currentPeriod(subscription, new Date(now));
  const billing_anchor_day = anchorDay ?? subscription.anchorDay;
  if (renewal) {
    if (Date.parse(renewal) <= Math.max(Date.parse(now), period.start.getTime()))
      throw new ValidationError('must be in the future and after the current period start', 'next_renewal_date');
    return { billing_anchor_day, schedule_start: renewal, period_start: period.start.toISOString() };
  }
  const renewalSet = subscription.bridgeStart !== null && Date.parse(subscription.scheduleStart) > Date.parse(now);
  const anchorChanged = billing_anchor_day !== subscription.anchorDay;
  if (!anchorChanged && !(renewal === null && renewalSet)) return undefined;
  return { billing_anchor_day, schedule_start: period.start.toISOString() };
}

function cancel(command: CommandOn<'CancelSubscription'>, subscription: Live): SubscriptionEvent[] {
  const now = command.metadata.issued_at;
  const { subscription_id, cancel_mode, refund_policy } = command.data;
  if (cancel_mode === 'now')
    return [
      {
        type: 'SubscriptionCanceled',
        data: { subscription_id, refund_policy: refund_policy ?? null, canceled_at: now },
      },
    ];
  if (subscription.cancelAt !== null)
    throw new IllegalStateError(`subscription '${subscription_id}' already ends at its period end`);
  const cancelAt = currentPeriod(subscription, new Date(now)).end.toISOString();
  return [{ type: 'SubscriptionCancelScheduled', data: { subscription_id, cancel_at: cancelAt, scheduled_at: now } }];
}

/**
 * The new subscription keeps the customer's anchor day. Now: the old one ends and the new one is active from this
 * instant. At period end: the old one ends then, and the new one waits, pending, to start at that instant.
 */
function changePlan(command: CommandOn<'ChangeSubscriptionPlan'>, subscription: Live): SubscriptionEvent[] {
  const now = command.metadata.issued_at;
  const { subscription_id, new_subscription_id, change_mode, refund_policy, target_plan: plan } = command.data;
  if (subscription.cancelAt !== null)
    throw new IllegalStateError(`subscription '${subscription_id}' already ends at its period end`);
  if (plan.code === subscription.planCode)
    throw new ConflictError(`the subscription is already on plan '${plan.code}'`, 'target_plan_code');
  const endsNow = change_mode === 'now';
  const switchAt = endsNow ? now : currentPeriod(subscription, new Date(now)).end.toISOString();
  const newSubscription: SubscriptionTerms = {
    subscription_id: new_subscription_id,
    customer_id: subscription.customerId,
    plan_code: plan.code,
    plan_version: plan.version,
    interval: plan.interval,
    status: endsNow ? 'active' : 'pending',
    start_date: switchAt,
    billing_anchor_day: subscription.anchorDay,
    previous_subscription_id: subscription_id,
    created_at: now,
  };
  return [
    {
      type: 'SubscriptionPlanChanged',
      data: {
        subscription_id,
        change_mode,
        refund_policy: endsNow ? (refund_policy ?? null) : null,
        canceled_at: endsNow ? now : null,
        cancel_at: endsNow ? null : switchAt,
        new_subscription: newSubscription,
        changed_at: now,
      },
    },
  ];
}

/**
 * Catches the subscription up with time: started at its start date if it was pending, ended at its scheduled
 * cancellation once that is past, or when its customer was deleted, whichever comes first. Nothing when none is
 * due, so it can be asked again safely.
 */
function advance(command: CommandOn<'AdvanceSubscription'>, state: SubscriptionState): SubscriptionEvent[] {
  if (state.status === 'absent') throw subscriptionNotFound(command.data.subscription_id);
  if (state.status === 'canceled') return [];
  const now = command.metadata.issued_at;
  const { subscription_id } = command.data;
  const events: SubscriptionEvent[] = [];
  if (state.status === 'pending' && Date.parse(state.startDate) <= Date.parse(now))
    events.push({ type: 'SubscriptionActivated', data: { subscription_id, activated_at: state.startDate } });
  const ends = [state.cancelAt, command.data.customer_deleted_at]
    .filter((end): end is string => end !== null && Date.parse(end) <= Date.parse(now))
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  if (ends[0] !== undefined)
    events.push({ type: 'SubscriptionCanceled', data: { subscription_id, refund_policy: null, canceled_at: ends[0] } });
  return events;
}

type Live = Exclude<ExistingSubscription, { status: 'canceled' }>;

function live(state: SubscriptionState, id: string): Live {
  if (state.status === 'absent') throw subscriptionNotFound(id);
  if (state.status === 'canceled') throw new IllegalStateError(`subscription '${id}' is canceled`);
  return state;
}

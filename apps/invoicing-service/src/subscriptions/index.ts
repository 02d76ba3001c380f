import {
  SubscriptionCommand as SubscriptionCommandSchema,
  SubscriptionEvent,
  subscriptionEventWireNames,
} from '@afternoon/contracts/subscriptions';
import { type AggregateDefinition, commandTypesOf, type Slice } from '@afternoon/service-kit';
import { subscriptionRoutes } from './api';
import { type SentSubscriptionCommand, type SubscriptionCommand, subscriptionDecider } from './businessLogic';
import { enrichSubscriptionCommand } from './enrichSubscriptionCommand';
import { subscriptionsProjection } from './getSubscriptions';
import { type SubscriptionState, started, subscriptionStream, toSubscription } from './subscription';

export const subscriptionAggregate: AggregateDefinition<
  SentSubscriptionCommand,
  SubscriptionEvent,
  SubscriptionState,
  SubscriptionCommand
> = {
  commandTypes: commandTypesOf(SubscriptionCommandSchema),
  commandSchema: SubscriptionCommandSchema,
  eventSchema: SubscriptionEvent,
  eventWireNames: subscriptionEventWireNames,
  streamId: (command) => subscriptionStream(command.data.subscription_id),
  decider: subscriptionDecider,
  result: (state, command) => {
    if (state.status === 'absent') throw new Error(`subscription command ${command.type} left no subscription`);
    const now = new Date(command.metadata.issued_at);
    const subscription = toSubscription(state, now);
    if (command.type !== 'ChangeSubscriptionPlan') return { subscription };
    if (!state.successor) throw new Error('a plan change left no new subscription');
    return { old_subscription: subscription, new_subscription: toSubscription(started(state.successor), now) };
  },
  enrich: enrichSubscriptionCommand,
};

/** Subscriptions: a customer on a plan, started, changed and cancelled by command, and read back. */
export const subscriptionsSlice: Slice = {
  name: 'subscriptions',
  aggregates: [subscriptionAggregate],
  projections: [subscriptionsProjection],
  routes: subscriptionRoutes,
};

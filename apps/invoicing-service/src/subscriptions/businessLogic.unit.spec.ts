import type { SubscribedPlan, SubscriptionEvent, SubscriptionTerms } from '@afternoon/contracts/subscriptions';
import { ConflictError, IllegalStateError, NotFoundError, ValidationError } from '@afternoon/service-kit';
import { commandMetadata, deciderSpec } from '@afternoon/testkit/decider';
import { describe, expect, it } from 'vitest';
import { decide, type SubscriptionCommand } from './businessLogic';
import { evolve, initialState, type SubscriptionState, toSubscription } from './subscription';

const subscriptionId = 'su5x9z8nv0000h85r7l9p2k1m';
const newSubscriptionId = 'sn5x9z8nv0000h85r7l9p2k1m';
const customerId = 'cu5x9z8nv0000h85r7l9p2k1m';
const pro: SubscribedPlan = { code: 'pro', version: 2, interval: 'month' };
const scale: SubscribedPlan = { code: 'scale', version: 1, interval: 'month' };

const createdAt = '2026-01-10T09:00:00.000Z';
const midJanuary = '2026-01-20T12:00:00.000Z';

const { given } = deciderSpec({ decide, evolve, initialState });

function stateAfter(events: SubscriptionEvent[]): Exclude<SubscriptionState, { status: 'absent' }> {
  const state = events.reduce(evolve, initialState());
  if (state.status === 'absent') throw new Error('the subscription should exist');
  return state;
}

const terms: SubscriptionTerms = {
  subscription_id: subscriptionId,
  customer_id: customerId,
  plan_code: 'pro',
  plan_version: 2,
  interval: 'month',
  status: 'active',
  start_date: createdAt,
  billing_anchor_day: 10,
  previous_subscription_id: null,
  created_at: createdAt,
};
const created: SubscriptionEvent = { type: 'SubscriptionCreated', data: terms };

const create = (data: Partial<Extract<SubscriptionCommand, { type: 'CreateSubscription' }>['data']> = {}) =>
  ({
    type: 'CreateSubscription',
    data: {
      subscription_id: subscriptionId,
      customer_id: customerId,
      plan_code: 'pro',
      initial_status: 'pending',
      plan: pro,
      ...data,
    },
    metadata: commandMetadata(createdAt),
  }) as const;
const update = (changes: Extract<SubscriptionCommand, { type: 'UpdateSubscription' }>['data']['changes']) =>
  ({
    type: 'UpdateSubscription',
    data: { subscription_id: subscriptionId, changes, origin: null },
    metadata: commandMetadata(midJanuary),
  }) as const;
const cancel = (cancel_mode: 'now' | 'end_of_period', refund_policy?: 'refund_prorated' | 'no_refund') =>
  ({
    type: 'CancelSubscription',
    data: { subscription_id: subscriptionId, cancel_mode, ...(refund_policy ? { refund_policy } : {}), origin: null },
    metadata: commandMetadata(midJanuary),
  }) as const;
const changePlan = (change_mode: 'now' | 'end_of_period', target_plan: SubscribedPlan = scale) =>
  ({
    type: 'ChangeSubscriptionPlan',
    data: {
      subscription_id: subscriptionId,
      new_subscription_id: newSubscriptionId,
      target_plan_code: target_plan.code,
      change_mode,
      target_plan,
      origin: null,
    },
    metadata: commandMetadata(midJanuary),
  }) as const;

describe('subscription decider', () => {
  it('creates a pending subscription by default, starting now on the anchor of its start day', () => {
    given([])
      .when(create())
      .thenEmits([{ type: 'SubscriptionCreated', data: { ...terms, status: 'pending' } }]);
    given([created]).when(create()).thenThrows(ConflictError);
  });

  it('creates an active subscription from a given start and anchor, with its first period up to the anchor', () => {
    const [event] = given([])
      .when(create({ initial_status: 'active', start_date: '2026-01-15T00:00:00.000Z', billing_anchor_day: 31 }))
      .events();
    expect(event?.data).toMatchObject({
      status: 'active',
      start_date: '2026-01-15T00:00:00.000Z',
      billing_anchor_day: 31,
    });
    const subscription = toSubscription(stateAfter([event as SubscriptionEvent]), new Date(createdAt));
    // Before its start a subscription shows its first period: 15 Jan up to the anchor, the 31st.
    expect(subscription).toMatchObject({
      current_period_start: '2026-01-15T00:00:00.000Z',
      current_period_end: '2026-01-31T00:00:00.000Z',
      next_renewal_date: '2026-01-31T00:00:00.000Z',
      cancel_at_period_end: false,
    });
  });

  it('re-anchors from the current period start: a new anchor day moves the period end', () => {
    expect(toSubscription(stateAfter([created]), new Date(midJanuary)).current_period_end).toBe(
      '2026-02-10T09:00:00.000Z',
    );
    const events = given([created])
      .when(update({ billing_anchor_day: 25 }))
      .events();
    expect(events).toEqual([
      {
        type: 'SubscriptionUpdated',
        data: {
          subscription_id: subscriptionId,
          rescheduled: { billing_anchor_day: 25, schedule_start: createdAt },
          updated_at: midJanuary,
        },
      },
    ]);
    // The period that began on 10 Jan now ends on the 25th, and the next ones turn on the 25th.
    expect(toSubscription(stateAfter([created, ...events]), new Date(midJanuary))).toMatchObject({
      billing_anchor_day: 25,
      current_period_start: createdAt,
      current_period_end: '2026-01-25T09:00:00.000Z',
      next_renewal_date: '2026-01-25T09:00:00.000Z',
    });
  });

  it('ends the current period on a renewal date set by hand, then turns on the anchor day again', () => {
    // Anchored on the 10th at 09:00: the period from 10 Jan would end on 10 Feb.
    const renewal = '2026-03-01T00:00:00.000Z';
    const events = given([created])
      .when(update({ next_renewal_date: renewal }))
      .events();
    expect(events).toEqual([
      {
        type: 'SubscriptionUpdated',
        data: {
          subscription_id: subscriptionId,
          rescheduled: { billing_anchor_day: 10, schedule_start: renewal, period_start: createdAt },
          updated_at: midJanuary,
        },
      },
    ]);
    const renewed = stateAfter([created, ...events]);
    expect(toSubscription(renewed, new Date(midJanuary))).toMatchObject({
      current_period_start: createdAt,
      current_period_end: renewal,
      next_renewal_date: renewal,
    });
    // From 1 Mar, the next anchor date: 10 Mar (at midnight, the renewal's time of day), then monthly.
    expect(toSubscription(renewed, new Date('2026-03-05T00:00:00.000Z'))).toMatchObject({
      current_period_start: renewal,
      current_period_end: '2026-03-10T00:00:00.000Z',
    });
    // null gives the period its end on the anchor back.
    const reverted = given([created, ...events])
      .when(update({ next_renewal_date: null }))
      .events();
    expect(toSubscription(stateAfter([created, ...events, ...reverted]), new Date(midJanuary)).current_period_end).toBe(
      '2026-02-10T09:00:00.000Z',
    );
  });

  it('refuses a renewal date in the past or before the current period, and changes nothing for a PATCH that changes nothing', () => {
    given([created])
      .when(update({ next_renewal_date: '2026-01-15T00:00:00.000Z' }))
      .thenThrows(ValidationError);
    given([created])
      .when(update({ next_renewal_date: null }))
      .thenEmits([]);
    given([created])
      .when(update({ billing_anchor_day: 10, status: 'active' }))
      .thenEmits([]);
  });

  it('activates a pending subscription, refuses to send an active one back to pending', () => {
    const pending: SubscriptionEvent = { type: 'SubscriptionCreated', data: { ...terms, status: 'pending' } };
    given([pending])
      .when(update({ status: 'active' }))
      .thenEmits([
        { type: 'SubscriptionActivated', data: { subscription_id: subscriptionId, activated_at: midJanuary } },
      ]);
    given([created])
      .when(update({ status: 'pending' }))
      .thenThrows(IllegalStateError);
  });

  it('cancels by PATCH status canceled, which sets canceled_at', () => {
    const events = given([created])
      .when(update({ status: 'canceled' }))
      .events();
    expect(events).toEqual([
      {
        type: 'SubscriptionCanceled',
        data: { subscription_id: subscriptionId, refund_policy: null, canceled_at: midJanuary },
      },
    ]);
    expect(toSubscription(stateAfter([created, ...events]), new Date('2027-01-01T00:00:00.000Z'))).toMatchObject({
      status: 'canceled',
      canceled_at: midJanuary,
      // The period it ended in, not one running on after it.
      current_period_end: '2026-02-10T09:00:00.000Z',
    });
  });

  it('cancels now with the refund policy recorded for the billing engine; a second cancel is refused', () => {
    const events = given([created]).when(cancel('now', 'refund_prorated')).events();
    expect(events).toEqual([
      {
        type: 'SubscriptionCanceled',
        data: { subscription_id: subscriptionId, refund_policy: 'refund_prorated', canceled_at: midJanuary },
      },
    ]);
    given([created, ...events])
      .when(cancel('now'))
      .thenThrows(IllegalStateError);
    given([created, ...events])
      .when(update({ billing_anchor_day: 3 }))
      .thenThrows(IllegalStateError);
    given([]).when(cancel('now')).thenThrows(NotFoundError);
  });

  it('cancels at period end: stays active until the current period ends; twice is refused, now still allowed', () => {
    const events = given([created]).when(cancel('end_of_period')).events();
    expect(events).toEqual([
      {
        type: 'SubscriptionCancelScheduled',
        data: { subscription_id: subscriptionId, cancel_at: '2026-02-10T09:00:00.000Z', scheduled_at: midJanuary },
      },
    ]);
    expect(toSubscription(stateAfter([created, ...events]), new Date(midJanuary))).toMatchObject({
      status: 'active',
      cancel_at_period_end: true,
      cancel_at: '2026-02-10T09:00:00.000Z',
      canceled_at: null,
    });
    given([created, ...events])
      .when(cancel('end_of_period'))
      .thenThrows(IllegalStateError);
    expect(
      given([created, ...events])
        .when(cancel('now'))
        .events(),
    ).toHaveLength(1);
  });

  it('changes plan now: the old one ends, the new one is active from now on the target version', () => {
    const [changed] = given([created]).when(changePlan('now')).events();
    expect(changed).toEqual({
      type: 'SubscriptionPlanChanged',
      data: {
        subscription_id: subscriptionId,
        change_mode: 'now',
        refund_policy: null,
        canceled_at: midJanuary,
        cancel_at: null,
        new_subscription: {
          subscription_id: newSubscriptionId,
          customer_id: customerId,
          plan_code: 'scale',
          plan_version: 1,
          interval: 'month',
          status: 'active',
          start_date: midJanuary,
          billing_anchor_day: 10,
          previous_subscription_id: subscriptionId,
          created_at: midJanuary,
        },
        changed_at: midJanuary,
      },
    });
    expect(stateAfter([created, changed as SubscriptionEvent])).toMatchObject({
      status: 'canceled',
      canceledAt: midJanuary,
    });
  });

  it('changes plan at period end: the old one is set to end then, the new one waits, pending, to start then', () => {
    const [changed] = given([created]).when(changePlan('end_of_period')).events();
    expect(changed?.data).toMatchObject({
      canceled_at: null,
      cancel_at: '2026-02-10T09:00:00.000Z',
      new_subscription: { status: 'pending', start_date: '2026-02-10T09:00:00.000Z', plan_code: 'scale' },
    });
    const after = [created, changed as SubscriptionEvent];
    expect(toSubscription(stateAfter(after), new Date(midJanuary)).cancel_at_period_end).toBe(true);
    given(after).when(changePlan('now')).thenThrows(IllegalStateError);
  });

  it('refuses a change to the plan it is on', () => {
    given([created])
      .when(changePlan('now', { ...pro, version: 3 }))
      .thenThrows(ConflictError);
  });

  it('starts the stream of a subscription a plan change made with its first command', () => {
    const [changed] = given([created]).when(changePlan('end_of_period')).events();
    if (changed?.type !== 'SubscriptionPlanChanged') throw new Error('expected a plan change');
    const origin = changed.data.new_subscription;
    const activate = {
      type: 'UpdateSubscription',
      data: { subscription_id: newSubscriptionId, changes: { status: 'active' }, origin },
      metadata: commandMetadata('2026-01-21T00:00:00.000Z'),
    } as const;
    given([])
      .when(activate)
      .thenEmits([
        { type: 'SubscriptionCreated', data: origin },
        {
          type: 'SubscriptionActivated',
          data: { subscription_id: newSubscriptionId, activated_at: '2026-01-21T00:00:00.000Z' },
        },
      ]);
    // Once the stream has begun, the origin is not replayed.
    expect(
      given([{ type: 'SubscriptionCreated', data: origin }])
        .when(activate)
        .events(),
    ).toHaveLength(1);
  });

  describe('advancing with time', () => {
    const advance = (at: string) =>
      ({
        type: 'AdvanceSubscription',
        data: { subscription_id: subscriptionId, origin: null, customer_deleted_at: null },
        metadata: commandMetadata(at),
      }) as const;
    const pending: SubscriptionEvent = { type: 'SubscriptionCreated', data: { ...terms, status: 'pending' } };
    const scheduled: SubscriptionEvent = {
      type: 'SubscriptionCancelScheduled',
      data: { subscription_id: subscriptionId, cancel_at: '2026-02-10T09:00:00.000Z', scheduled_at: midJanuary },
    };

    it('starts a pending subscription at its start date once that is past, and only then', () => {
      given([pending]).when(advance('2026-01-10T08:59:59.000Z')).thenEmits([]);
      given([pending])
        .when(advance(midJanuary))
        .thenEmits([
          { type: 'SubscriptionActivated', data: { subscription_id: subscriptionId, activated_at: createdAt } },
        ]);
    });

    it('ends a subscription at its scheduled cancellation, dated then, not when time caught up', () => {
      given([created, scheduled]).when(advance('2026-02-01T00:00:00.000Z')).thenEmits([]);
      given([created, scheduled])
        .when(advance('2026-03-01T00:00:00.000Z'))
        .thenEmits([
          {
            type: 'SubscriptionCanceled',
            data: { subscription_id: subscriptionId, refund_policy: null, canceled_at: '2026-02-10T09:00:00.000Z' },
          },
        ]);
    });

    it('ends a subscription when its customer was deleted, at that time, or at its scheduled end if earlier', () => {
      const advanceAfterDeletion = (at: string, deletedAt: string) =>
        ({
          type: 'AdvanceSubscription',
          data: { subscription_id: subscriptionId, origin: null, customer_deleted_at: deletedAt },
          metadata: commandMetadata(at),
        }) as const;
      const canceledAt = (events: SubscriptionEvent[]) =>
        events.map((event) => (event.type === 'SubscriptionCanceled' ? event.data.canceled_at : event.type));
      expect(
        canceledAt(given([created]).when(advanceAfterDeletion('2026-03-01T00:00:00.000Z', midJanuary)).events()),
      ).toEqual([midJanuary]);
      expect(
        canceledAt(
          given([created, scheduled])
            .when(advanceAfterDeletion('2026-03-01T00:00:00.000Z', '2026-02-20T00:00:00.000Z'))
            .events(),
        ),
      ).toEqual(['2026-02-10T09:00:00.000Z']);
    });

    it('does nothing to a canceled subscription, and refuses an unknown one', () => {
      const canceled: SubscriptionEvent = {
        type: 'SubscriptionCanceled',
        data: { subscription_id: subscriptionId, refund_policy: null, canceled_at: midJanuary },
      };
      given([created, canceled]).when(advance('2027-01-01T00:00:00.000Z')).thenEmits([]);
      given([]).when(advance(midJanuary)).thenThrows(NotFoundError);
    });
  });
});

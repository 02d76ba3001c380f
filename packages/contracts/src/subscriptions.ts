import { z } from 'zod';
import { Pagination, ResourceId } from './common';
import { PlanCode, PlanInterval } from './plans';
import { billingRangeMessage, withinBillingRange } from './usage';

export const SubscriptionStatus = z.enum(['pending', 'active', 'canceled']);
export type SubscriptionStatus = z.infer<typeof SubscriptionStatus>;

/** The day of the month billing periods turn on; past a month's end it falls on that month's last day. */
export const BillingAnchorDay = z.number().int().min(1).max(31);

export const CancelMode = z.enum(['now', 'end_of_period']);
export type CancelMode = z.infer<typeof CancelMode>;

/** What happens to fees paid in advance for the rest of the period when a subscription ends now. */
export const PrepaidRefundPolicy = z.enum(['refund_prorated', 'no_refund']);
export type PrepaidRefundPolicy = z.infer<typeof PrepaidRefundPolicy>;

const Instant = z.iso.datetime({ offset: true });
/** A start date billing can walk from: not before 2000 (as usage), not from 2100 on. */
const StartDate = Instant.refine(withinBillingRange, billingRangeMessage);

/** `POST /v1/subscriptions`: `start_date` defaults to now, `billing_anchor_day` to the start date's day (UTC). */
export const CreateSubscriptionBody = z.strictObject({
  customer_id: ResourceId,
  plan_code: PlanCode,
  start_date: StartDate.optional(),
  billing_anchor_day: BillingAnchorDay.optional(),
  initial_status: z.enum(['pending', 'active']).default('pending'),
});
export type CreateSubscriptionBody = z.infer<typeof CreateSubscriptionBody>;

/**
 * `PATCH /v1/subscriptions/{id}`: `status: canceled` cancels now; `next_renewal_date` ends the current period then
 * (after it, periods turn on the anchor day again), and `null` gives the period back its end on the anchor.
 */
export const UpdateSubscriptionBody = z.strictObject({
  billing_anchor_day: BillingAnchorDay.optional(),
  status: SubscriptionStatus.optional(),
  next_renewal_date: Instant.nullable().optional(),
});
export type UpdateSubscriptionBody = z.infer<typeof UpdateSubscriptionBody>;

const refundPolicyOnlyNow = (body: { cancel_now_prepaid_refund_policy?: unknown }, mode: CancelMode) =>
  body.cancel_now_prepaid_refund_policy === undefined || mode === 'now';
const refundPolicyIssue = {
  message: 'only applies when the subscription ends now',
  path: ['cancel_now_prepaid_refund_policy'],
};

/** `POST /v1/subscriptions/{id}/cancel`. */
export const CancelSubscriptionBody = z
  .strictObject({
    cancel_mode: CancelMode,
    cancel_now_prepaid_refund_policy: PrepaidRefundPolicy.optional(),
  })
  .refine((body) => refundPolicyOnlyNow(body, body.cancel_mode), refundPolicyIssue);
export type CancelSubscriptionBody = z.infer<typeof CancelSubscriptionBody>;

/** `POST /v1/subscriptions/{id}/change_plan`. */
export const ChangeSubscriptionPlanBody = z
  .strictObject({
    target_plan_code: PlanCode,
    change_mode: CancelMode,
    cancel_now_prepaid_refund_policy: PrepaidRefundPolicy.optional(),
  })
  .refine((body) => refundPolicyOnlyNow(body, body.change_mode), refundPolicyIssue);
export type ChangeSubscriptionPlanBody = z.infer<typeof ChangeSubscriptionPlanBody>;

/** Periods are `[start, end)`, the current one being the one that holds now (a future subscription's first). */
export const Subscription = z.object({
  id: ResourceId,
  customer_id: ResourceId,
  plan_code: PlanCode,
  /** The plan version it bills by; a revision of the plan does not move it. */
  plan_version: z.number().int().positive(),
  status: SubscriptionStatus,
  billing_anchor_day: BillingAnchorDay,
  start_date: z.iso.datetime(),
  current_period_start: z.iso.datetime(),
  current_period_end: z.iso.datetime(),
  next_renewal_date: z.iso.datetime(),
  cancel_at_period_end: z.boolean(),
  cancel_at: z.iso.datetime().nullable(),
  canceled_at: z.iso.datetime().nullable(),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});
export type Subscription = z.infer<typeof Subscription>;

export const ListSubscriptionsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(500).optional(),
  customer_id: ResourceId.optional(),
  status: SubscriptionStatus.optional(),
});
export type ListSubscriptionsQuery = z.infer<typeof ListSubscriptionsQuery>;

export const SubscriptionList = z.object({ subscriptions: z.array(Subscription), pagination: Pagination });
export type SubscriptionList = z.infer<typeof SubscriptionList>;

/** `GET /subscriptions/{id}` (internal): the subscription, its period as it stands when asked. */
export const SubscriptionAnswer = z.object({ subscription: Subscription });
export type SubscriptionAnswer = z.infer<typeof SubscriptionAnswer>;

/** What invoicing answers a plan change with: the subscription that ends and the one that starts. */
export const SubscriptionPlanChangeAnswer = z.object({
  old_subscription: Subscription,
  new_subscription: Subscription,
});
export type SubscriptionPlanChangeAnswer = z.infer<typeof SubscriptionPlanChangeAnswer>;

/** What a subscription starts as; a plan change carries the new subscription's in its own event. */
export const SubscriptionTerms = z.object({
  subscription_id: ResourceId,
  customer_id: ResourceId,
  plan_code: PlanCode,
  plan_version: z.number().int().positive(),
  interval: PlanInterval,
  status: z.enum(['pending', 'active']),
  start_date: z.iso.datetime(),
  billing_anchor_day: BillingAnchorDay,
  /** The subscription whose plan change made this one. */
  previous_subscription_id: ResourceId.nullable(),
  created_at: z.iso.datetime(),
});
export type SubscriptionTerms = z.infer<typeof SubscriptionTerms>;

/** A plan's current version as a new subscription takes it; invoicing looks it up in its plans. */
export const SubscribedPlan = z.object({
  code: PlanCode,
  version: z.number().int().positive(),
  interval: PlanInterval,
});
export type SubscribedPlan = z.infer<typeof SubscribedPlan>;

// Commands (on `invoice.commands`: subscriptions belong to invoicing), as sent: the plan's version, the customer's
// deletion and a plan change's terms, invoicing looks up itself.

export const CreateSubscription = z.object({
  type: z.literal('CreateSubscription'),
  data: z.object({
    subscription_id: ResourceId,
    customer_id: ResourceId,
    plan_code: PlanCode,
    start_date: z.iso.datetime().optional(),
    billing_anchor_day: BillingAnchorDay.optional(),
    initial_status: z.enum(['pending', 'active']),
  }),
});
export type CreateSubscription = z.infer<typeof CreateSubscription>;

export const UpdateSubscription = z.object({
  type: z.literal('UpdateSubscription'),
  data: z.object({
    subscription_id: ResourceId,
    changes: UpdateSubscriptionBody.extend({ next_renewal_date: z.iso.datetime().nullable().optional() }),
  }),
});
export type UpdateSubscription = z.infer<typeof UpdateSubscription>;

export const CancelSubscription = z.object({
  type: z.literal('CancelSubscription'),
  data: z.object({
    subscription_id: ResourceId,
    cancel_mode: CancelMode,
    refund_policy: PrepaidRefundPolicy.optional(),
  }),
});
export type CancelSubscription = z.infer<typeof CancelSubscription>;

/** Keyed by the old subscription; the gateway names the new one. */
export const ChangeSubscriptionPlan = z.object({
  type: z.literal('ChangeSubscriptionPlan'),
  data: z.object({
    subscription_id: ResourceId,
    new_subscription_id: ResourceId,
    target_plan_code: PlanCode,
    change_mode: CancelMode,
    refund_policy: PrepaidRefundPolicy.optional(),
  }),
});
export type ChangeSubscriptionPlan = z.infer<typeof ChangeSubscriptionPlan>;

/**
 * What the passage of time to `issued_at` does: a pending subscription starts, a scheduled cancellation ends it, and
 * a customer's deletion ends it when the customer was deleted.
 */
export const AdvanceSubscription = z.object({
  type: z.literal('AdvanceSubscription'),
  data: z.object({ subscription_id: ResourceId }),
});
export type AdvanceSubscription = z.infer<typeof AdvanceSubscription>;

export const SubscriptionCommand = z.discriminatedUnion('type', [
  CreateSubscription,
  UpdateSubscription,
  CancelSubscription,
  ChangeSubscriptionPlan,
  AdvanceSubscription,
]);
export type SubscriptionCommand = z.infer<typeof SubscriptionCommand>;

// Events (on `invoice.events`), each with its versioned wire name beside its schema

export const SubscriptionCreated = z.object({ type: z.literal('SubscriptionCreated'), data: SubscriptionTerms });
export type SubscriptionCreated = z.infer<typeof SubscriptionCreated>;

/**
 * The schedule re-based: periods turn on `billing_anchor_day` counting from `schedule_start`. A new anchor day
 * re-bases it on the start of the period then current; a renewal date set by hand on that date, and then
 * `period_start` says where the period in progress, which ends at `schedule_start`, began.
 */
export const SubscriptionUpdated = z.object({
  type: z.literal('SubscriptionUpdated'),
  data: z.object({
    subscription_id: ResourceId,
    rescheduled: z
      .object({
        billing_anchor_day: BillingAnchorDay,
        schedule_start: z.iso.datetime(),
        period_start: z.iso.datetime().optional(),
      })
      .optional(),
    updated_at: z.iso.datetime(),
  }),
});
export type SubscriptionUpdated = z.infer<typeof SubscriptionUpdated>;

export const SubscriptionActivated = z.object({
  type: z.literal('SubscriptionActivated'),
  data: z.object({ subscription_id: ResourceId, activated_at: z.iso.datetime() }),
});
export type SubscriptionActivated = z.infer<typeof SubscriptionActivated>;

/** Ended now; `refund_policy` is what the billing engine does with fees prepaid for the rest of the period. */
export const SubscriptionCanceled = z.object({
  type: z.literal('SubscriptionCanceled'),
  data: z.object({
    subscription_id: ResourceId,
    refund_policy: PrepaidRefundPolicy.nullable(),
    canceled_at: z.iso.datetime(),
  }),
});
export type SubscriptionCanceled = z.infer<typeof SubscriptionCanceled>;

/** Stays active until `cancel_at`, the end of the period current when it was asked. */
export const SubscriptionCancelScheduled = z.object({
  type: z.literal('SubscriptionCancelScheduled'),
  data: z.object({ subscription_id: ResourceId, cancel_at: z.iso.datetime(), scheduled_at: z.iso.datetime() }),
});
export type SubscriptionCancelScheduled = z.infer<typeof SubscriptionCancelScheduled>;

/**
 * The old subscription ends (now: `canceled_at`; at its period end: `cancel_at`) and `new_subscription` starts:
 * one event, so the change is all or nothing. The new subscription's own stream gets the same terms as its
 * `SubscriptionCreated` with its first command.
 */
export const SubscriptionPlanChanged = z.object({
  type: z.literal('SubscriptionPlanChanged'),
  data: z.object({
    subscription_id: ResourceId,
    change_mode: CancelMode,
    refund_policy: PrepaidRefundPolicy.nullable(),
    canceled_at: z.iso.datetime().nullable(),
    cancel_at: z.iso.datetime().nullable(),
    new_subscription: SubscriptionTerms,
    changed_at: z.iso.datetime(),
  }),
});
export type SubscriptionPlanChanged = z.infer<typeof SubscriptionPlanChanged>;

export const SubscriptionEvent = z.discriminatedUnion('type', [
  SubscriptionCreated,
  SubscriptionUpdated,
  SubscriptionActivated,
  SubscriptionCanceled,
  SubscriptionCancelScheduled,
  SubscriptionPlanChanged,
]);
export type SubscriptionEvent = z.infer<typeof SubscriptionEvent>;

export const subscriptionEventWireNames = {
  SubscriptionCreated: 'afternoon.invoicing.v1.subscription_created',
  SubscriptionUpdated: 'afternoon.invoicing.v1.subscription_updated',
  SubscriptionActivated: 'afternoon.invoicing.v1.subscription_activated',
  SubscriptionCanceled: 'afternoon.invoicing.v1.subscription_canceled',
  SubscriptionCancelScheduled: 'afternoon.invoicing.v1.subscription_cancel_scheduled',
  SubscriptionPlanChanged: 'afternoon.invoicing.v1.subscription_plan_changed',
} as const satisfies Record<SubscriptionEvent['type'], string>;

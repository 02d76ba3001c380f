import { z } from 'zod';
import { ResourceId } from './common';
import { CreditAmount, CreditGrant, Denomination } from './credits';
import { Customer } from './customers';
import { Invoice } from './invoices';
import { Subscription } from './subscriptions';
import { RejectionReason } from './usage';
import type { WebhookEventType } from './webhooks';

/*
 * The catalog of webhook events: for each type, the schema of its `data`, its version and what it means. A payload
 * carries what a receiver needs to act without calling back, under the field names of the public API's views.
 */

/** The customer as `GET /v1/customers/{id}` shows it. */
export const CustomerPayload = Customer;
export type CustomerPayload = z.infer<typeof CustomerPayload>;

/** The customer after the change, and which of its fields the change set. */
export const CustomerUpdatedPayload = Customer.extend({ changed_fields: z.array(z.string()) });
export type CustomerUpdatedPayload = z.infer<typeof CustomerUpdatedPayload>;

/** The customer as it was when deleted. */
export const CustomerDeletedPayload = Customer.extend({ deleted: z.literal(true), deleted_at: z.iso.datetime() });
export type CustomerDeletedPayload = z.infer<typeof CustomerDeletedPayload>;

/** The invoice as `GET /v1/invoices/{id}` shows it, without its lines (its amounts are whole minor units). */
export const InvoicePayload = Invoice.omit({ line_items: true });
export type InvoicePayload = z.infer<typeof InvoicePayload>;

/**
 * The subscription as `GET /v1/subscriptions/{id}` shows it, without the period fields (they move with time, not
 * with events); `previous_subscription_id` and `new_subscription_id` link the two sides of a plan change.
 */
export const SubscriptionPayload = Subscription.omit({
  current_period_start: true,
  current_period_end: true,
  next_renewal_date: true,
}).extend({
  previous_subscription_id: ResourceId.nullable(),
  new_subscription_id: ResourceId.nullable(),
});
export type SubscriptionPayload = z.infer<typeof SubscriptionPayload>;

/** A subscription's next period began: its invoice for the boundary was made. */
export const SubscriptionRenewedPayload = z.object({
  subscription_id: ResourceId,
  customer_id: ResourceId,
  /** The boundary: where the new period starts. */
  period_start: z.iso.datetime(),
  invoice_id: ResourceId,
  currency: z.string(),
});
export type SubscriptionRenewedPayload = z.infer<typeof SubscriptionRenewedPayload>;

/**
 * A grant as `GET /v1/subscriptions/{id}/credit-grants/{grant_id}` names it, with what the event moved: its amounts
 * are whole minor units for a currency and decimal strings for a pricing unit. Consumption is not followed here.
 */
export const CreditGrantPayload = CreditGrant.pick({
  id: true,
  subscription_id: true,
  customer_id: true,
  name: true,
  denomination: true,
  pricing_unit_code: true,
  currency_code: true,
  amount: true,
  status: true,
  priority: true,
  effective_at: true,
  expires_at: true,
  voided_at: true,
  metadata: true,
  created_at: true,
}).extend({
  /** What the void or the expiry removed from the balance; null on creation. */
  removed_amount: CreditAmount.nullable(),
  expired_at: z.iso.datetime().nullable(),
});
export type CreditGrantPayload = z.infer<typeof CreditGrantPayload>;

export const BalanceLowPayload = z.object({
  customer_id: ResourceId,
  denomination: Denomination,
  available: CreditAmount,
  threshold: CreditAmount,
  /** The timestamp of the usage event whose rating crossed the threshold. */
  at: z.iso.datetime(),
});
export type BalanceLowPayload = z.infer<typeof BalanceLowPayload>;

export const BalanceDepletedPayload = z.object({
  customer_id: ResourceId,
  denomination: Denomination,
  at: z.iso.datetime(),
});
export type BalanceDepletedPayload = z.infer<typeof BalanceDepletedPayload>;

/** A payment recorded on an invoice, with the invoice as it stands after it. */
export const InvoicePaymentSucceededPayload = InvoicePayload.extend({
  payment: z.object({
    id: ResourceId,
    amount_cents: z.number().int(),
    currency: z.string(),
    method: z.string(),
    reference: z.string().nullable(),
    paid_at: z.iso.datetime(),
  }),
});
export type InvoicePaymentSucceededPayload = z.infer<typeof InvoicePaymentSucceededPayload>;

/** A payment provider could not take a payment (a declined card); nothing paid or due changed. */
export const InvoicePaymentFailedPayload = InvoicePayload.extend({
  attempt: z.object({
    id: ResourceId,
    amount_cents: z.number().int(),
    currency: z.string(),
    method: z.string(),
    provider: z.string(),
    reference: z.string().nullable(),
    failure_reason: z.string(),
  }),
});
export type InvoicePaymentFailedPayload = z.infer<typeof InvoicePaymentFailedPayload>;

/** Part or all of a payment given back, with the invoice as it stands after it. */
export const InvoicePaymentRefundedPayload = InvoicePayload.extend({
  refund: z.object({ id: ResourceId, payment_id: ResourceId, amount_cents: z.number().int(), currency: z.string() }),
});
export type InvoicePaymentRefundedPayload = z.infer<typeof InvoicePaymentRefundedPayload>;

/** Not emitted yet: usage alerts come later. `threshold` and `value` are exact decimal strings. */
export const UsageThresholdReachedPayload = z.object({
  alert_id: ResourceId,
  customer_id: ResourceId,
  meter_code: z.string(),
  threshold: z.string(),
  value: z.string(),
  period_start: z.iso.datetime().nullable(),
  period_end: z.iso.datetime().nullable(),
});
export type UsageThresholdReachedPayload = z.infer<typeof UsageThresholdReachedPayload>;

/** A usage record metering refused; the record's own names where it had them. */
export const EventsRejectedPayload = z.object({
  idempotency_key: z.string().optional(),
  event_name: z.string().optional(),
  customer_id: z.string().optional(),
  reason_code: RejectionReason,
  reason: z.string(),
});
export type EventsRejectedPayload = z.infer<typeof EventsRejectedPayload>;

/** Emitted by the deliveries of notification-service. */
export const WebhookEndpointDisabledPayload = z.object({
  endpoint_id: ResourceId,
  url: z.string(),
  failing_since: z.iso.datetime(),
});
export type WebhookEndpointDisabledPayload = z.infer<typeof WebhookEndpointDisabledPayload>;

export interface CatalogEntry {
  version: number;
  description: string;
  data: z.ZodType<Record<string, unknown>>;
}

/** Every webhook event type, its payload version, its description and the schema of its `data`. */
export const webhookCatalog = {
  'customer.created': { version: 1, description: 'A customer was created.', data: CustomerPayload },
  'customer.updated': { version: 1, description: 'A customer was changed.', data: CustomerUpdatedPayload },
  'customer.deleted': { version: 1, description: 'A customer was deleted.', data: CustomerDeletedPayload },
  'invoice.created': {
    version: 1,
    description: 'An invoice was created: a draft, or a subscription invoice about to be finalized.',
    data: InvoicePayload,
  },
  'invoice.finalized': {
    version: 1,
    description: 'An invoice was finalized: numbered, open and payable at its public URL.',
    data: InvoicePayload,
  },
  'invoice.paid': { version: 1, description: 'An invoice was paid.', data: InvoicePayload },
  'invoice.payment_succeeded': {
    version: 1,
    description: 'A payment was recorded on an invoice (the invoice is paid once nothing is due).',
    data: InvoicePaymentSucceededPayload,
  },
  'invoice.payment_failed': {
    version: 1,
    description: "A payment provider's attempt to take an invoice's payment failed.",
    data: InvoicePaymentFailedPayload,
  },
  'invoice.payment_refunded': {
    version: 1,
    description: "Part or all of an invoice's payment was refunded.",
    data: InvoicePaymentRefundedPayload,
  },
  'invoice.voided': { version: 1, description: 'An invoice was voided.', data: InvoicePayload },
  'invoice.marked_uncollectible': {
    version: 1,
    description: 'An invoice was marked uncollectible.',
    data: InvoicePayload,
  },
  'subscription.created': {
    version: 1,
    description: 'A subscription was created, or started by a plan change.',
    data: SubscriptionPayload,
  },
  'subscription.updated': {
    version: 1,
    description: 'A subscription was rescheduled, activated, set to cancel or changed plan.',
    data: SubscriptionPayload,
  },
  'subscription.canceled': { version: 1, description: 'A subscription ended.', data: SubscriptionPayload },
  'subscription.renewed': {
    version: 1,
    description: "A subscription's next period began and its invoice for the period's start was made.",
    data: SubscriptionRenewedPayload,
  },
  'credit_grant.created': { version: 1, description: 'Credits were granted.', data: CreditGrantPayload },
  'credit_grant.voided': {
    version: 1,
    description: 'A grant was voided; its remainder left the balance.',
    data: CreditGrantPayload,
  },
  'credit_grant.expired': {
    version: 1,
    description: 'A grant expired; its remainder left the balance.',
    data: CreditGrantPayload,
  },
  'balance.low': {
    version: 1,
    description: "A customer's balance fell below the organization's low-balance threshold.",
    data: BalanceLowPayload,
  },
  'balance.depleted': { version: 1, description: "A customer's balance reached zero.", data: BalanceDepletedPayload },
  'usage.threshold_reached': {
    version: 1,
    description: "A customer's usage of a meter reached an alert's threshold (once per customer and period).",
    data: UsageThresholdReachedPayload,
  },
  'events.rejected': {
    version: 1,
    description: 'A usage record was refused, with the reason.',
    data: EventsRejectedPayload,
  },
  'webhook_endpoint.disabled': {
    version: 1,
    description: 'A webhook endpoint was disabled after failing for 3 days.',
    data: WebhookEndpointDisabledPayload,
  },
} as const satisfies Record<WebhookEventType, CatalogEntry>;

/** The `data` of each event type. */
export type WebhookPayloads = { [T in WebhookEventType]: z.infer<(typeof webhookCatalog)[T]['data']> };

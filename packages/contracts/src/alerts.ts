import { z } from 'zod';
import { PageQuery, Pagination, ResourceId } from './common';
import { GrantAmountInput, SignedDecimal } from './credits';
import { MeterCode } from './meters';

/*
 * Usage alerts: `usage.threshold_reached` once per customer and period when a meter's usage crosses a threshold,
 * decided as the usage is stored (notification-service reads `usage.metered`), not by a schedule.
 */

/** `billing_period`: the customer's current subscription period (a calendar month in UTC without one); `lifetime`: ever. */
export const AlertScope = z.enum(['billing_period', 'lifetime']);
export type AlertScope = z.infer<typeof AlertScope>;

/** `POST /v1/alerts`: on a `count` or `sum` meter; every customer of the organization when `customer_id` is absent. */
export const CreateAlertBody = z.strictObject({
  meter_code: MeterCode,
  threshold: GrantAmountInput,
  customer_id: ResourceId.optional(),
  scope: AlertScope.default('billing_period'),
  name: z.string().trim().min(1).max(255).optional(),
});
export type CreateAlertBody = z.infer<typeof CreateAlertBody>;

export const Alert = z.object({
  id: ResourceId,
  name: z.string().nullable(),
  meter_code: z.string(),
  /** An exact decimal string, in the meter's unit. */
  threshold: SignedDecimal,
  customer_id: ResourceId.nullable(),
  scope: AlertScope,
  created_at: z.iso.datetime(),
});
export type Alert = z.infer<typeof Alert>;

/** What `DELETE /v1/alerts/{id}` answers with. */
export const DeletedAlert = z.object({ id: ResourceId, deleted: z.literal(true) });
export type DeletedAlert = z.infer<typeof DeletedAlert>;

export const ListAlertsQuery = PageQuery.strict();
export type ListAlertsQuery = z.infer<typeof ListAlertsQuery>;
export const AlertList = z.object({ alerts: z.array(Alert), pagination: Pagination });
export type AlertList = z.infer<typeof AlertList>;
/** `GET /alerts/{id}` (internal). */
export const AlertAnswer = z.object({ alert: Alert });
export type AlertAnswer = z.infer<typeof AlertAnswer>;

// Commands (on `notification.commands`, keyed by alert id)

export const CreateAlert = z.object({
  type: z.literal('CreateAlert'),
  data: z.object({
    alert_id: ResourceId,
    name: z.string().nullable(),
    meter_code: z.string(),
    threshold: SignedDecimal,
    customer_id: ResourceId.nullable(),
    scope: AlertScope,
  }),
});
export type CreateAlert = z.infer<typeof CreateAlert>;
export const DeleteAlert = z.object({ type: z.literal('DeleteAlert'), data: z.object({ alert_id: ResourceId }) });
export type DeleteAlert = z.infer<typeof DeleteAlert>;

export const AlertCommand = z.discriminatedUnion('type', [CreateAlert, DeleteAlert]);
export type AlertCommand = z.infer<typeof AlertCommand>;

// Events (on `notification.events`)

export const AlertCreated = z.object({
  type: z.literal('AlertCreated'),
  data: CreateAlert.shape.data.extend({ created_at: z.iso.datetime() }),
});
export type AlertCreated = z.infer<typeof AlertCreated>;
export const AlertDeleted = z.object({
  type: z.literal('AlertDeleted'),
  data: z.object({ alert_id: ResourceId, deleted_at: z.iso.datetime() }),
});
export type AlertDeleted = z.infer<typeof AlertDeleted>;
/** Once per (alert, customer, period): the stored event that took the usage to or past the threshold. */
export const AlertThresholdReached = z.object({
  type: z.literal('AlertThresholdReached'),
  data: z.object({
    alert_id: ResourceId,
    customer_id: ResourceId,
    meter_code: z.string(),
    threshold: SignedDecimal,
    value: SignedDecimal,
    period_start: z.iso.datetime().nullable(),
    period_end: z.iso.datetime().nullable(),
    usage_id: ResourceId,
    occurred_at: z.iso.datetime(),
  }),
});
export type AlertThresholdReached = z.infer<typeof AlertThresholdReached>;

export const AlertEvent = z.discriminatedUnion('type', [AlertCreated, AlertDeleted, AlertThresholdReached]);
export type AlertEvent = z.infer<typeof AlertEvent>;

export const alertEventWireNames = {
  AlertCreated: 'afternoon.notifications.v1.alert_created',
  AlertDeleted: 'afternoon.notifications.v1.alert_deleted',
  AlertThresholdReached: 'afternoon.notifications.v1.alert_threshold_reached',
} as const satisfies Record<AlertEvent['type'], string>;

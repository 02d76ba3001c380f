import { z } from 'zod';
import { Metadata, Mode, PageQuery, Pagination, ResourceId } from './common';
import { UtcTimestamp } from './usage';

/*
 * Webhooks: endpoints an organization registers, the catalog of events Afternoon tells them, and every delivery
 * attempt (docs/decisions/0016-notifications-own-webhooks.md). Signed by the Standard Webhooks scheme; the catalog's
 * payloads are in `webhookCatalog.ts`.
 */

/** Every event type an endpoint can subscribe to, by its public name. */
export const WebhookEventType = z.enum([
  'customer.created',
  'customer.updated',
  'customer.deleted',
  'invoice.created',
  'invoice.finalized',
  'invoice.paid',
  'invoice.payment_succeeded',
  'invoice.payment_failed',
  'invoice.payment_refunded',
  'invoice.voided',
  'invoice.marked_uncollectible',
  'subscription.created',
  'subscription.updated',
  'subscription.canceled',
  'subscription.renewed',
  'credit_grant.created',
  'credit_grant.voided',
  'credit_grant.expired',
  'balance.low',
  'balance.depleted',
  'usage.threshold_reached',
  'events.rejected',
  'webhook_endpoint.disabled',
]);
export type WebhookEventType = z.infer<typeof WebhookEventType>;

/** What an endpoint subscribes to: named types, or `["*"]` for every type, including ones added later. */
export const EnabledEvents = z.union([
  z.tuple([z.literal('*')]),
  z
    .array(WebhookEventType)
    .min(1)
    .max(WebhookEventType.options.length)
    .refine((types) => new Set(types).size === types.length, 'must not repeat a type'),
]);
export type EnabledEvents = z.infer<typeof EnabledEvents>;

/** An endpoint's URL: http(s) only, no credentials in it; whether http and private addresses are allowed is the service's. */
export const WebhookUrl = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  // Zod runs this even when the text is no URL at all (already refused above): parsing must not throw then.
  .refine((text) => {
    const url = URL.parse(text);
    return url === null || (url.username === '' && url.password === '');
  }, 'must not carry credentials');

/** `POST /v1/webhook_endpoints`. */
export const CreateWebhookEndpointBody = z.strictObject({
  url: WebhookUrl,
  enabled_events: EnabledEvents,
  description: z.string().trim().max(500).optional(),
  metadata: Metadata.optional(),
});
export type CreateWebhookEndpointBody = z.infer<typeof CreateWebhookEndpointBody>;

/** `PATCH /v1/webhook_endpoints/{id}`: at least one field. */
export const UpdateWebhookEndpointBody = z
  .strictObject({
    url: WebhookUrl.optional(),
    enabled_events: EnabledEvents.optional(),
    description: z.string().trim().max(500).nullable().optional(),
    metadata: Metadata.optional(),
    /** `true` re-enables an endpoint disabled after failing, and clears its failure streak. */
    enabled: z.boolean().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'must change at least one field');
export type UpdateWebhookEndpointBody = z.infer<typeof UpdateWebhookEndpointBody>;

/** A signing secret: `whsec_` and the base64 of 24 to 64 random bytes (Standard Webhooks). */
export const WebhookSecret = z.string().regex(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/, 'must be a whsec_ secret');
export type WebhookSecret = z.infer<typeof WebhookSecret>;

export const WebhookEndpoint = z.object({
  id: ResourceId,
  url: z.string(),
  enabled_events: z.array(z.string()),
  description: z.string().nullable(),
  metadata: z.record(z.string(), z.string()),
  status: z.enum(['enabled', 'disabled']),
  /** Why it is disabled: `failing` (3 days of failed deliveries) or `by_request`. */
  disabled_reason: z.enum(['failing', 'by_request']).nullable(),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});
export type WebhookEndpoint = z.infer<typeof WebhookEndpoint>;

/** The create and rotate answers: the only times the secret is shown. */
export const WebhookEndpointWithSecret = WebhookEndpoint.extend({ secret: WebhookSecret });
export type WebhookEndpointWithSecret = z.infer<typeof WebhookEndpointWithSecret>;

export const ListWebhookEndpointsQuery = PageQuery.strict();
export type ListWebhookEndpointsQuery = z.infer<typeof ListWebhookEndpointsQuery>;
export const WebhookEndpointList = z.object({ webhook_endpoints: z.array(WebhookEndpoint), pagination: Pagination });
export type WebhookEndpointList = z.infer<typeof WebhookEndpointList>;
/** `GET /webhook-endpoints/{id}` (internal). */
export const WebhookEndpointAnswer = z.object({ webhook_endpoint: WebhookEndpoint });
export type WebhookEndpointAnswer = z.infer<typeof WebhookEndpointAnswer>;

/**
 * One event as it is sent: the body of every delivery of it, byte for byte the same on every attempt. `id` is the
 * Standard Webhooks `webhook-id` (receivers deduplicate on it); the same source event always makes the same id.
 */
export const WebhookEvent = z.object({
  id: z.string().regex(/^evt_[a-z0-9]{24,}$/),
  type: WebhookEventType,
  /** The payload schema's version of this type (webhookCatalog.ts); a breaking change is a new version. */
  version: z.number().int().positive(),
  /** When it happened (the source event's time; the customer's test-clock time where it has one). */
  timestamp: z.iso.datetime(),
  mode: Mode,
  data: z.record(z.string(), z.unknown()),
});
export type WebhookEvent = z.infer<typeof WebhookEvent>;

/** `GET /v1/events_log`: the last 30 days, newest first. */
export const ListWebhookEventsQuery = PageQuery.extend({
  type: WebhookEventType.optional(),
}).strict();
export type ListWebhookEventsQuery = z.infer<typeof ListWebhookEventsQuery>;
export const WebhookEventList = z.object({ events: z.array(WebhookEvent), pagination: Pagination });
export type WebhookEventList = z.infer<typeof WebhookEventList>;

/** One try at sending one event to one endpoint. */
export const WebhookAttempt = z.object({
  attempted_at: z.iso.datetime(),
  /** Null when no HTTP answer came (refused, timed out, unsafe address). */
  response_status: z.number().int().nullable(),
  latency_ms: z.number().int().min(0),
  /** The first 1 KB of the response body, as text. */
  response_body: z.string().nullable(),
  /** Why it failed without an HTTP answer (`timeout`, `connection_refused`, `private_address`, …). */
  error: z.string().nullable(),
});
export type WebhookAttempt = z.infer<typeof WebhookAttempt>;

export const WebhookDelivery = z.object({
  id: ResourceId,
  endpoint_id: ResourceId,
  event_id: z.string(),
  event_type: WebhookEventType,
  /** `pending`: an attempt is due at `next_attempt_at`; `failed`: the schedule ran out or the endpoint was disabled. */
  status: z.enum(['pending', 'succeeded', 'failed']),
  attempts: z.array(WebhookAttempt),
  next_attempt_at: z.iso.datetime().nullable(),
  created_at: z.iso.datetime(),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const ListWebhookDeliveriesQuery = PageQuery.extend({
  status: WebhookDelivery.shape.status.optional(),
}).strict();
export type ListWebhookDeliveriesQuery = z.infer<typeof ListWebhookDeliveriesQuery>;
export const WebhookDeliveryList = z.object({ deliveries: z.array(WebhookDelivery), pagination: Pagination });
export type WebhookDeliveryList = z.infer<typeof WebhookDeliveryList>;
/** `GET /webhook-deliveries/{id}` (internal). */
export const WebhookDeliveryAnswer = z.object({ delivery: WebhookDelivery });
export type WebhookDeliveryAnswer = z.infer<typeof WebhookDeliveryAnswer>;

/** `POST /v1/webhook_endpoints/{id}/replay`: sends again every event of the window (`from` inclusive, `to` exclusive). */
export const ReplayWebhookEventsBody = z
  .strictObject({
    from: UtcTimestamp,
    to: UtcTimestamp,
    types: z.array(WebhookEventType).min(1).optional(),
  })
  .refine((body) => Date.parse(body.from) < Date.parse(body.to), { path: ['to'], message: 'must be after from' });
export type ReplayWebhookEventsBody = z.infer<typeof ReplayWebhookEventsBody>;
export const ReplayAnswer = z.object({ replayed: z.number().int().min(0) });
export type ReplayAnswer = z.infer<typeof ReplayAnswer>;

// Commands (on `notification.commands`). Secrets are made at the gateway, so deciding stays pure.

const command = <T extends string, D extends z.ZodRawShape>(type: T, data: D) =>
  z.object({ type: z.literal(type), data: z.object({ endpoint_id: ResourceId, ...data }) });

export const CreateWebhookEndpoint = command('CreateWebhookEndpoint', {
  url: z.string(),
  enabled_events: z.array(z.string()),
  description: z.string().nullable(),
  metadata: z.record(z.string(), z.string()),
  secret: WebhookSecret,
});
export type CreateWebhookEndpoint = z.infer<typeof CreateWebhookEndpoint>;
export const UpdateWebhookEndpoint = command('UpdateWebhookEndpoint', {
  changes: z.object({
    url: z.string().optional(),
    enabled_events: z.array(z.string()).optional(),
    description: z.string().nullable().optional(),
    metadata: z.record(z.string(), z.string()).optional(),
    enabled: z.boolean().optional(),
  }),
});
export type UpdateWebhookEndpoint = z.infer<typeof UpdateWebhookEndpoint>;
export const DeleteWebhookEndpoint = command('DeleteWebhookEndpoint', {});
export type DeleteWebhookEndpoint = z.infer<typeof DeleteWebhookEndpoint>;
/** The previous secret keeps signing beside the new one until `previous_expires_at` (24 h). */
export const RotateWebhookSecret = command('RotateWebhookSecret', { secret: WebhookSecret });
export type RotateWebhookSecret = z.infer<typeof RotateWebhookSecret>;
export const RetryWebhookDelivery = command('RetryWebhookDelivery', { delivery_id: ResourceId });
export type RetryWebhookDelivery = z.infer<typeof RetryWebhookDelivery>;
export const ReplayWebhookEvents = command('ReplayWebhookEvents', {
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  types: z.array(WebhookEventType).nullable(),
});
export type ReplayWebhookEvents = z.infer<typeof ReplayWebhookEvents>;

export const WebhookCommand = z.discriminatedUnion('type', [
  CreateWebhookEndpoint,
  UpdateWebhookEndpoint,
  DeleteWebhookEndpoint,
  RotateWebhookSecret,
  RetryWebhookDelivery,
  ReplayWebhookEvents,
]);
export type WebhookCommand = z.infer<typeof WebhookCommand>;

// Events (on `notification.events`; published without secrets: the event store keeps them, the topic does not)

const endpointEvent = <T extends string, D extends z.ZodRawShape>(type: T, data: D) =>
  z.object({
    type: z.literal(type),
    data: z.object({ endpoint_id: ResourceId, ...data, occurred_at: z.iso.datetime() }),
  });

export const WebhookEndpointCreated = endpointEvent('WebhookEndpointCreated', {
  url: z.string(),
  enabled_events: z.array(z.string()),
  description: z.string().nullable(),
  metadata: z.record(z.string(), z.string()),
  secret: WebhookSecret.optional(),
});
export type WebhookEndpointCreated = z.infer<typeof WebhookEndpointCreated>;
export const WebhookEndpointUpdated = endpointEvent('WebhookEndpointUpdated', {
  changes: UpdateWebhookEndpoint.shape.data.shape.changes,
});
export type WebhookEndpointUpdated = z.infer<typeof WebhookEndpointUpdated>;
export const WebhookEndpointDeleted = endpointEvent('WebhookEndpointDeleted', {});
export type WebhookEndpointDeleted = z.infer<typeof WebhookEndpointDeleted>;
export const WebhookSecretRotated = endpointEvent('WebhookSecretRotated', {
  secret: WebhookSecret.optional(),
  previous_expires_at: z.iso.datetime(),
});
export type WebhookSecretRotated = z.infer<typeof WebhookSecretRotated>;
/** After 3 days in a row of failed deliveries; `webhook_endpoint.disabled` tells the organization's other endpoints. */
export const WebhookEndpointDisabled = endpointEvent('WebhookEndpointDisabled', {
  reason: z.enum(['failing']),
  failing_since: z.iso.datetime(),
});
export type WebhookEndpointDisabled = z.infer<typeof WebhookEndpointDisabled>;

/** One event due to one endpoint: because it happened, or was retried or replayed by request. */
export const WebhookDeliveryScheduled = endpointEvent('WebhookDeliveryScheduled', {
  delivery_id: ResourceId,
  event_id: z.string(),
  event_type: WebhookEventType,
  cause: z.enum(['event', 'retry', 'replay']),
  due_at: z.iso.datetime(),
});
export type WebhookDeliveryScheduled = z.infer<typeof WebhookDeliveryScheduled>;
export const WebhookDeliveryAttempted = endpointEvent('WebhookDeliveryAttempted', {
  delivery_id: ResourceId,
  attempt: WebhookAttempt,
  outcome: z.enum(['succeeded', 'retrying', 'failed']),
  next_attempt_at: z.iso.datetime().nullable(),
});
export type WebhookDeliveryAttempted = z.infer<typeof WebhookDeliveryAttempted>;

export const WebhookStoredEvent = z.discriminatedUnion('type', [
  WebhookEndpointCreated,
  WebhookEndpointUpdated,
  WebhookEndpointDeleted,
  WebhookSecretRotated,
  WebhookEndpointDisabled,
  WebhookDeliveryScheduled,
  WebhookDeliveryAttempted,
]);
export type WebhookStoredEvent = z.infer<typeof WebhookStoredEvent>;

export const webhookEventWireNames = {
  WebhookEndpointCreated: 'afternoon.notifications.v1.webhook_endpoint_created',
  WebhookEndpointUpdated: 'afternoon.notifications.v1.webhook_endpoint_updated',
  WebhookEndpointDeleted: 'afternoon.notifications.v1.webhook_endpoint_deleted',
  WebhookSecretRotated: 'afternoon.notifications.v1.webhook_secret_rotated',
  WebhookEndpointDisabled: 'afternoon.notifications.v1.webhook_endpoint_disabled',
  WebhookDeliveryScheduled: 'afternoon.notifications.v1.webhook_delivery_scheduled',
  WebhookDeliveryAttempted: 'afternoon.notifications.v1.webhook_delivery_attempted',
} as const satisfies Record<WebhookStoredEvent['type'], string>;

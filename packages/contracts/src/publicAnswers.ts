import { z } from 'zod';
import { DeletedAlert } from './alerts';
import { ResourceId } from './common';
import { DeletedCustomer } from './customers';
import { DeletedInvoice } from './invoices';
import { OrganizationProfile } from './organizationProfile';
import { SubscriptionPlanChangeAnswer } from './subscriptions';
import { SyncIngestRated, SyncIngestRejected } from './syncIngest';
import { WebhookEndpointWithSecret } from './webhooks';

/*
 * Answers the gateway composes itself (the other public answers are the services' own, in each context's file):
 * named here so the OpenAPI document describes them from the same schemas the e2e checks real responses with.
 */

export const DeletedCustomerAnswer = z.object({ customer: DeletedCustomer });
export type DeletedCustomerAnswer = z.infer<typeof DeletedCustomerAnswer>;

export const DeletedInvoiceAnswer = z.object({ invoice: DeletedInvoice });
export type DeletedInvoiceAnswer = z.infer<typeof DeletedInvoiceAnswer>;

export const DeletedAlertAnswer = z.object({ alert: DeletedAlert });
export type DeletedAlertAnswer = z.infer<typeof DeletedAlertAnswer>;

/** A new endpoint or a rotated secret: the only answers that show the signing secret. */
export const WebhookEndpointWithSecretAnswer = z.object({ webhook_endpoint: WebhookEndpointWithSecret });
export type WebhookEndpointWithSecretAnswer = z.infer<typeof WebhookEndpointWithSecretAnswer>;

export const DeletedWebhookEndpoint = z.object({ id: ResourceId, deleted: z.literal(true) });
export type DeletedWebhookEndpoint = z.infer<typeof DeletedWebhookEndpoint>;

export const DeletedWebhookEndpointAnswer = z.object({ webhook_endpoint: DeletedWebhookEndpoint });
export type DeletedWebhookEndpointAnswer = z.infer<typeof DeletedWebhookEndpointAnswer>;

export const OrganizationProfileAnswer = z.object({ organization_profile: OrganizationProfile });
export type OrganizationProfileAnswer = z.infer<typeof OrganizationProfileAnswer>;

/** A plan change `now` has completed; one at the end of the period is scheduled. */
export const ChangedPlanAnswer = SubscriptionPlanChangeAnswer.extend({ status: z.enum(['completed', 'scheduled']) });
export type ChangedPlanAnswer = z.infer<typeof ChangedPlanAnswer>;

/** A batch is accepted once it is in Kafka; a single event is answered once metering has stored and rated it. */
export const IngestAnswer = z.union([z.object({ accepted: z.number().int() }), SyncIngestRated, SyncIngestRejected]);
export type IngestAnswer = z.infer<typeof IngestAnswer>;

/** What the gateway answers Stripe once the event is handled (`ignored`: a type Afternoon does not act on). */
export const StripeWebhookReceipt = z.object({ received: z.literal(true), event_id: z.string(), ignored: z.boolean() });
export type StripeWebhookReceipt = z.infer<typeof StripeWebhookReceipt>;

/** What every successful public answer carries beside its resource: `{success: true, <resource>, request_id}`. */
export const SuccessEnvelope = z.object({ success: z.literal(true), request_id: z.string() });
export type SuccessEnvelope = z.infer<typeof SuccessEnvelope>;

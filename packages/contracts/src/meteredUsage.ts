import { z } from 'zod';
import { Mode, ResourceId } from './common';
import { Aggregation, UsageGroupKey } from './meters';

/*
 * What metering tells the rest of the platform about the usage it stores: on `usage.metered`, keyed by customer, one
 * record per customer and stored batch (docs/decisions/0015-credits-and-rating-live-in-invoicing.md). Only newly
 * stored events appear (never a duplicate or a refused record), each with what every active meter counting it
 * takes from it.
 */

/** What one meter takes from one event: `quantity` for `count` ("1") and `sum` (the value); null where not additive. */
export const MeteredQuantity = z.object({
  meter_code: z.string(),
  aggregation: Aggregation,
  quantity: z
    .string()
    .regex(/^-?\d+(?:\.\d+)?$/, 'must be a plain decimal')
    .nullable(),
  /** The event's group under the meter's `group_by`; null for a meter without one. */
  group: UsageGroupKey.nullable(),
});
export type MeteredQuantity = z.infer<typeof MeteredQuantity>;

export const MeteredEvent = z.object({
  /** `usageIdOf(organization, mode, idempotency_key)`: the same id however often the event is sent or replayed. */
  usage_id: ResourceId,
  idempotency_key: z.string(),
  event_name: z.string(),
  timestamp: z.iso.datetime(),
  received_at: z.iso.datetime(),
  meters: z.array(MeteredQuantity),
});
export type MeteredEvent = z.infer<typeof MeteredEvent>;

export const maxMeteredEventsPerRecord = 200;

export const MeteredUsageRecord = z.object({
  organization_id: z.string().min(1),
  mode: Mode,
  customer_id: ResourceId,
  events: z.array(MeteredEvent).min(1).max(maxMeteredEventsPerRecord),
});
export type MeteredUsageRecord = z.infer<typeof MeteredUsageRecord>;

/** The query of `GET /usage/outcome`: the ingest record, as `<topic>/<partition>/<offset>` (a Kafka topic name). */
/**
 * How long an internal read may hold its answer until there is one, in milliseconds (the single-event ingest waits
 * on the services rather than asking again and again).
 */
export const InternalWaitMs = z.coerce.number().int().min(0).max(30_000);

export const UsageOutcomeQuery = z.strictObject({
  source: z
    .string()
    .max(300)
    .regex(/^[A-Za-z0-9._-]{1,249}\/\d{1,10}\/\d{1,19}$/, 'must be <topic>/<partition>/<offset>'),
  /** Answers as soon as the record is handled, `pending` only once this has passed. */
  wait_ms: InternalWaitMs.optional(),
});
export type UsageOutcomeQuery = z.infer<typeof UsageOutcomeQuery>;

/**
 * `GET /usage/outcome?source=<topic/partition/offset>[&wait_ms=]` (internal): what metering made of one ingest record;
 * `pending` until it is handled.
 */
export const UsageOutcomeAnswer = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('pending') }),
  z.object({ outcome: z.literal('stored'), usage_id: ResourceId }),
  z.object({ outcome: z.literal('duplicate'), usage_id: ResourceId }),
  z.object({ outcome: z.literal('rejected'), reason_code: z.string(), reason: z.string() }),
]);
export type UsageOutcomeAnswer = z.infer<typeof UsageOutcomeAnswer>;

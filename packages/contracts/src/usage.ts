import { z } from 'zod';
import { Mode, NonBlankString, PageQuery, Pagination, ResourceId, StorableJson } from './common';

/**
 * The earliest event timestamp accepted. A fixed floor, not a rolling window: the quickstart sends an event dated
 * 2024-01-15, which a 35-day window (Stripe's) would refuse.
 */
export const earliestEventTimestamp = '2000-01-01T00:00:00Z';
/** How far ahead of the receiving clock an event's timestamp may be. */
export const maxFutureSkewMs = 5 * 60 * 1000;

/**
 * Why an event dated `timestamp` cannot be accepted when received at `receivedAt`, or undefined when it can: the
 * one timestamp rule, applied by the gateway to a request and by `UsageRecord` to any producer's record.
 */
export function eventTimestampProblem(timestamp: string, receivedAt: string): string | undefined {
  const at = Date.parse(timestamp);
  if (at > Date.parse(receivedAt) + maxFutureSkewMs) return 'is more than 5 minutes in the future';
  if (at < Date.parse(earliestEventTimestamp)) return `is before ${earliestEventTimestamp}`;
  return undefined;
}

/**
 * The latest instant a subscription may start at or a test clock may be set to: far enough ahead for any real
 * schedule, bounded so one request cannot make a billing run walk centuries of periods.
 */
export const latestBillingInstant = '2100-01-01T00:00:00Z';

/** Whether an instant lies in [`earliestEventTimestamp`, `latestBillingInstant`): the range billing works in. */
export function withinBillingRange(value: string): boolean {
  const at = Date.parse(value);
  return at >= Date.parse(earliestEventTimestamp) && at < Date.parse(latestBillingInstant);
}
export const billingRangeMessage = `must be on or after ${earliestEventTimestamp} and before ${latestBillingInstant}`;

/** ISO 8601 in UTC only: `Z` or `+00:00`. */
const isoDatetime = z.iso.datetime({ offset: true });
const utcOffset = /(Z|\+00:00)$/;
/** Whether `value` is an ISO 8601 timestamp in UTC, as `UtcTimestamp` accepts. */
export function isUtcTimestamp(value: string): boolean {
  return utcOffset.test(value) && isoDatetime.safeParse(value).success;
}
export const UtcTimestamp = z.string().refine(isUtcTimestamp, 'must be an ISO 8601 timestamp in UTC (Z or +00:00)');

/** A flat object of strings, numbers and booleans: nothing nested. */
export const UsageProperties = z.record(
  z.string().min(1).max(255),
  z.union([z.string().max(1000), z.number(), z.boolean()]),
);
export type UsageProperties = z.infer<typeof UsageProperties>;

/** One event as a caller sends it to `POST /v1/events/ingest`. */
export const IngestEvent = z.strictObject({
  event_name: NonBlankString.max(255),
  idempotency_key: NonBlankString.max(255),
  customer_id: ResourceId,
  timestamp: UtcTimestamp.optional(),
  properties: UsageProperties.optional(),
});
export type IngestEvent = z.infer<typeof IngestEvent>;

/** `POST /v1/events/ingest`: 1 to 1,000 events, accepted or refused together. */
export const IngestBody = z.strictObject({ events: z.array(IngestEvent).min(1).max(1000) });
export type IngestBody = z.infer<typeof IngestBody>;

/**
 * `POST /v1/events/ingest` with one top-level event instead of an `events` array: the single-event form, answered
 * once the event is stored and rated, with its cost and the customer's balances (`SyncIngestResponse`). Its
 * `timestamp` is required, as the reference has it, so a retry is the same event (a default of "now" would differ).
 */
export const IngestOneBody = IngestEvent.extend({ timestamp: UtcTimestamp });
export type IngestOneBody = z.infer<typeof IngestOneBody>;

/** Either form `POST /v1/events/ingest` takes: a batch (`events`) or one event. */
export const IngestRequestBody = z.union([IngestBody, IngestOneBody]);
export type IngestRequestBody = z.infer<typeof IngestRequestBody>;

/** What became of a single event: stored and rated, a duplicate of one stored before, or refused by metering. */
export const SyncIngestStatus = z.enum(['processed', 'duplicate', 'rejected']);
export type SyncIngestStatus = z.infer<typeof SyncIngestStatus>;

export const IngestResponse = z.object({
  success: z.literal(true),
  accepted: z.number().int(),
  request_id: z.string(),
});
export type IngestResponse = z.infer<typeof IngestResponse>;

/**
 * One record on the usage ingest topic, keyed by `customer_id`: the event as sent plus its tenant and the time it
 * was received. Any Kafka producer may write these, so the gateway's rules hold here too: nothing Postgres cannot
 * store, and timestamp limits against `received_at`.
 */
export const UsageRecord = StorableJson.pipe(
  z
    .strictObject({
      organization_id: z.string().min(1),
      mode: Mode,
      event_name: IngestEvent.shape.event_name,
      idempotency_key: IngestEvent.shape.idempotency_key,
      customer_id: ResourceId,
      timestamp: UtcTimestamp,
      properties: UsageProperties.default({}),
      received_at: UtcTimestamp,
      /** Test mode, a customer on a test clock: the clock's time when received, which the limits hold against. */
      clock_time: UtcTimestamp.optional(),
    })
    .superRefine((record, context) => {
      if (record.clock_time !== undefined && record.mode !== 'test')
        context.addIssue({
          code: 'custom',
          path: ['clock_time'],
          message: 'is for test mode only',
          input: record.clock_time,
        });
      const problem = eventTimestampProblem(record.timestamp, record.clock_time ?? record.received_at);
      if (problem) context.addIssue({ code: 'custom', path: ['timestamp'], message: problem, input: record.timestamp });
    }),
);
export type UsageRecord = z.infer<typeof UsageRecord>;

/** A stored event, as `GET /v1/events` lists it. */
export const UsageEvent = z.object({
  event_name: z.string(),
  idempotency_key: z.string(),
  customer_id: ResourceId,
  timestamp: z.iso.datetime(),
  properties: UsageProperties,
  received_at: z.iso.datetime(),
});
export type UsageEvent = z.infer<typeof UsageEvent>;

const windowFields = {
  event_name: z.string().min(1).max(255).optional(),
  from: UtcTimestamp.optional(),
  to: UtcTimestamp.optional(),
};

/** `GET /v1/events`: newest first by timestamp, cursor-paginated. */
export const ListUsageEventsQuery = PageQuery.extend({ customer_id: ResourceId.optional(), ...windowFields }).strict();
export type ListUsageEventsQuery = z.infer<typeof ListUsageEventsQuery>;

export const UsageEventList = z.object({ events: z.array(UsageEvent), pagination: Pagination });
export type UsageEventList = z.infer<typeof UsageEventList>;

/** Why metering refused an ingest record, in a word; the rejected list's `reason` keeps the detail. */
export const RejectionReason = z.enum([
  'invalid_record',
  'unknown_customer',
  'customer_deleted',
  'conflicting_duplicate',
  'unstorable_value',
]);
export type RejectionReason = z.infer<typeof RejectionReason>;

/**
 * An ingest record metering refused, and why. `record` is the raw value as it arrived, `received_at` when the
 * ingest topic received it.
 */
export const RejectedEvent = z.object({
  id: z.string(),
  reason: z.string(),
  reason_code: RejectionReason,
  received_at: z.iso.datetime(),
  idempotency_key: z.string().nullable(),
  customer_id: z.string().nullable(),
  record: z.string().nullable(),
  rejected_at: z.iso.datetime(),
});
export type RejectedEvent = z.infer<typeof RejectedEvent>;

export const RejectedEventList = z.object({ rejected_events: z.array(RejectedEvent), pagination: Pagination });
export type RejectedEventList = z.infer<typeof RejectedEventList>;

/** `GET /v1/customers/{id}/usage`: `from` inclusive, `to` exclusive. */
export const UsageQuery = z.strictObject(windowFields);
export type UsageQuery = z.infer<typeof UsageQuery>;

/** Sums are exact decimals, as strings, so `0.1 + 0.2` is `"0.3"`. */
export const CustomerUsage = z.object({
  customer_id: ResourceId,
  event_name: z.string().nullable(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  count: z.number().int(),
  sums: z.record(z.string(), z.string()),
});
export type CustomerUsage = z.infer<typeof CustomerUsage>;

/** `GET /customers/{id}/usage` (internal). */
export const CustomerUsageAnswer = z.object({ usage: CustomerUsage });
export type CustomerUsageAnswer = z.infer<typeof CustomerUsageAnswer>;

/** The longest window one ingest summary may cover. */
export const maxEventSummaryDays = 366;

/** `GET /v1/events/summary`: records received in [from, to), by when the ingest topic received them. */
export const EventSummaryQuery = z
  .strictObject({ from: UtcTimestamp, to: UtcTimestamp })
  .superRefine(({ from, to }, context) => {
    const span = Date.parse(to) - Date.parse(from);
    if (!(span > 0)) context.addIssue({ code: 'custom', path: ['to'], message: 'must be after from', input: to });
    else if (span > maxEventSummaryDays * 24 * 60 * 60 * 1000)
      context.addIssue({
        code: 'custom',
        path: ['to'],
        message: `must be at most ${maxEventSummaryDays} days after from`,
        input: to,
      });
  });
export type EventSummaryQuery = z.infer<typeof EventSummaryQuery>;

/**
 * What became of the caller's usage records the ingest topic received in [from, to) (by its append time, the
 * `received_at` usage is billed by): `received` = `stored` + `duplicates` + `rejected.total`, always. Metering only
 * learns whose a record is by handling it, so `in_flight` counts the window's records of every organization not
 * handled yet; the caller's among them join `received` once handled. `complete` (processed_through ≥ to) says
 * none is left: the numbers are final.
 */
export const EventSummary = z.object({
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  received: z.number().int(),
  stored: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.object({
    total: z.number().int(),
    by_reason: z.record(RejectionReason, z.number().int()),
  }),
  in_flight: z.number().int(),
  complete: z.boolean(),
  processed_through: z.iso.datetime(),
});
export type EventSummary = z.infer<typeof EventSummary>;

/** `GET /events/summary` (internal). */
export const EventSummaryAnswer = z.object({ summary: EventSummary });
export type EventSummaryAnswer = z.infer<typeof EventSummaryAnswer>;

import { z } from 'zod';
import { NonBlankString, PageQuery, Pagination, ResourceId } from './common';
import { UsageEvent, UtcTimestamp } from './usage';

export const Aggregation = z.enum(['count', 'sum', 'min', 'max', 'avg', 'unique_count', 'latest']);
export type Aggregation = z.infer<typeof Aggregation>;

/** Aggregations over the numeric value of `property`; `unique_count` takes any value, `count` none. */
export const numericAggregations: readonly Aggregation[] = ['sum', 'min', 'max', 'avg', 'latest'];

export const MeterCode = z
  .string()
  .max(100)
  .regex(/^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/, 'must be lower_snake_case, starting with a letter');
export type MeterCode = z.infer<typeof MeterCode>;

const PropertyName = z.string().min(1).max(255);
const FilterValue = z.union([z.string().max(1000), z.number(), z.boolean()]);

/** `{property: [allowed values]}`: an event counts when every listed property has one of its allowed values. */
export const MeterFilters = z
  .record(PropertyName, z.array(FilterValue).min(1).max(100))
  .refine((filters) => Object.keys(filters).length <= 20, 'at most 20 filtered properties');
export type MeterFilters = z.infer<typeof MeterFilters>;

/** The properties usage may be grouped by, at most 5 and each once. */
export const MeterGroupBy = z
  .array(PropertyName)
  .max(5)
  .refine((names) => new Set(names).size === names.length, 'must not repeat a property');
export type MeterGroupBy = z.infer<typeof MeterGroupBy>;

const meterFields = {
  code: MeterCode,
  name: NonBlankString.trim().max(255),
  event_name: z.string().min(1).max(255),
  aggregation: Aggregation,
  property: PropertyName.nullable(),
  filters: MeterFilters,
  group_by: MeterGroupBy,
};

/** What a meter measures; `property` is required by every aggregation but `count`, which refuses one. */
export const MeterDefinition = z.object(meterFields).superRefine((meter, context) => {
  if (meter.aggregation === 'count' && meter.property !== null)
    context.addIssue({ code: 'custom', path: ['property'], message: 'count takes no property' });
  if (meter.aggregation !== 'count' && meter.property === null)
    context.addIssue({ code: 'custom', path: ['property'], message: `${meter.aggregation} needs a property` });
});
export type MeterDefinition = z.infer<typeof MeterDefinition>;

/** `POST /v1/meters`. */
export const CreateMeterBody = z
  .strictObject({
    ...meterFields,
    event_name: NonBlankString.max(255),
    property: meterFields.property.optional(),
    filters: meterFields.filters.optional(),
    group_by: meterFields.group_by.optional(),
  })
  .transform((body) => ({
    ...body,
    property: body.property ?? null,
    filters: body.filters ?? {},
    group_by: body.group_by ?? [],
  }))
  .pipe(MeterDefinition);
export type CreateMeterBody = z.infer<typeof CreateMeterBody>;

/** `PATCH /v1/meters/{code}`: the name, filters and groupings may change; what is measured may not. */
export const UpdateMeterBody = z.strictObject({
  name: meterFields.name.optional(),
  filters: meterFields.filters.optional(),
  group_by: meterFields.group_by.optional(),
});
export type UpdateMeterBody = z.infer<typeof UpdateMeterBody>;

export const MeterStatus = z.enum(['active', 'archived']);
export type MeterStatus = z.infer<typeof MeterStatus>;

export const Meter = z.object({
  id: ResourceId,
  ...meterFields,
  status: MeterStatus,
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
  archived_at: z.iso.datetime().nullable(),
});
export type Meter = z.infer<typeof Meter>;

export const ListMetersQuery = PageQuery.extend({ status: MeterStatus.optional() }).strict();
export type ListMetersQuery = z.infer<typeof ListMetersQuery>;

export const MeterList = z.object({ meters: z.array(Meter), pagination: Pagination });
export type MeterList = z.infer<typeof MeterList>;

/** `GET /meters/{code}` (internal): one meter; `GET /meters` answers a `MeterList`. */
export const MeterAnswer = z.object({ meter: Meter });
export type MeterAnswer = z.infer<typeof MeterAnswer>;

// Commands (on `meter.commands`)

export const CreateMeter = z.object({
  type: z.literal('CreateMeter'),
  data: z.object({ meter_id: ResourceId, definition: MeterDefinition }),
});
export type CreateMeter = z.infer<typeof CreateMeter>;

export const UpdateMeter = z.object({
  type: z.literal('UpdateMeter'),
  data: z.object({ code: MeterCode, changes: UpdateMeterBody }),
});
export type UpdateMeter = z.infer<typeof UpdateMeter>;

export const ArchiveMeter = z.object({ type: z.literal('ArchiveMeter'), data: z.object({ code: MeterCode }) });
export type ArchiveMeter = z.infer<typeof ArchiveMeter>;

export const MeterCommand = z.discriminatedUnion('type', [CreateMeter, UpdateMeter, ArchiveMeter]);
export type MeterCommand = z.infer<typeof MeterCommand>;

// Events (on `meter.events`), each with its versioned wire name beside its schema

export const MeterCreated = z.object({
  type: z.literal('MeterCreated'),
  data: z.object({ meter_id: ResourceId, definition: MeterDefinition, created_at: z.iso.datetime() }),
});
export type MeterCreated = z.infer<typeof MeterCreated>;

export const MeterUpdated = z.object({
  type: z.literal('MeterUpdated'),
  data: z.object({ meter_id: ResourceId, changes: UpdateMeterBody, updated_at: z.iso.datetime() }),
});
export type MeterUpdated = z.infer<typeof MeterUpdated>;

export const MeterArchived = z.object({
  type: z.literal('MeterArchived'),
  data: z.object({ meter_id: ResourceId, archived_at: z.iso.datetime() }),
});
export type MeterArchived = z.infer<typeof MeterArchived>;

export const MeterEvent = z.discriminatedUnion('type', [MeterCreated, MeterUpdated, MeterArchived]);
export type MeterEvent = z.infer<typeof MeterEvent>;

export const meterEventWireNames = {
  MeterCreated: 'afternoon.metering.v1.meter_created',
  MeterUpdated: 'afternoon.metering.v1.meter_updated',
  MeterArchived: 'afternoon.metering.v1.meter_archived',
} as const satisfies Record<MeterEvent['type'], string>;

// Usage by meter

export const UsageWindowSize = z.enum(['minute', 'hour', 'day', 'month']);
export type UsageWindowSize = z.infer<typeof UsageWindowSize>;

/** Comma-separated property names in a query string (`group_by=model,region`). */
const PropertyList = z
  .string()
  .max(1500)
  .transform((value) =>
    value
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name.length > 0),
  )
  .pipe(MeterGroupBy);

/** Only events received in (received_after, received_through], so a bill can leave late arrivals to the next one. */
const receivedWindow = { received_after: UtcTimestamp.optional(), received_through: UtcTimestamp.optional() };

// A missing or invalid instant parses to NaN, which compares false: nothing to order, and no second problem.
const receivedInOrder = (query: { received_after?: string; received_through?: string }) =>
  !(Date.parse(query.received_after ?? '') >= Date.parse(query.received_through ?? ''));

/**
 * `GET /v1/customers/{id}/usage?meter=…`: `from` inclusive, `to` exclusive; one total unless `window` is given. An
 * answer holds at most 2,000 windows and 10,000 groups across them; past either it is a 400 naming `window` or
 * `group_by`.
 */
export const MeterUsageQuery = z
  .strictObject({
    meter: MeterCode,
    from: UtcTimestamp,
    to: UtcTimestamp,
    window: UsageWindowSize.optional(),
    group_by: PropertyList.optional(),
    ...receivedWindow,
  })
  .refine((query) => Date.parse(query.from) < Date.parse(query.to), { path: ['to'], message: 'must be after from' })
  .refine(receivedInOrder, { path: ['received_through'], message: 'must be after received_after' });
export type MeterUsageQuery = z.infer<typeof MeterUsageQuery>;

/** Values are exact decimal strings; `null` where a window has no event to take a min, max, avg or latest of. */
export const UsageValue = z.string().nullable();

/** The grouped properties' values in a group; `null` where an event lacked the property. */
export const UsageGroupKey = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).nullable());
export type UsageGroupKey = z.infer<typeof UsageGroupKey>;

export const UsageGroup = z.object({ key: UsageGroupKey, value: UsageValue });
export type UsageGroup = z.infer<typeof UsageGroup>;

export const UsageWindow = z.object({
  start: z.iso.datetime(),
  end: z.iso.datetime(),
  value: UsageValue,
  groups: z.array(UsageGroup).optional(),
});
export type UsageWindow = z.infer<typeof UsageWindow>;

export const MeterUsage = z.object({
  meter: MeterCode,
  customer_id: ResourceId,
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  window: UsageWindowSize.nullable(),
  group_by: MeterGroupBy,
  total: UsageValue,
  windows: z.array(UsageWindow),
  /** Events of the meter's name left out of a numeric aggregation, by reason. */
  excluded_events: z.object({ missing_property: z.number().int(), not_numeric: z.number().int() }),
  /** Every usage record received before this instant is included in the answer. */
  processed_through: z.iso.datetime(),
});
export type MeterUsage = z.infer<typeof MeterUsage>;

/** `GET /v1/customers/{id}/usage?meter=…`. */
export const MeterUsageAnswer = z.object({ usage: MeterUsage });
export type MeterUsageAnswer = z.infer<typeof MeterUsageAnswer>;

/** `GET /v1/meters/{code}/usage`: the customers with the highest usage over [from, to). */
export const MeterTopCustomersQuery = z
  .strictObject({
    from: UtcTimestamp,
    to: UtcTimestamp,
    limit: z.coerce.number().int().min(1).max(100).default(10),
  })
  .refine((query) => Date.parse(query.from) < Date.parse(query.to), { path: ['to'], message: 'must be after from' });
export type MeterTopCustomersQuery = z.infer<typeof MeterTopCustomersQuery>;

export const MeterTopCustomers = z.object({
  meter: MeterCode,
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  customers: z.array(z.object({ customer_id: ResourceId, value: UsageValue })),
  processed_through: z.iso.datetime(),
});
export type MeterTopCustomers = z.infer<typeof MeterTopCustomers>;

/** `GET /meters/{code}/usage` (internal). */
export const MeterTopCustomersAnswer = z.object({ usage: MeterTopCustomers });
export type MeterTopCustomersAnswer = z.infer<typeof MeterTopCustomersAnswer>;

/** A `UsageGroupKey` as JSON in a query string (`group={"model":"gpt-4","region":null}`). */
const GroupKeyParam = z
  .string()
  .max(5000)
  .transform((value, context) => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      context.addIssue({ code: 'custom', message: 'must be a JSON object of grouped property values' });
      return z.NEVER;
    }
  })
  .pipe(UsageGroupKey);

/** `GET /customers/{id}/meter-events` (internal): the events a customer's usage of a meter is computed from. */
export const MeterEventsQuery = PageQuery.extend({
  meter: MeterCode,
  from: UtcTimestamp,
  to: UtcTimestamp,
  ...receivedWindow,
  group: GroupKeyParam.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
})
  .strict()
  .refine((query) => Date.parse(query.from) < Date.parse(query.to), { path: ['to'], message: 'must be after from' })
  .refine(receivedInOrder, { path: ['received_through'], message: 'must be after received_after' });
export type MeterEventsQuery = z.infer<typeof MeterEventsQuery>;

/**
 * A usage event as a meter counts it. `value` is the property the meter aggregates: an exact decimal string for
 * numeric aggregations, the value as text for `unique_count`, `null` for `count`.
 */
export const MeterUsageEvent = UsageEvent.extend({ value: z.string().nullable() });
export type MeterUsageEvent = z.infer<typeof MeterUsageEvent>;

export const MeterUsageEventList = z.object({ events: z.array(MeterUsageEvent), pagination: Pagination });
export type MeterUsageEventList = z.infer<typeof MeterUsageEventList>;

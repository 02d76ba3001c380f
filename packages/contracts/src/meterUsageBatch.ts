import { z } from 'zod';
import { ResourceId } from './common';
import { MeterCode, UsageGroup, UsageValue } from './meters';
import { UtcTimestamp } from './usage';

/**
 * An invoice asks each usage price's meter twice at most (its usage on time, and its usage received late); the
 * billing run asks for the invoices it works out at once in one request.
 */
export const maxMeterUsageBatchItems = 500;

/**
 * One question of a batch: the customer's usage of the meter over [from, to), of the events received in
 * (received_after, received_through] when those are given.
 */
export const MeterUsageItem = z
  .strictObject({
    customer_id: ResourceId,
    meter: MeterCode,
    from: UtcTimestamp,
    to: UtcTimestamp,
    received_after: UtcTimestamp.optional(),
    received_through: UtcTimestamp.optional(),
  })
  .refine((item) => Date.parse(item.from) < Date.parse(item.to), { path: ['to'], message: 'must be after from' })
  .refine((item) => !(Date.parse(item.received_after ?? '') >= Date.parse(item.received_through ?? '')), {
    path: ['received_through'],
    message: 'must be after received_after',
  });
export type MeterUsageItem = z.infer<typeof MeterUsageItem>;

/** `POST /meter-usage/batch` (metering's internal API, asked by the billing run): the questions of one or more invoices. */
export const MeterUsageBatchRequest = z.strictObject({
  items: z.array(MeterUsageItem).min(1).max(maxMeterUsageBatchItems),
});
export type MeterUsageBatchRequest = z.infer<typeof MeterUsageBatchRequest>;

/** One answer: the total, and every group (none left out: a bill sums those it does not show) when the meter groups. */
export const MeterUsageAnswer = z.object({ total: UsageValue, groups: z.array(UsageGroup).optional() });
export type MeterUsageAnswer = z.infer<typeof MeterUsageAnswer>;

/** The answers in the order of the questions; every usage record received before `processed_through` counts in them. */
export const MeterUsageBatchAnswer = z.object({
  processed_through: z.iso.datetime(),
  usage: z.array(MeterUsageAnswer),
});
export type MeterUsageBatchAnswer = z.infer<typeof MeterUsageBatchAnswer>;

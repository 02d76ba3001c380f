import { z } from 'zod';
import { isoInstant } from './isoInstant';
import { MeterUsage, UsageGroup, UsageValue, type UsageWindow } from './meters';
import { answerWindows, type TimeWindow } from './usageWindows';

// Metering's internal answer of a customer's usage of a meter, and the public `MeterUsage` it is made into (ADR 0053).

/**
 * `MeterUsage` as metering's internal API answers it: each window's value (and groups, when grouped) in the order of
 * the query's windows (`answerWindows`: without `window`, the one window of the whole range), without the windows'
 * bounds, which follow from `from`, `to` and `window`. An hourly month is ~8 KB instead of ~65 KB.
 */
export const WindowValuesUsage = MeterUsage.omit({ windows: true }).extend({
  window_values: z.array(UsageValue),
  window_groups: z.array(z.array(UsageGroup)).optional(),
});
export type WindowValuesUsage = z.infer<typeof WindowValuesUsage>;

type Unhorizoned<T> = Omit<T, 'processed_through'>;

/** The windows of `usage`, when it has one value (and one list of groups, when grouped) for each of them. */
function windowsFitted(usage: Unhorizoned<WindowValuesUsage>): TimeWindow[] | undefined {
  const windows = answerWindows(Date.parse(usage.from), Date.parse(usage.to), usage.window);
  const count = windows?.length;
  const fits = usage.window_values.length === count && (usage.window_groups?.length ?? count) === count;
  return fits ? windows : undefined;
}

/**
 * `GET /customers/{id}/meter-usage` (internal). The gateway makes the public answer with `meterUsageOf`: made inside
 * a Zod transform, the windows cost ten times as much (the collector kept them alive through the parse).
 */
export const CustomerMeterUsageAnswer = z.object({
  usage: WindowValuesUsage.refine((usage) => windowsFitted(usage) !== undefined, {
    message: 'window_values do not match the windows of from, to and window',
    path: ['window_values'],
  }),
});
export type CustomerMeterUsageAnswer = z.infer<typeof CustomerMeterUsageAnswer>;

/** The public `MeterUsage` of an answer whose values fit its windows (as `CustomerMeterUsageAnswer` checks). */
export function meterUsageOf(usage: WindowValuesUsage): MeterUsage;
export function meterUsageOf(usage: Unhorizoned<WindowValuesUsage>): Unhorizoned<MeterUsage>;
export function meterUsageOf(usage: Unhorizoned<WindowValuesUsage> & { processed_through?: string }) {
  const bounds = windowsFitted(usage);
  if (!bounds) throw new Error('window_values do not match the windows of from, to and window');
  const { window_values: values, window_groups: groups } = usage;
  // A window starts where the one before it ended: that instant's text is made once.
  let endedAt = Number.NaN;
  let ended = '';
  const windows = bounds.map(({ start, end }, index): UsageWindow => {
    const startText = start === endedAt ? ended : isoInstant(start);
    endedAt = end;
    ended = isoInstant(end);
    const window: UsageWindow = { start: startText, end: ended, value: values[index] ?? null };
    if (groups) window.groups = groups[index];
    return window;
  });
  const { meter, customer_id, from, to, window, group_by, total, excluded_events, processed_through } = usage;
  const made = { meter, customer_id, from, to, window, group_by, total, windows, excluded_events };
  return processed_through === undefined ? made : { ...made, processed_through };
}

import type { MeteredQuantity } from '@afternoon/contracts/meteredUsage';
import type { UsageRecord } from '@afternoon/contracts/usage';
import type { BatchMeter } from '../meters/rollups/ingestRollup';
import { normalizeDecimal } from './exactDecimal';

type Properties = UsageRecord['properties'];
type PropertyValue = Properties[string];

/**
 * What each of `meters` (in their order) counting the event takes from it: "1" for count, the property's exact
 * value for sum (null when it is missing or not a number), null for the aggregations that do not add up; and the
 * event's group under the meter's `group_by`, as usage reads it. Worked out from the record as it was stored, the
 * same way the rollups' SQL (`passesFiltersSql`, jsonb containment) judges the stored row.
 */
export function meteredQuantities(meters: readonly BatchMeter[], usage: UsageRecord): MeteredQuantity[] {
  return meters
    .filter(
      (meter) =>
        meter.organization_id === usage.organization_id &&
        meter.mode === usage.mode &&
        meter.event_name === usage.event_name &&
        passesFilters(meter.filters, usage.properties),
    )
    .map((meter) => ({
      meter_code: meter.code,
      aggregation: meter.aggregation,
      quantity: quantityOf(meter, usage.properties),
      group:
        meter.group_by.length === 0
          ? null
          : Object.fromEntries(meter.group_by.map((property) => [property, groupValue(usage.properties, property)])),
    }));
}

function quantityOf(meter: BatchMeter, properties: Properties): string | null {
  if (meter.aggregation === 'count') return '1';
  const value = meter.property === null ? undefined : ownValue(properties, meter.property);
  return meter.aggregation === 'sum' && typeof value === 'number' ? decimalOf(value) : null;
}

/** Every filtered property present with one of its allowed values (`value <@ allowed` on jsonb). */
export function passesFilters(filters: Record<string, unknown>, properties: Properties): boolean {
  return Object.entries(filters).every(([property, allowed]) => {
    const value = ownValue(properties, property);
    if (value === undefined) return false;
    return Array.isArray(allowed) ? allowed.some((one) => one === value) : allowed === value;
  });
}

export const ownValue = (properties: Properties, property: string): PropertyValue | undefined =>
  Object.hasOwn(properties, property) ? properties[property] : undefined;

/** The event's value of a grouped property; null when the event lacks it (as the usage queries show it). */
const groupValue = (properties: Properties, property: string) => ownValue(properties, property) ?? null;

/**
 * A stored number as Postgres prints it as `numeric`, trailing zeros dropped: the event was stored as JavaScript
 * wrote the number (`1e+21`, `1.5e-7`), which `numeric` reads exactly and prints without an exponent.
 */
export function decimalOf(value: number): string {
  const [mantissa = '0', exponentText] = String(value).split('e');
  if (exponentText === undefined) return normalizeDecimal(mantissa);
  const negative = mantissa.startsWith('-');
  const [whole = '', fraction = ''] = mantissa.replace('-', '').split('.');
  const digits = whole + fraction;
  const point = whole.length + Number(exponentText);
  const plain =
    point <= 0
      ? `0.${'0'.repeat(-point)}${digits}`
      : point >= digits.length
        ? digits + '0'.repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return `${negative ? '-' : ''}${normalizeDecimal(plain)}`;
}

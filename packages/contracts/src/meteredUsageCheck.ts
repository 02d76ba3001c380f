import { type MeteredEvent, type MeteredUsageRecord, maxMeteredEventsPerRecord } from './meteredUsage';

/** `ResourceId`'s pattern. */
const resourceId = /^[a-z][a-z0-9]{24}$/;
/** `MeteredQuantity.quantity`'s pattern. */
const plainDecimal = /^-?\d+(?:\.\d+)?$/;
/** The form `Date#toISOString` writes, which metering sends; any other form `z.iso.datetime()` accepts goes to zod. */
const isoString = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const aggregations = new Set(['count', 'sum', 'min', 'max', 'avg', 'unique_count', 'latest']);

/**
 * The record itself, typed, when `MeteredUsageRecord` certainly accepts it as it is (what its `parse` would answer
 * is equal to it); otherwise undefined, and zod decides. The hot path of the `usage.metered` consumers (rating,
 * usage alerts): one pass over a parsed record of up to 200 events, allocating nothing. Like `cleanIngestBody`
 * (ADR 0031), it only ever answers undefined where zod might refuse or reshape (an unknown key, which zod would
 * strip; a `__proto__` key; a timestamp in another form than metering writes), never the reverse;
 * `meteredUsageCheck.unit.spec.ts` holds it to zod.
 */
export function cleanMeteredUsageRecord(input: unknown): MeteredUsageRecord | undefined {
  if (!isPlainObject(input)) return undefined;
  let fields = 0;
  for (const key in input) {
    const value = (input as Record<string, unknown>)[key];
    switch (key) {
      case 'organization_id':
        if (typeof value !== 'string' || value.length < 1) return undefined;
        break;
      case 'mode':
        if (value !== 'live' && value !== 'test') return undefined;
        break;
      case 'customer_id':
        if (typeof value !== 'string' || !resourceId.test(value)) return undefined;
        break;
      case 'events':
        if (!areCleanEvents(value)) return undefined;
        break;
      default:
        return undefined;
    }
    fields++;
  }
  // `for...in` sees each own key once: four known keys seen means all four are there.
  return fields === 4 ? (input as MeteredUsageRecord) : undefined;
}

function areCleanEvents(events: unknown): boolean {
  if (!Array.isArray(events) || events.length < 1 || events.length > maxMeteredEventsPerRecord) return false;
  for (let index = 0; index < events.length; index++) if (!isCleanEvent(events[index])) return false;
  return true;
}

function isCleanEvent(event: unknown): event is MeteredEvent {
  if (!isPlainObject(event)) return false;
  let fields = 0;
  for (const key in event) {
    const value = (event as Record<string, unknown>)[key];
    switch (key) {
      case 'usage_id':
        if (typeof value !== 'string' || !resourceId.test(value)) return false;
        break;
      case 'idempotency_key':
      case 'event_name':
        if (typeof value !== 'string') return false;
        break;
      case 'timestamp':
      case 'received_at':
        if (!isIsoString(value)) return false;
        break;
      case 'meters':
        if (!Array.isArray(value)) return false;
        for (let index = 0; index < value.length; index++) if (!isCleanQuantity(value[index])) return false;
        break;
      default:
        return false;
    }
    fields++;
  }
  return fields === 6;
}

function isCleanQuantity(meter: unknown): boolean {
  if (!isPlainObject(meter)) return false;
  let fields = 0;
  for (const key in meter) {
    const value = (meter as Record<string, unknown>)[key];
    switch (key) {
      case 'meter_code':
        if (typeof value !== 'string') return false;
        break;
      case 'aggregation':
        if (typeof value !== 'string' || !aggregations.has(value)) return false;
        break;
      case 'quantity':
        if (value !== null && (typeof value !== 'string' || !plainDecimal.test(value))) return false;
        break;
      case 'group':
        if (value !== null && !isCleanGroup(value)) return false;
        break;
      default:
        return false;
    }
    fields++;
  }
  return fields === 4;
}

function isCleanGroup(group: unknown): boolean {
  if (!isPlainObject(group)) return false;
  for (const key in group) {
    // zod builds a record's answer by assignment, where `__proto__` sets the prototype instead of a key.
    if (key === '__proto__') return false;
    const value = (group as Record<string, unknown>)[key];
    if (value === null || typeof value === 'string' || typeof value === 'boolean') continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  }
  return true;
}

/**
 * A real instant written as `toISOString` writes it (which `z.iso.datetime()` accepts): the form, then the date's
 * and time's ranges read digit by digit (a string test and a few character codes, where parsing a `Date` would cost
 * more than zod's own pattern).
 */
function isIsoString(value: unknown): boolean {
  if (typeof value !== 'string' || !isoString.test(value)) return false;
  const year = number(value, 0, 4);
  const month = number(value, 5, 2);
  const day = number(value, 8, 2);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  return number(value, 11, 2) < 24 && number(value, 14, 2) < 60 && number(value, 17, 2) < 60;
}

/** The decimal number of `length` digits at `start` of `text` (known to be digits). */
function number(text: string, start: number, length: number): number {
  let value = 0;
  for (let index = start; index < start + length; index++) value = value * 10 + text.charCodeAt(index) - 48;
  return value;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** An object as `JSON.parse` makes them: its prototype is `Object.prototype`, and it inherits no enumerable key. */
function isPlainObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

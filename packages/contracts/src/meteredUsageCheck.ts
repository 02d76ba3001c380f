import { isIsoString, isPlainObject, isResourceId } from './fastCheckParts';
import { type MeteredEvent, type MeteredUsageRecord, maxMeteredEventsPerRecord } from './meteredUsage';

/** `MeteredQuantity.quantity`'s pattern. */
const plainDecimal = /^-?\d+(?:\.\d+)?$/;
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
        if (!isResourceId(value)) return undefined;
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
        if (!isResourceId(value)) return false;
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

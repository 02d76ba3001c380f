import {
  isCleanProperties,
  isEventLabel,
  isIsoString,
  isPlainObject,
  isResourceId,
  isStorableText,
} from './fastCheckParts';
import { earliestEventTimestamp, eventTimestampProblem, type UsageRecord } from './usage';

const earliestIsoString = new Date(earliestEventTimestamp).toISOString();

/**
 * The record itself, typed, when `UsageRecord` certainly accepts it as it is (what its `parse` would answer is equal
 * to it); otherwise undefined, and zod decides and names the problems. The hot path of metering's `usage.ingest`
 * consumer: one pass over a parsed record, allocating nothing. Like `cleanIngestBody` (ADR 0031), it only ever
 * answers undefined where zod might refuse or reshape (an unknown key; missing `properties`, which zod's default
 * fills in; a `__proto__` key; a timestamp in another form than `toISOString` writes; a NUL or any surrogate), never
 * the reverse; `usageRecordCheck.unit.spec.ts` holds it to zod.
 */
export function cleanUsageRecord(input: unknown): UsageRecord | undefined {
  if (!isPlainObject(input)) return undefined;
  let fields = 0;
  for (const key in input) {
    if (!isCleanField(key, (input as Record<string, unknown>)[key])) return undefined;
    fields++;
  }
  const record = input as UsageRecord;
  // `for...in` sees each own key once: the eight required keys seen, and `clock_time` when it is there.
  if (fields !== (record.clock_time === undefined ? 8 : 9)) return undefined;
  if (record.clock_time !== undefined && record.mode !== 'test') return undefined;
  return isWithinLimits(record.timestamp, record.clock_time ?? record.received_at) ? record : undefined;
}

/**
 * `eventTimestampProblem`'s answer, without parsing a date in the usual case: strings in `toISOString`'s fixed-width
 * form order as their instants do, so a timestamp neither after its clock nor before the floor is within the limits.
 */
function isWithinLimits(timestamp: string, clock: string): boolean {
  if (timestamp <= clock && timestamp >= earliestIsoString) return true;
  return eventTimestampProblem(timestamp, clock) === undefined;
}

function isCleanField(key: string, value: unknown): boolean {
  switch (key) {
    case 'organization_id':
      return typeof value === 'string' && value.length >= 1 && isStorableText(value);
    case 'mode':
      return value === 'live' || value === 'test';
    case 'event_name':
    case 'idempotency_key':
      return isEventLabel(value) && isStorableText(value);
    case 'customer_id':
      return isResourceId(value);
    case 'timestamp':
    case 'received_at':
    case 'clock_time':
      return isIsoString(value);
    case 'properties':
      return isCleanProperties(value, { storable: true });
    default:
      return false;
  }
}

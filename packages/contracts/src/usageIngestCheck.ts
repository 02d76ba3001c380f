import { isCleanProperties, isEventLabel, isPlainObject, isResourceId } from './fastCheckParts';
import { type IngestBody, type IngestEvent, isUtcTimestamp } from './usage';

/**
 * The body itself, typed, when `IngestBody` certainly accepts it as it is (what `IngestBody.parse` would answer is
 * equal to it); otherwise undefined, and zod, which names every problem, decides. The hot path of
 * `POST /v1/events/ingest`: one pass over a parsed JSON body of up to 1,000 events, allocating nothing. It only ever
 * answers undefined where zod might refuse or reshape (an unknown key, a `__proto__` property, any doubt), never the
 * reverse; `usageIngestCheck.unit.spec.ts` holds it to zod on good and bad bodies.
 */
export function cleanIngestBody(input: unknown): IngestBody | undefined {
  if (!isPlainObject(input)) return undefined;
  for (const key in input) if (key !== 'events') return undefined;
  const events = (input as { events?: unknown }).events;
  if (!Array.isArray(events) || events.length < 1 || events.length > 1000) return undefined;
  for (let index = 0; index < events.length; index++) if (!isCleanEvent(events[index])) return undefined;
  return input as IngestBody;
}

function isCleanEvent(event: unknown): event is IngestEvent {
  if (!isPlainObject(event)) return false;
  let fields = 0;
  for (const key in event) {
    const value = (event as Record<string, unknown>)[key];
    switch (key) {
      case 'event_name':
      case 'idempotency_key':
        if (!isEventLabel(value)) return false;
        break;
      case 'customer_id':
        if (!isResourceId(value)) return false;
        break;
      case 'timestamp':
        if (typeof value !== 'string' || !isUtcTimestamp(value)) return false;
        break;
      case 'properties':
        if (!isCleanProperties(value, { storable: false })) return false;
        break;
      default:
        return false;
    }
    fields++;
  }
  // The three required fields; `for...in` sees each own key once.
  const { event_name, idempotency_key, customer_id } = event as Record<string, unknown>;
  return fields >= 3 && event_name !== undefined && idempotency_key !== undefined && customer_id !== undefined;
}

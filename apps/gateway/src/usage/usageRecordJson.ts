import type { Mode } from '@afternoon/contracts/common';
import type { IngestEvent } from '@afternoon/contracts/usage';

/** What every record of one request shares: its tenant, when it was received, and the customers' clocks. */
export interface RecordContext {
  organizationId: string;
  mode: Mode;
  /** `received_at`, ISO 8601. */
  receivedAt: string;
  /** Test mode, customers on a test clock: the clock's time, which their events default to and carry. */
  clockTimes: ReadonlyMap<string, string>;
}

/**
 * The JSON text of each event's `UsageRecord`, byte for byte what `JSON.stringify` of the record object writes (its
 * fields in the contract's order), built without that object: the tenant and `received_at` are written once per
 * request, and each event's own fields are escaped one by one.
 */
export function usageRecordJsons(context: RecordContext, events: readonly IngestEvent[]): string[] {
  const head = `{"organization_id":${JSON.stringify(context.organizationId)},"mode":${JSON.stringify(context.mode)},"event_name":`;
  const receivedAt = JSON.stringify(context.receivedAt);
  const tail = `,"received_at":${receivedAt}`;
  const jsons = new Array<string>(events.length);
  for (let index = 0; index < events.length; index++) {
    const event = events[index] as IngestEvent;
    const clockTime = context.clockTimes.get(event.customer_id);
    const timestamp =
      event.timestamp !== undefined
        ? JSON.stringify(event.timestamp)
        : clockTime !== undefined
          ? JSON.stringify(clockTime)
          : receivedAt;
    jsons[index] =
      `${head}${JSON.stringify(event.event_name)},"idempotency_key":${JSON.stringify(event.idempotency_key)}` +
      `,"customer_id":${JSON.stringify(event.customer_id)},"timestamp":${timestamp}` +
      `,"properties":${event.properties === undefined ? '{}' : JSON.stringify(event.properties)}${tail}` +
      `${clockTime === undefined ? '' : `,"clock_time":${JSON.stringify(clockTime)}`}}`;
  }
  return jsons;
}

import type { IngestEvent, UsageRecord } from '@afternoon/contracts/usage';
import { describe, expect, it } from 'vitest';
import { type RecordContext, usageRecordJsons } from './usageRecordJson';

/** The record as the gateway built it before: the object, then `JSON.stringify`. */
function asBefore(context: RecordContext, event: IngestEvent): string {
  const now = context.clockTimes.get(event.customer_id) ?? context.receivedAt;
  const record: UsageRecord = {
    organization_id: context.organizationId,
    mode: context.mode,
    event_name: event.event_name,
    idempotency_key: event.idempotency_key,
    customer_id: event.customer_id,
    timestamp: event.timestamp ?? now,
    properties: event.properties ?? {},
    received_at: context.receivedAt,
    ...(context.clockTimes.has(event.customer_id) ? { clock_time: now } : {}),
  };
  return JSON.stringify(record);
}

describe('usageRecordJsons', () => {
  it('writes what JSON.stringify of each record object writes, escapes, clocks and defaults included', () => {
    const onClock = 'cm5x9z8nv0000h85r7l9p2k1m';
    const plain = 'cm5x9z8nv0000h85r7l9p2k1n';
    const context: RecordContext = {
      organizationId: 'org_"quoted"\\',
      mode: 'test',
      receivedAt: '2026-01-15T10:30:00.123Z',
      clockTimes: new Map([[onClock, '2026-03-01T00:00:00.000Z']]),
    };
    const events: IngestEvent[] = [
      { event_name: 'api.request', idempotency_key: 'k1', customer_id: plain },
      { event_name: 'é "x"\n\t\u2028', idempotency_key: 'k2', customer_id: onClock, properties: { a: 1, 'b"': 'x\\' } },
      {
        event_name: 'e',
        idempotency_key: 'k3',
        customer_id: onClock,
        timestamp: '2026-02-28T23:59:59+00:00',
        properties: { ok: true, n: -1.5e-7, '': 'never sent, still written' },
      },
      { event_name: 'e', idempotency_key: '🙂', customer_id: plain, timestamp: '2026-01-15T10:29:00Z', properties: {} },
    ];
    const jsons = usageRecordJsons(context, events);
    expect(jsons).toEqual(events.map((event) => asBefore(context, event)));
    expect(usageRecordJsons({ ...context, mode: 'live', clockTimes: new Map() }, events)).toEqual(
      events.map((event) => asBefore({ ...context, mode: 'live', clockTimes: new Map() }, event)),
    );
  });
});
